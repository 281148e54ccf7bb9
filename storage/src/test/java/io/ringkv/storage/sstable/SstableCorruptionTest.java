package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.ringkv.common.Rng;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One test per shape of damage (LevelDB's log_test.cc style): each must surface as a {@link
 * CorruptionException} naming the file and an offset, never as a wrong answer or an index error.
 * Files are damaged with plain java.nio writes.
 */
class SstableCorruptionTest {
  private static final long SEED = TableFixtures.seed(0xC0220);

  @TempDir Path dir;

  private Path path;
  private TreeMap<byte[], byte[]> model;
  private Footer footer;
  private long[] blockOffsets;
  private int[] blockSizes;
  private byte[][] separators;
  private long fileBytes;

  @BeforeEach
  void writeTable() throws Exception {
    writeTable(Compression.NONE);
  }

  private void writeTable(Compression compression) throws Exception {
    path = dir.resolve("000042.sst");
    model = TableFixtures.randomModel(new Rng(SEED), 300, false);
    fileBytes =
        TableFixtures.write(path, new SstableOptions(512, 16, 10, compression), model).fileBytes();
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      footer = reader.footer();
      TableIndex index = reader.index();
      blockOffsets = new long[index.size()];
      blockSizes = new int[index.size()];
      separators = new byte[index.size()][];
      for (int i = 0; i < index.size(); i++) {
        blockOffsets[i] = index.blockOffset(i);
        blockSizes[i] = index.blockSize(i);
        separators[i] = index.separator(i);
      }
    }
    assertThat(blockOffsets.length).as("the table needs several data blocks").isGreaterThan(5);
    assertThat(footer.hasFilter()).isTrue();
  }

  @Test
  void open_truncatedInTheFooter() throws Exception {
    truncate(fileBytes - 10);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(fileBytes - 10 - SstableFormat.FOOTER_BYTES);
    assertThat(e).hasMessageContaining("bad magic number");
  }

  @Test
  void open_truncatedMidDataBlock() throws Exception {
    truncate(blockOffsets[3] + blockSizes[3] / 2);
    assertThat(expectCorruptionAtOpen()).hasMessageContaining("truncated or not an SSTable");
  }

  @Test
  void open_badMagic() throws Exception {
    flipBit(fileBytes - 1, 0);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(fileBytes - SstableFormat.FOOTER_BYTES);
    assertThat(e).hasMessageContaining("bad magic number");
  }

  @Test
  void open_footerChecksumMismatch() throws Exception {
    flipBit(fileBytes - SstableFormat.FOOTER_BYTES + SstableFormat.FOOTER_INDEX_SIZE, 3);
    assertThat(expectCorruptionAtOpen()).hasMessageContaining("footer checksum mismatch");
  }

  @Test
  void open_unsupportedFormatVersion() throws Exception {
    rewriteFooter(new Footer(footer.filter(), footer.meta(), footer.index(), 2));
    assertThat(expectCorruptionAtOpen()).hasMessageContaining("unsupported format version 2");
  }

  @Test
  void get_zeroedDataBlock() throws Exception {
    write(blockOffsets[0], new byte[blockSizes[0]]);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(1 << 20))) {
      byte[] firstUser = InternalKey.userKey(model.firstKey());
      CorruptionException e =
          expectCorruption(() -> reader.get(firstUser, InternalKey.SEQUENCE_MAX));
      assertThat(e.offset()).isEqualTo(blockOffsets[0]);
      assertThat(e).hasMessageContaining("data block 0").hasMessageContaining("checksum mismatch");
      try (InternalIterator it = reader.iterator(true)) {
        assertThat(expectCorruption(it::seekToFirst).offset()).isEqualTo(blockOffsets[0]);
      }
      // The damage is local: other blocks still answer, and the bad block was not cached.
      byte[] last = model.lastKey();
      assertThat(reader.get(InternalKey.userKey(last), InternalKey.sequence(last)))
          .isEqualTo(model.lastEntry().getValue());
      expectCorruption(() -> reader.get(firstUser, InternalKey.SEQUENCE_MAX));
    }
  }

  @Test
  void get_flippedBitInDataBlock() throws Exception {
    flipBit(blockOffsets[0] + blockSizes[0] / 2, 5);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(1 << 20))) {
      CorruptionException e =
          expectCorruption(
              () -> reader.get(InternalKey.userKey(model.firstKey()), InternalKey.SEQUENCE_MAX));
      assertThat(e.offset()).isEqualTo(blockOffsets[0]);
      assertThat(e).hasMessageContaining("checksum mismatch");
    }
  }

  @Test
  void next_flippedBitInDataBlockReachedByAScan() throws Exception {
    flipBit(blockOffsets[4] + 1, 0);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0));
        InternalIterator it = reader.iterator(false)) {
      CorruptionException e =
          expectCorruption(
              () -> {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                  it.key();
                }
              });
      assertThat(e.offset()).isEqualTo(blockOffsets[4]);
      assertThat(it.isValid()).isFalse();
    }
  }

  @Test
  void get_flippedBitInLz4DataBlockCaughtBeforeDecompressing() throws Exception {
    TreeMap<byte[], byte[]> compressible = TableFixtures.newModel();
    for (int i = 0; i < 200; i++) {
      compressible.put(
          InternalKey.encode(String.format("k%05d", i).getBytes(), 1, 1), new byte[300]);
    }
    TableFixtures.write(path, new SstableOptions(4096, 16, 10, Compression.LZ4), compressible);
    int size;
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      size = reader.index().blockSize(0);
    }
    byte[] bytes = Files.readAllBytes(path);
    assertThat(bytes[size]).as("block 0 is LZ4").isEqualTo(SstableFormat.COMPRESSION_LZ4);
    flipBit(size / 2, 2);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0))) {
      assertThat(expectCorruption(() -> reader.get("k00000".getBytes(), 5)))
          .hasMessageContaining("checksum mismatch");
    }
  }

  @Test
  void open_flippedBitInIndexBlock() throws Exception {
    flipBit(footer.index().offset() + footer.index().size() / 2, 1);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(footer.index().offset());
    assertThat(e).hasMessageContaining("index block").hasMessageContaining("checksum mismatch");
  }

  @Test
  void open_flippedBitInFilterBlock() throws Exception {
    flipBit(footer.filter().offset() + 3, 6);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(footer.filter().offset());
    assertThat(e).hasMessageContaining("filter block").hasMessageContaining("checksum mismatch");
  }

  @Test
  void open_flippedBitInMetaBlock() throws Exception {
    flipBit(footer.meta().offset() + 2, 4);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(footer.meta().offset());
    assertThat(e).hasMessageContaining("meta block");
  }

  @Test
  void next_flippedBitInBlockTrailer() throws Exception {
    flipBit(blockOffsets[2] + blockSizes[2] + 2, 7);
    try (SstableReader reader = TableFixtures.open(path, new BlockCache(0));
        InternalIterator it = reader.iterator(true)) {
      CorruptionException e =
          expectCorruption(
              () -> {
                for (it.seekToFirst(); it.isValid(); it.next()) {}
              });
      assertThat(e.offset()).isEqualTo(blockOffsets[2]);
    }
  }

  @Test
  void open_badBlockLengthInAnIndexHandle() throws Exception {
    int[] sizes = blockSizes.clone();
    sizes[2] += 1;
    rewriteIndex(sizes);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isEqualTo(footer.index().offset());
    // Entry 2 is consistent on its own; entry 3 then starts one byte before entry 2's block ends.
    assertThat(e)
        .hasMessageContaining("index entry 3 points at a data block")
        .hasMessageContaining("expected a block at offset " + (blockOffsets[3] + 1));
  }

  @Test
  void open_badBlockLengthPastTheEndInTheFooter() throws Exception {
    BlockHandle index = footer.index();
    rewriteFooter(
        new Footer(
            footer.filter(),
            footer.meta(),
            new BlockHandle(index.offset(), index.size() + 1_000_000),
            SstableFormat.FORMAT_VERSION));
    assertThat(expectCorruptionAtOpen()).hasMessageContaining("does not end at the footer");
  }

  @Test
  void open_negativeBlockLengthInTheFooter() throws Exception {
    rewriteFooter(
        new Footer(
            footer.filter(),
            new BlockHandle(footer.meta().offset(), -5),
            footer.index(),
            SstableFormat.FORMAT_VERSION));
    assertThat(expectCorruptionAtOpen()).hasMessageContaining("impossible offset or size");
  }

  @Test
  void open_emptyFile() throws Exception {
    truncate(0);
    CorruptionException e = expectCorruptionAtOpen();
    assertThat(e.offset()).isZero();
    assertThat(e).hasMessageContaining("file of 0 bytes is shorter than the 52-byte footer");
  }

  @Test
  void open_missingFile() throws Exception {
    Files.delete(path);
    assertThatThrownBy(() -> SstableReader.open(42, path, TableFixtures.FS, new BlockCache(0)))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("SSTable 42 is missing")
        .hasMessageContaining(path.toString())
        .hasCauseInstanceOf(NoSuchFileException.class);
  }

  /**
   * Random bytes of a data, index or meta block changed and the block's checksum recomputed, as a
   * writer bug or a crafted file would look: every outcome must be an answer or a corruption
   * report, never another exception. Answers may be wrong here (the checksum was forged), which is
   * why the writer checks what it writes and the iterator checks key order.
   */
  @ParameterizedTest
  @EnumSource(Compression.class)
  void getAndScan_forgedChecksumsNeverEscapeAsAnythingButCorruption(Compression compression)
      throws Exception {
    writeTable(compression);
    byte[] pristine = Files.readAllBytes(path);
    Rng rng = new Rng(SEED);
    BlockHandle[] targets = new BlockHandle[blockOffsets.length + 2];
    for (int i = 0; i < blockOffsets.length; i++) {
      targets[i] = new BlockHandle(blockOffsets[i], blockSizes[i]);
    }
    targets[blockOffsets.length] = footer.index();
    targets[blockOffsets.length + 1] = footer.meta();
    int corruptions = 0;
    for (int round = 0; round < 300; round++) {
      byte[] bytes = pristine.clone();
      BlockHandle target = targets[rng.nextInt(targets.length)];
      for (int n = rng.nextInt(1, 4); n > 0; n--) {
        int at = (int) target.offset() + rng.nextInt(target.size());
        bytes[at] =
            rng.nextBoolean() ? (byte) rng.nextLong() : (byte) (bytes[at] ^ (1 << rng.nextInt(8)));
      }
      forgeChecksum(bytes, target);
      Files.write(path, bytes);
      try (SstableReader reader = TableFixtures.open(path, new BlockCache(1 << 16))) {
        for (byte[] key : model.keySet()) {
          reader.get(InternalKey.userKey(key), InternalKey.sequence(key));
        }
        try (InternalIterator it = reader.iterator(false)) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            it.key();
            it.value();
          }
        }
      } catch (CorruptionException e) {
        assertThat(e.file()).isEqualTo(path);
        assertThat(e.offset()).isGreaterThanOrEqualTo(0);
        corruptions++;
      } catch (Exception | Error e) {
        fail("seed %d round %d: %s escaped as %s", SEED, round, target, e.toString(), e);
      }
    }
    System.out.printf(
        "forged checksums, %s: %d of 300 rounds reported corruption%n", compression, corruptions);
    // Most forged blocks still parse (a changed value byte is a valid value); some must not.
    assertThat(corruptions).as("seed %d", SEED).isGreaterThan(10);
  }

  private CorruptionException expectCorruptionAtOpen() {
    return expectCorruption(() -> TableFixtures.open(path, new BlockCache(0)).close());
  }

  private CorruptionException expectCorruption(ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(CorruptionException.class);
    CorruptionException e = (CorruptionException) thrown;
    assertThat(e.file()).isEqualTo(path);
    assertThat(e.getMessage()).contains(path.toString()).contains("at offset " + e.offset());
    assertThat(e.offset()).isGreaterThanOrEqualTo(0);
    return e;
  }

  private void truncate(long size) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  private void flipBit(long offset, int bit) throws IOException {
    byte[] one = new byte[1];
    try (FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.read(ByteBuffer.wrap(one), offset);
      one[0] ^= (byte) (1 << bit);
      channel.write(ByteBuffer.wrap(one), offset);
    }
  }

  private void write(long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), offset);
    }
  }

  private void rewriteFooter(Footer replacement) throws IOException {
    write(fileBytes - SstableFormat.FOOTER_BYTES, replacement.encode());
  }

  /** Replaces the index block (the last block) with one listing {@code sizes}, checksum valid. */
  private void rewriteIndex(int[] sizes) throws IOException {
    BlockBuilder builder = new BlockBuilder(1, 256);
    byte[] handle = new byte[20];
    for (int i = 0; i < sizes.length; i++) {
      int n = Varint.write(handle, 0, blockOffsets[i]);
      n = Varint.write(handle, n, sizes[i]);
      builder.add(separators[i], 0, separators[i].length, handle, 0, n);
    }
    BlockTest.CapturingOutput out = new BlockTest.CapturingOutput();
    int size =
        new BlockCodec(Compression.NONE)
            .write(builder.buffer(), builder.finish(), false, out.table);
    byte[] index = out.bytes();
    byte[] newFooter =
        new Footer(
                footer.filter(),
                footer.meta(),
                new BlockHandle(footer.index().offset(), size),
                SstableFormat.FORMAT_VERSION)
            .encode();
    byte[] head = Arrays.copyOf(Files.readAllBytes(path), (int) footer.index().offset());
    ByteBuffer file = ByteBuffer.allocate(head.length + index.length + newFooter.length);
    file.put(head).put(index).put(newFooter);
    Files.write(path, file.array());
    fileBytes = file.capacity();
  }

  private static void forgeChecksum(byte[] file, BlockHandle block) {
    int typeAt = (int) block.offset() + block.size();
    CRC32C crc = new CRC32C();
    crc.update(file, (int) block.offset(), block.size() + 1);
    FixedInts.putIntLe(file, typeAt + 1, (int) crc.getValue());
  }
}
