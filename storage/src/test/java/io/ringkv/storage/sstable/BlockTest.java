package io.ringkv.storage.sstable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.format.InternalKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Block contents (prefix compression, restarts, cursor) and stored blocks (trailer, LZ4). */
class BlockTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0xB10C);

  @Test
  void cursor_seekAndScanMatchModel_forEveryRestartInterval() {
    for (int interval : new int[] {1, 2, 3, 16, 1000}) {
      Rng rng = new Rng(SEED + interval);
      TreeMap<byte[], byte[]> model = new TreeMap<>(InternalKey::compare);
      while (model.size() < 300) {
        byte[] user = new byte[rng.nextInt(0, 6)];
        for (int i = 0; i < user.length; i++) {
          user[i] = (byte) new int[] {0x00, 0x01, 0x7F, 0x80, 0xFF}[rng.nextInt(5)];
        }
        byte[] value = new byte[rng.nextInt(0, 40)];
        rng.nextBytes(value);
        model.put(InternalKey.encode(user, rng.nextInt(0, 1000), rng.nextInt(2)), value);
      }
      BlockBuilder builder = new BlockBuilder(interval, 16);
      model.forEach((k, v) -> builder.add(k, 0, k.length, v, 0, v.length));
      int length = builder.finish();
      Block block = Block.parse(builder.buffer(), length);
      assertThat(block.restartCount()).isEqualTo((model.size() + interval - 1) / interval);

      BlockCursor cursor = new BlockCursor();
      cursor.reset(block);
      cursor.seekToFirst();
      List<byte[]> keys = new ArrayList<>(model.keySet());
      for (byte[] expected : keys) {
        assertThat(cursor.isValid()).isTrue();
        assertThat(cursor.copyKey()).isEqualTo(expected);
        assertThat(cursor.copyValue()).isEqualTo(model.get(expected));
        cursor.next();
      }
      assertThat(cursor.isValid()).isFalse();

      for (int i = 0; i < 500; i++) {
        byte[] target =
            rng.nextBoolean()
                ? keys.get(rng.nextInt(keys.size()))
                : InternalKey.encode(
                    Arrays.copyOf(keys.get(rng.nextInt(keys.size())), rng.nextInt(0, 6)),
                    rng.nextInt(0, 1100),
                    rng.nextInt(256));
        byte[] expected = model.ceilingKey(target);
        boolean found =
            cursor.seek(
                target, target.length - InternalKey.TRAILER_BYTES, InternalKey.trailer(target));
        assertThat(found).as("seed %d interval %d", SEED, interval).isEqualTo(expected != null);
        if (found) {
          assertThat(cursor.copyKey())
              .as("seed %d interval %d", SEED, interval)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void parse_restartCountPastBlock_isRejected() {
    byte[] block = oneEntryBlock();
    FixedInts.putIntLe(block, block.length - 4, 1_000_000);
    assertThatThrownBy(() -> Block.parse(block, block.length))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("restart count 1000000");
  }

  @Test
  void parse_restartOffsetOutsideEntries_isRejected() {
    byte[] block = oneEntryBlock();
    FixedInts.putIntLe(block, block.length - 8, 7);
    assertThatThrownBy(() -> Block.parse(block, block.length))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("restart 0 at 7");
  }

  @Test
  void cursor_keyLengthPastEntries_isCorruptionNotIndexError() {
    byte[] block = oneEntryBlock();
    block[1] = 100; // unshared length far beyond the 8-byte key
    Block parsed = Block.parse(block, block.length);
    BlockCursor cursor = new BlockCursor();
    cursor.reset(parsed);
    assertThatThrownBy(cursor::seekToFirst)
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("runs past the entries region");
  }

  @Test
  void cursor_sharedAtRestart_isCorruption() {
    byte[] block = oneEntryBlock();
    block[0] = 1;
    Block parsed = Block.parse(block, block.length);
    BlockCursor cursor = new BlockCursor();
    cursor.reset(parsed);
    assertThatThrownBy(cursor::seekToFirst)
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("shares 1 bytes");
  }

  @Test
  void codec_roundTripsWithAndWithoutLz4_andCompressesOnlyWhenWorthIt() throws Exception {
    byte[] compressible = new byte[4000];
    for (int i = 0; i < compressible.length; i++) {
      compressible[i] = (byte) (i % 7);
    }
    byte[] random = new byte[4000];
    new Rng(SEED).nextBytes(random);
    for (Compression compression : Compression.values()) {
      for (byte[] contents : List.of(compressible, random)) {
        CapturingOutput out = new CapturingOutput();
        int storedSize =
            new BlockCodec(compression).write(contents, contents.length, true, out.table);
        byte[] stored = out.bytes();
        assertThat(stored).hasSize(storedSize + SstableFormat.BLOCK_TRAILER_BYTES);
        boolean expectCompressed = compression == Compression.LZ4 && contents == compressible;
        assertThat(stored[storedSize])
            .isEqualTo(
                expectCompressed ? SstableFormat.COMPRESSION_LZ4 : SstableFormat.COMPRESSION_NONE);
        BlockContents decoded = BlockCodec.decode(stored, storedSize);
        assertThat(Arrays.copyOf(decoded.bytes(), decoded.length())).isEqualTo(contents);
      }
    }
  }

  @Test
  void codec_flippedBit_isChecksumMismatch() throws Exception {
    CapturingOutput out = new CapturingOutput();
    byte[] contents = oneEntryBlock();
    int storedSize =
        new BlockCodec(Compression.NONE).write(contents, contents.length, true, out.table);
    byte[] stored = out.bytes();
    stored[3] ^= 0x10;
    assertThatThrownBy(() -> BlockCodec.decode(stored, storedSize))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void codec_lz4LengthBeyondRatio_isRejectedBeforeAllocating() {
    // A stored LZ4 block claiming 2^30 uncompressed bytes from 3 compressed bytes, with a valid
    // CRC.
    byte[] stored = new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04, 0, 0, 0};
    int storedSize = 8;
    byte[] withTrailer = Arrays.copyOf(stored, storedSize + SstableFormat.BLOCK_TRAILER_BYTES);
    withTrailer[storedSize] = SstableFormat.COMPRESSION_LZ4;
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(withTrailer, 0, storedSize + 1);
    FixedInts.putIntLe(withTrailer, storedSize + 1, (int) crc.getValue());
    assertThatThrownBy(() -> BlockCodec.decode(withTrailer, storedSize))
        .isInstanceOf(BlockFormatException.class)
        .hasMessageContaining("claims 1073741824 uncompressed bytes");
  }

  /** A block holding one entry with an 8-byte key and a 2-byte value. */
  private static byte[] oneEntryBlock() {
    BlockBuilder builder = new BlockBuilder(16, 64);
    byte[] key = InternalKey.encode(new byte[0], 5, InternalKey.KIND_VALUE);
    builder.add(key, 0, key.length, new byte[] {1, 2}, 0, 2);
    int length = builder.finish();
    return Arrays.copyOf(builder.buffer(), length);
  }

  /** A {@link TableOutput} over an in-memory file. */
  static final class CapturingOutput {
    final java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    final TableOutput table =
        new TableOutput(
            new io.ringkv.storage.fs.WritableFile() {
              @Override
              public void write(java.nio.ByteBuffer source) {
                while (source.hasRemaining()) {
                  sink.write(source.get());
                }
              }

              @Override
              public void sync() {}

              @Override
              public long size() {
                return sink.size();
              }

              @Override
              public void close() {}
            });

    byte[] bytes() throws java.io.IOException {
      table.flush();
      return sink.toByteArray();
    }
  }
}
