package io.ringkv.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ringkv.common.Rng;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One named test per corruption shape, as LevelDB's log_test.cc: each writes a small log with the
 * real writer on the real file system, damages it with plain java.nio, and replays.
 */
class LogReaderTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0x5EED_1067L);

  @TempDir Path dir;
  private final LocalFileSystem fs = new LocalFileSystem();
  private Path log;

  @BeforeEach
  void setUp() {
    log = dir.resolve("000001.log");
  }

  /** What a replay delivered, and where. */
  private record Replayed(
      List<byte[]> payloads, List<Long> offsets, LogReader.ReplayResult result) {}

  /** Writes {@code payloads} as records; returns each record's offset, then the file size. */
  private long[] write(List<byte[]> payloads) throws IOException {
    long[] offsets = new long[payloads.size() + 1];
    try (LogWriter writer = new LogWriter(fs.create(log))) {
      for (int i = 0; i < payloads.size(); i++) {
        offsets[i] = writer.bytesWritten() + writer.pendingBytes();
        byte[] payload = payloads.get(i);
        writer.append(payload, 0, payload.length);
      }
      writer.sync();
      offsets[payloads.size()] = writer.bytesWritten();
    }
    return offsets;
  }

  private static List<byte[]> payloads(int count, int size) {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[size];
      Arrays.fill(payload, (byte) ('a' + i));
      payloads.add(payload);
    }
    return payloads;
  }

  private Replayed replay(boolean lastSegment, boolean salvage) throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    LogReader.ReplayResult result =
        LogReader.replay(
            fs,
            log,
            lastSegment,
            salvage,
            (payload, offset) -> {
              payloads.add(payload);
              offsets.add(offset);
            });
    assertThat(result.records()).isEqualTo(payloads.size());
    assertThat(result.validBytes() + result.droppedBytes()).isEqualTo(Files.size(log));
    return new Replayed(payloads, offsets, result);
  }

  private void overwrite(long position, byte... bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), position);
    }
  }

  private void flipByte(long position) throws IOException {
    byte[] all = Files.readAllBytes(log);
    overwrite(position, (byte) (all[(int) position] ^ 0x40));
  }

  private void truncate(long size) throws IOException {
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  private void appendBytes(byte[] bytes) throws IOException {
    Files.write(log, bytes, StandardOpenOption.APPEND);
  }

  private static void assertPayloads(List<byte[]> actual, List<byte[]> expected) {
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("record %d", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void roundTrip_manyRecordsOfRandomSizes() throws IOException {
    Rng rng = new Rng(SEED);
    List<byte[]> written = new ArrayList<>();
    long[] offsets = new long[400];
    try (LogWriter writer = new LogWriter(fs.create(log))) {
      for (int i = 0; i < offsets.length; i++) {
        // Mostly small records, some up to 1 MiB (larger than the reader's window), the extremes
        // included; flushed in groups of random size.
        int size =
            switch (i) {
              case 0 -> 0;
              case 1 -> 1 << 20;
              default -> rng.chance(0.03) ? rng.nextInt(1 << 20) + 1 : rng.nextInt(2_000);
            };
        byte[] payload = new byte[size];
        rng.nextBytes(payload);
        written.add(payload);
        offsets[i] = writer.bytesWritten() + writer.pendingBytes();
        writer.append(payload, 0, size);
        if (rng.chance(0.1)) {
          writer.flush();
        }
      }
    }
    Replayed replayed = replay(true, false);
    assertThat(replayed.payloads()).as("seed %d", SEED).hasSize(written.size());
    for (int i = 0; i < written.size(); i++) {
      assertThat(replayed.payloads().get(i))
          .as("seed %d record %d", SEED, i)
          .isEqualTo(written.get(i));
      assertThat(replayed.offsets().get(i)).as("seed %d record %d", SEED, i).isEqualTo(offsets[i]);
    }
    assertThat(replayed.result())
        .isEqualTo(
            new LogReader.ReplayResult(written.size(), Files.size(log), 0, false, List.of()));
  }

  @Test
  void emptyFile_hasNoRecords() throws IOException {
    Files.createFile(log);
    assertThat(replay(true, false).result())
        .isEqualTo(new LogReader.ReplayResult(0, 0, 0, false, List.of()));
    assertThat(replay(false, false).result().records()).isZero();
  }

  @Test
  void missingFile_surfacesNoSuchFileException() {
    assertThatThrownBy(() -> replay(true, false)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void truncatedTail_isDroppedAndReported() throws IOException {
    List<byte[]> payloads = payloads(3, 20);
    long[] offsets = write(payloads);
    // Every cut inside the last record, in its header or its payload, is a torn tail.
    for (long cut = offsets[2] + 1; cut < offsets[3]; cut++) {
      write(payloads);
      truncate(cut);
      Replayed replayed = replay(true, false);
      assertPayloads(replayed.payloads(), payloads.subList(0, 2));
      assertThat(replayed.result().validBytes()).as("cut at %d", cut).isEqualTo(offsets[2]);
      assertThat(replayed.result().droppedBytes()).isEqualTo(cut - offsets[2]);
      assertThat(replayed.result().tornTail()).isTrue();
    }
  }

  @Test
  void truncatedAtARecordBoundary_isACleanEnd() throws IOException {
    List<byte[]> payloads = payloads(3, 20);
    long[] offsets = write(payloads);
    truncate(offsets[2]);
    assertThat(replay(true, false).result())
        .isEqualTo(new LogReader.ReplayResult(2, offsets[2], 0, false, List.of()));
  }

  @Test
  void partialLastRecord_isIgnored() throws IOException {
    List<byte[]> payloads = payloads(2, 1000);
    long[] offsets = write(payloads);
    truncate(offsets[1] + LogFormat.HEADER_BYTES + 500);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads.subList(0, 1));
    assertThat(replayed.result())
        .isEqualTo(
            new LogReader.ReplayResult(
                1, offsets[1], LogFormat.HEADER_BYTES + 500, true, List.of()));
  }

  @Test
  void partialHeader_isIgnored() throws IOException {
    List<byte[]> payloads = payloads(2, 10);
    long[] offsets = write(payloads);
    truncate(offsets[1] + 5);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads.subList(0, 1));
    assertThat(replayed.result())
        .isEqualTo(new LogReader.ReplayResult(1, offsets[1], 5, true, List.of()));
  }

  @Test
  void checksumMismatchInLastRecord_isTornTail() throws IOException {
    List<byte[]> payloads = payloads(3, 100);
    long[] offsets = write(payloads);
    flipByte(offsets[2] + LogFormat.HEADER_BYTES + 50);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads.subList(0, 2));
    assertThat(replayed.result())
        .isEqualTo(
            new LogReader.ReplayResult(2, offsets[2], offsets[3] - offsets[2], true, List.of()));
  }

  @Test
  void checksumMismatchInMiddle_refusesWithFileAndOffset() throws IOException {
    List<byte[]> payloads = payloads(3, 100);
    long[] offsets = write(payloads);
    flipByte(offsets[1] + LogFormat.HEADER_BYTES + 50);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.file()).isEqualTo(log);
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(e.getMessage())
        .contains("checksum mismatch")
        .contains("valid record follows at offset " + offsets[2])
        .contains("open with salvage to drop the damaged bytes");
  }

  @Test
  void checksumMismatchInMiddle_salvageSkipsIt() throws IOException {
    List<byte[]> payloads = payloads(4, 100);
    long[] offsets = write(payloads);
    flipByte(offsets[1] + 2); // in the stored checksum itself
    Replayed replayed = replay(true, true);
    assertPayloads(replayed.payloads(), List.of(payloads.get(0), payloads.get(2), payloads.get(3)));
    assertThat(replayed.offsets()).containsExactly(offsets[0], offsets[2], offsets[3]);
    LogReader.ReplayResult result = replayed.result();
    assertThat(result.validBytes()).isEqualTo(offsets[4]);
    assertThat(result.droppedBytes()).isZero();
    assertThat(result.tornTail()).isFalse();
    assertThat(result.salvaged()).hasSize(1);
    assertThat(result.salvaged().get(0))
        .startsWith(log + " at offset " + offsets[1] + ": checksum mismatch")
        .contains("skipped " + (offsets[2] - offsets[1]) + " bytes");
  }

  @Test
  void salvage_skipsSeveralDamagesAndStillCutsATornTail() throws IOException {
    List<byte[]> payloads = payloads(6, 30);
    long[] offsets = write(payloads);
    flipByte(offsets[1] + LogFormat.HEADER_BYTES);
    flipByte(offsets[3] + LogFormat.TYPE_OFFSET);
    truncate(offsets[5] + 7);
    Replayed replayed = replay(true, true);
    assertPayloads(replayed.payloads(), List.of(payloads.get(0), payloads.get(2), payloads.get(4)));
    assertThat(replayed.result().salvaged()).hasSize(2);
    assertThat(replayed.result().tornTail()).isTrue();
    assertThat(replayed.result().validBytes()).isEqualTo(offsets[5]);
  }

  @Test
  void badLength_inMiddleRefuses() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    // A length above RECORD_BYTES_MAX.
    overwrite(offsets[1] + LogFormat.LENGTH_OFFSET, (byte) 0x7F, (byte) 0, (byte) 0, (byte) 0);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(e.getMessage()).contains("exceeds the maximum");
  }

  @Test
  void badLength_pastTheEndOfTheFileInMiddleRefuses() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    overwrite(offsets[1] + LogFormat.LENGTH_OFFSET, (byte) 0, (byte) 0, (byte) 1, (byte) 0);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(e.getMessage()).contains("runs past the end of the file");
  }

  @Test
  void badLength_inLastRecordIsTornTail() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    overwrite(
        offsets[2] + LogFormat.LENGTH_OFFSET, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads.subList(0, 2));
    assertThat(replayed.result().tornTail()).isTrue();
    assertThat(replayed.result().validBytes()).isEqualTo(offsets[2]);
  }

  @Test
  void badLength_shorterButSaneInMiddleRefuses() throws IOException {
    // A length that still fits makes the checksum fail and points into the record's payload.
    List<byte[]> payloads = payloads(3, 40);
    long[] offsets = write(payloads);
    overwrite(offsets[1] + LogFormat.LENGTH_OFFSET, (byte) 0, (byte) 0, (byte) 0, (byte) 8);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(replay(true, true).payloads()).hasSize(2);
  }

  @Test
  void badType_inMiddleRefuses() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    overwrite(offsets[1] + LogFormat.TYPE_OFFSET, (byte) 7);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(e.getMessage()).contains("unknown record type 7");
  }

  @Test
  void badType_inLastRecordIsTornTail() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    overwrite(offsets[2] + LogFormat.TYPE_OFFSET, (byte) 2);
    Replayed replayed = replay(true, false);
    assertThat(replayed.result())
        .isEqualTo(
            new LogReader.ReplayResult(2, offsets[2], offsets[3] - offsets[2], true, List.of()));
  }

  @Test
  void zeroedTail_isCleanEnd() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    appendBytes(new byte[3 * LogReader.READ_CHUNK_BYTES + 17]); // spans several read windows
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads);
    assertThat(replayed.result())
        .isEqualTo(
            new LogReader.ReplayResult(
                3, offsets[3], 3 * LogReader.READ_CHUNK_BYTES + 17, false, List.of()));
    // Preallocated space is no damage in a sealed segment either.
    assertThat(replay(false, false).result().tornTail()).isFalse();
  }

  @Test
  void zeroedTail_ofAnEmptyLogIsCleanEnd() throws IOException {
    Files.write(log, new byte[4096]);
    assertThat(replay(true, false).result())
        .isEqualTo(new LogReader.ReplayResult(0, 0, 4096, false, List.of()));
  }

  @Test
  void zeroedTailEndingInGarbage_isTornTail() throws IOException {
    List<byte[]> payloads = payloads(2, 10);
    long[] offsets = write(payloads);
    byte[] tail = new byte[100];
    tail[99] = 1;
    appendBytes(tail);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads);
    assertThat(replayed.result())
        .isEqualTo(new LogReader.ReplayResult(2, offsets[2], 100, true, List.of()));
  }

  @Test
  void zeroedRegionInMiddle_isDamage() throws IOException {
    List<byte[]> payloads = payloads(3, 50);
    long[] offsets = write(payloads);
    overwrite(offsets[1], new byte[(int) (offsets[2] - offsets[1])]);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    assertThat(e.getMessage()).contains("zeroed bytes where a record was expected");
    Replayed salvaged = replay(true, true);
    assertPayloads(salvaged.payloads(), List.of(payloads.get(0), payloads.get(2)));
    assertThat(salvaged.result().salvaged()).hasSize(1);
  }

  @Test
  void garbageTail_isTornTail() throws IOException {
    List<byte[]> payloads = payloads(2, 10);
    long[] offsets = write(payloads);
    byte[] garbage = new byte[10_000];
    new Rng(SEED).nextBytes(garbage);
    appendBytes(garbage);
    Replayed replayed = replay(true, false);
    assertPayloads(replayed.payloads(), payloads);
    assertThat(replayed.result())
        .as("seed %d", SEED)
        .isEqualTo(new LogReader.ReplayResult(2, offsets[2], 10_000, true, List.of()));
  }

  @Test
  void damageInNonLastSegment_refuses() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    // The very damage that would be a torn tail in the last segment.
    truncate(offsets[3] - 1);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(false, false));
    assertThat(e.file()).isEqualTo(log);
    assertThat(e.offset()).isEqualTo(offsets[2]);
    assertThat(e.getMessage())
        .contains("not the last segment")
        .contains("open with salvage to drop the damaged bytes");
  }

  @Test
  void damageInNonLastSegment_salvageDropsTheRest() throws IOException {
    List<byte[]> payloads = payloads(3, 10);
    long[] offsets = write(payloads);
    flipByte(offsets[2] + LogFormat.HEADER_BYTES);
    Replayed replayed = replay(false, true);
    assertPayloads(replayed.payloads(), payloads.subList(0, 2));
    LogReader.ReplayResult result = replayed.result();
    assertThat(result.tornTail()).isFalse();
    assertThat(result.validBytes()).isEqualTo(offsets[2]);
    assertThat(result.droppedBytes()).isEqualTo(offsets[3] - offsets[2]);
    assertThat(result.salvaged())
        .singleElement()
        .asString()
        .startsWith(log + " at offset " + offsets[2]);
  }

  @Test
  void checksumMismatchInLargeRecord_isDetected() throws IOException {
    // Records larger than the read window take the direct-read path.
    List<byte[]> payloads = payloads(3, LogReader.READ_CHUNK_BYTES + 1000);
    long[] offsets = write(payloads);
    flipByte(offsets[1] + LogFormat.HEADER_BYTES + LogReader.READ_CHUNK_BYTES);
    CorruptionException e =
        catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
    assertThat(e.offset()).isEqualTo(offsets[1]);
    Replayed salvaged = replay(true, true);
    assertPayloads(salvaged.payloads(), List.of(payloads.get(0), payloads.get(2)));
  }

  @Test
  void handlerException_propagates() throws IOException {
    write(payloads(3, 10));
    assertThatThrownBy(
            () ->
                LogReader.replay(
                    fs,
                    log,
                    true,
                    false,
                    (payload, offset) -> {
                      throw new StorageException("handler refused record at " + offset);
                    }))
        .isInstanceOf(StorageException.class)
        .hasMessage("handler refused record at 0");
  }

  /**
   * Property: one flipped byte anywhere in a log damages exactly the record holding it. In the last
   * segment that is a torn tail if it is the last record, else middle damage refused at that
   * record's offset; salvage delivers every other record.
   */
  @Test
  void anySingleByteFlip_isClassifiedByTheRecordItHits() throws IOException {
    Rng rng = new Rng(SEED);
    for (int round = 0; round < 200; round++) {
      List<byte[]> payloads = new ArrayList<>();
      int count = rng.nextInt(1, 12);
      for (int i = 0; i < count; i++) {
        byte[] payload = new byte[rng.nextInt(300)];
        rng.nextBytes(payload);
        payloads.add(payload);
      }
      long[] offsets = write(payloads);
      long position = rng.nextLong(offsets[count]);
      byte[] all = Files.readAllBytes(log);
      overwrite(position, (byte) (all[(int) position] ^ (1 + rng.nextInt(255))));
      int hit = 0;
      while (offsets[hit + 1] <= position) {
        hit++;
      }
      String context =
          "seed " + SEED + " round " + round + " flip at " + position + " in record " + hit;
      List<byte[]> others = new ArrayList<>(payloads);
      others.remove(hit);
      if (hit == count - 1) {
        Replayed replayed = replay(true, false);
        assertThat(replayed.payloads()).as(context).hasSize(count - 1);
        assertThat(replayed.result().tornTail()).as(context).isTrue();
        assertThat(replayed.result().validBytes()).as(context).isEqualTo(offsets[hit]);
      } else {
        CorruptionException e =
            catchThrowableOfType(CorruptionException.class, () -> replay(true, false));
        assertThat(e).as(context).isNotNull();
        assertThat(e.offset()).as(context).isEqualTo(offsets[hit]);
        Replayed salvaged = replay(true, true);
        assertThat(salvaged.payloads()).as(context).hasSize(count - 1);
        for (int i = 0; i < others.size(); i++) {
          assertThat(salvaged.payloads().get(i)).as(context).isEqualTo(others.get(i));
        }
        assertThat(salvaged.result().salvaged()).as(context).hasSize(1);
      }
    }
  }
}
