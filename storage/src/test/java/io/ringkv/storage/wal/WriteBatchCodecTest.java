package io.ringkv.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import io.ringkv.storage.fs.LocalFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBatchCodecTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0x5EED_BA7CL);
  private static final Path FILE = Path.of("000007.log");
  private static final long RECORD_OFFSET = 4242;

  /** A decoded entry, with the cell decoded back for comparison. */
  private record Decoded(long sequence, byte[] key, Cell cell) {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Decoded> decode(byte[] payload) throws Exception {
    List<Decoded> entries = new ArrayList<>();
    WriteBatchCodec.decode(
        payload,
        FILE,
        RECORD_OFFSET,
        (sequence, key, encodedCell) ->
            entries.add(new Decoded(sequence, key, CellCodec.decode(encodedCell))));
    return entries;
  }

  private static void assertDecodesTo(List<Decoded> decoded, long firstSequence, WriteBatch batch) {
    assertThat(decoded).hasSize(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      WriteBatch.Entry entry = batch.entries().get(i);
      assertThat(decoded.get(i).sequence()).isEqualTo(firstSequence + i);
      assertThat(decoded.get(i).key()).isEqualTo(entry.key());
      assertThat(decoded.get(i).cell()).isEqualTo(entry.cell());
    }
  }

  private static WriteBatch everyShape() {
    return new WriteBatch()
        .put(utf8("plain"), Cell.value(utf8("value"), 17))
        .delete(utf8("gone"), 18)
        .put(utf8("ttl"), Cell.value(utf8("soon"), 19).withExpiry(1_700_000_000_000L))
        .put(utf8("causal"), Cell.value(utf8("v"), 20).withVersion(new byte[] {1, 2, 3}))
        .put(utf8("causal-tombstone"), Cell.tombstone(21).withVersion(new byte[] {9}))
        .put(
            utf8("everything"),
            Cell.value(new byte[0], Long.MIN_VALUE)
                .withExpiry(Long.MAX_VALUE)
                .withVersion(new byte[200]))
        .put(utf8("empty"), Cell.value(new byte[0], 0))
        .put(new byte[] {0, (byte) 0xFF, 0, (byte) 0x80}, Cell.value(new byte[] {0, 0}, -1))
        .put(new byte[0], Cell.value(new byte[300], 22))
        .put(utf8("plain"), Cell.value(utf8("again"), 23));
  }

  @Test
  void roundTrip_everyCellShape() throws Exception {
    WriteBatch batch = everyShape();
    byte[] payload = WriteBatchCodec.encode(1234, batch);
    assertThat(payload).hasSize(WriteBatchCodec.encodedSize(batch));
    assertDecodesTo(decode(payload), 1234, batch);
  }

  @Test
  void encode_atAnOffsetReturnsTheEndOffset() throws Exception {
    WriteBatch batch = everyShape();
    int size = WriteBatchCodec.encodedSize(batch);
    byte[] out = new byte[size + 20];
    assertThat(WriteBatchCodec.encode(5, batch, out, 7)).isEqualTo(7 + size);
    assertThat(Arrays.copyOfRange(out, 7, 7 + size)).isEqualTo(WriteBatchCodec.encode(5, batch));
  }

  @Test
  void encode_layoutIsTheDocumentedOne() {
    byte[] payload =
        WriteBatchCodec.encode(
            0x0002030405060708L, new WriteBatch().put(utf8("k"), Cell.value(utf8("v"), 0x10)));
    String expected =
        "0002030405060708" // first sequence
            + "00000001" // count
            + "01"
            + "6b" // key length, key
            + "0a" // cell length
            + "00" // cell flags
            + "0000000000000010" // cell timestamp
            + "76"; // cell value
    assertThat(HexFormat.of().formatHex(payload)).isEqualTo(expected);
  }

  @Test
  void roundTrip_emptyBatch() throws Exception {
    byte[] payload = WriteBatchCodec.encode(9, new WriteBatch());
    assertThat(payload).hasSize(WriteBatchCodec.HEADER_BYTES);
    assertThat(decode(payload)).isEmpty();
  }

  @Test
  void roundTrip_randomBatches() throws Exception {
    Rng rng = new Rng(SEED);
    for (int round = 0; round < 300; round++) {
      WriteBatch batch = randomBatch(rng);
      long firstSequence = rng.nextLong(InternalKey.SEQUENCE_MAX - batch.size());
      byte[] payload = WriteBatchCodec.encode(firstSequence, batch);
      assertThat(payload)
          .as("seed %d round %d", SEED, round)
          .hasSize(WriteBatchCodec.encodedSize(batch));
      assertDecodesTo(decode(payload), firstSequence, batch);
    }
  }

  @Test
  void roundTrip_lastSequenceIsTheLargest() throws Exception {
    WriteBatch batch = everyShape();
    long first = InternalKey.SEQUENCE_MAX - batch.size() + 1;
    assertDecodesTo(decode(WriteBatchCodec.encode(first, batch)), first, batch);
  }

  @Test
  void encode_rejectsSequencesOutOfRange() {
    WriteBatch batch = everyShape();
    assertThatThrownBy(() -> WriteBatchCodec.encode(-1, batch))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> WriteBatchCodec.encode(InternalKey.SEQUENCE_MAX - batch.size() + 2, batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void writtenThroughTheLog_replaysToTheSameEntries(@TempDir Path dir) throws Exception {
    LocalFileSystem fs = new LocalFileSystem();
    Path log = dir.resolve("000001.log");
    Rng rng = new Rng(SEED);
    List<WriteBatch> batches = new ArrayList<>();
    List<Long> firstSequences = new ArrayList<>();
    long sequence = 1;
    try (LogWriter writer = new LogWriter(fs.create(log))) {
      for (int i = 0; i < 50; i++) {
        WriteBatch batch = randomBatch(rng);
        byte[] payload = WriteBatchCodec.encode(sequence, batch);
        writer.append(payload, 0, payload.length);
        batches.add(batch);
        firstSequences.add(sequence);
        sequence += batch.size();
      }
      writer.sync();
    }
    List<List<Decoded>> replayed = new ArrayList<>();
    LogReader.ReplayResult result =
        LogReader.replay(
            fs,
            log,
            true,
            false,
            (payload, offset) -> {
              List<Decoded> entries = new ArrayList<>();
              WriteBatchCodec.decode(
                  payload,
                  log,
                  offset,
                  (seq, key, cell) -> entries.add(new Decoded(seq, key, CellCodec.decode(cell))));
              replayed.add(entries);
            });
    assertThat(result.records()).isEqualTo(50);
    for (int i = 0; i < batches.size(); i++) {
      assertDecodesTo(replayed.get(i), firstSequences.get(i), batches.get(i));
    }
  }

  // Malformed payloads. Each has a matching record checksum (the writer's or the disk's fault is
  // not the question): the payload itself is wrong, and must be refused with file and offset.

  private static CorruptionException decodeFailure(byte[] payload) {
    List<Long> handed = new ArrayList<>();
    CorruptionException e =
        catchThrowableOfType(
            CorruptionException.class,
            () -> WriteBatchCodec.decode(payload, FILE, RECORD_OFFSET, (s, k, c) -> handed.add(s)));
    assertThat(e).as("decoding must fail").isNotNull();
    assertThat(e.file()).isEqualTo(FILE);
    assertThat(e.offset()).isEqualTo(RECORD_OFFSET);
    assertThat(handed).as("entries handed over before the failure").isEmpty();
    return e;
  }

  private static byte[] threeEntries() {
    return WriteBatchCodec.encode(
        100,
        new WriteBatch()
            .put(utf8("a"), Cell.value(utf8("1"), 1))
            .put(utf8("b"), Cell.value(utf8("2"), 2))
            .put(utf8("c"), Cell.value(utf8("3"), 3)));
  }

  private static void setCount(byte[] payload, int count) {
    LogWriter.writeInt(payload, 8, count);
  }

  @Test
  void decode_countAboveTheEntriesIsCorruption() {
    // Values long enough that a fourth entry could fit, so the walk itself finds it missing.
    byte[] payload =
        WriteBatchCodec.encode(
            100,
            new WriteBatch()
                .put(utf8("a"), Cell.value(new byte[30], 1))
                .put(utf8("b"), Cell.value(new byte[30], 2))
                .put(utf8("c"), Cell.value(new byte[30], 3)));
    setCount(payload, 4);
    assertThat(decodeFailure(payload)).hasMessageContaining("entry 3 of 4");
  }

  @Test
  void decode_countBelowTheEntriesIsCorruption() {
    byte[] payload = threeEntries();
    setCount(payload, 2);
    assertThat(decodeFailure(payload)).hasMessageContaining("trailing bytes");
  }

  @Test
  void decode_hugeCountIsCorruptionNotAnAllocation() {
    byte[] payload = threeEntries();
    setCount(payload, -1);
    assertThat(decodeFailure(payload)).hasMessageContaining("cannot fit");
  }

  @Test
  void decode_trailingBytesAreCorruption() {
    byte[] payload = Arrays.copyOf(threeEntries(), threeEntries().length + 1);
    assertThat(decodeFailure(payload)).hasMessageContaining("1 trailing bytes");
  }

  @Test
  void decode_keyLengthPastTheEndIsCorruption() {
    byte[] payload = threeEntries();
    payload[WriteBatchCodec.HEADER_BYTES] = 120; // first key's length
    assertThat(decodeFailure(payload)).hasMessageContaining("key of 120 bytes runs past the end");
  }

  @Test
  void decode_cellLengthPastTheEndIsCorruption() {
    byte[] payload = threeEntries();
    int lastCellLength = payload.length - 1 - (CellCodec.FIXED_BYTES + 1);
    payload[lastCellLength] = (byte) (CellCodec.FIXED_BYTES + 2);
    assertThat(decodeFailure(payload))
        .hasMessageContaining("entry 2 of 3")
        .hasMessageContaining("cell of 11 bytes runs past the end");
  }

  @Test
  void decode_malformedVarintIsCorruption() {
    byte[] payload = threeEntries();
    byte[] bad = new byte[WriteBatchCodec.HEADER_BYTES + 11];
    System.arraycopy(payload, 0, bad, 0, WriteBatchCodec.HEADER_BYTES);
    setCount(bad, 1);
    Arrays.fill(bad, WriteBatchCodec.HEADER_BYTES, bad.length, (byte) 0x80);
    assertThat(decodeFailure(bad)).hasMessageContaining("key length is malformed");
  }

  @Test
  void decode_invalidCellIsCorruption() {
    byte[] payload = threeEntries();
    int lastCellFlags = payload.length - 1 - CellCodec.FIXED_BYTES;
    payload[lastCellFlags] = (byte) 0x40;
    assertThat(decodeFailure(payload))
        .hasMessageContaining("entry 2 of 3")
        .hasMessageContaining("unknown flags 0x40");
  }

  @Test
  void decode_shortHeaderIsCorruption() {
    assertThat(decodeFailure(new byte[11])).hasMessageContaining("shorter than its 12-byte header");
  }

  @Test
  void decode_sequenceOutOfRangeIsCorruption() {
    byte[] payload = threeEntries();
    long first = InternalKey.SEQUENCE_MAX - 1; // three entries would pass the largest sequence
    for (int i = 0; i < 8; i++) {
      payload[i] = (byte) (first >>> (56 - 8 * i));
    }
    assertThat(decodeFailure(payload)).hasMessageContaining("passes the largest sequence");
    payload[0] = (byte) 0x80;
    assertThat(decodeFailure(payload)).hasMessageContaining("out of range");
  }

  /**
   * The batch codec checks cells in place instead of calling CellCodec.decode; the two must agree
   * on every input, valid or not. Encoded cells are mutated (bytes changed, cut, extended) and both
   * are asked.
   */
  @Test
  void cellProblem_agreesWithCellCodec() {
    Rng rng = new Rng(SEED);
    int rejected = 0;
    for (int round = 0; round < 20_000; round++) {
      byte[] cell = CellCodec.encode(randomCell(rng));
      switch (rng.nextInt(4)) {
        case 0 -> cell[rng.nextInt(cell.length)] = (byte) rng.nextLong();
        case 1 -> cell = Arrays.copyOf(cell, rng.nextInt(cell.length));
        case 2 -> cell = Arrays.copyOf(cell, cell.length + 1 + rng.nextInt(4));
        default -> cell[0] = (byte) rng.nextInt(8); // any combination of known flags
      }
      boolean codecAccepts;
      try {
        CellCodec.decode(cell, 0, cell.length);
        codecAccepts = true;
      } catch (IllegalArgumentException e) {
        codecAccepts = false;
      }
      String problem = WriteBatchCodec.cellProblem(cell, 0, cell.length);
      assertThat(problem == null)
          .as("seed %d round %d cell %s: %s", SEED, round, Arrays.toString(cell), problem)
          .isEqualTo(codecAccepts);
      if (!codecAccepts) {
        rejected++;
      }
    }
    assertThat(rejected).as("the mutations reach the rejecting paths").isGreaterThan(1_000);
  }

  private static WriteBatch randomBatch(Rng rng) {
    WriteBatch batch = new WriteBatch();
    int size = rng.nextInt(20);
    for (int i = 0; i < size; i++) {
      byte[] key = new byte[rng.nextInt(rng.chance(0.1) ? 300 : 20)];
      rng.nextBytes(key);
      batch.put(key, randomCell(rng));
    }
    return batch;
  }

  private static Cell randomCell(Rng rng) {
    Cell cell;
    if (rng.chance(0.2)) {
      cell = Cell.tombstone(rng.nextLong());
    } else {
      byte[] value = new byte[rng.chance(0.05) ? rng.nextInt(5_000) : rng.nextInt(40)];
      rng.nextBytes(value);
      cell = Cell.value(value, rng.nextLong());
    }
    if (rng.chance(0.3)) {
      cell = cell.withExpiry(1 + rng.nextLong(Long.MAX_VALUE - 1));
    }
    if (rng.chance(0.3)) {
      byte[] version = new byte[1 + rng.nextInt(rng.chance(0.1) ? 200 : 10)];
      rng.nextBytes(version);
      cell = cell.withVersion(version);
    }
    return cell;
  }

  @Test
  void encodedSize_countsVarintsOfLongLengths() {
    byte[] key = new byte[200]; // a two-byte varint
    WriteBatch batch = new WriteBatch().put(key, Cell.value(new byte[20_000], 1));
    int cellSize = CellCodec.FIXED_BYTES + 20_000;
    assertThat(WriteBatchCodec.encodedSize(batch))
        .isEqualTo(WriteBatchCodec.HEADER_BYTES + 2 + 200 + Varint.size(cellSize) + cellSize);
  }

  @Test
  void decode_readsEntriesOfAnotherWriter() throws Exception {
    // Bytes laid out by hand, not by encode: a tombstone with expiry and version.
    byte[] payload =
        HexFormat.of()
            .parseHex(
                "000000000000002a" // first sequence 42
                    + "00000001" // count
                    + "02"
                    + "6869" // key "hi"
                    + "13" // cell length 19
                    + "07" // flags: tombstone, expiry, version
                    + "0000000000000005" // timestamp
                    + "0000000000000009" // expiry
                    + "01"
                    + "78"); // version "x"
    assertThat(decode(payload))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.sequence()).isEqualTo(42);
              assertThat(d.key()).isEqualTo(utf8("hi"));
              assertThat(d.cell())
                  .isEqualTo(Cell.tombstone(5).withExpiry(9).withVersion(utf8("x")));
            });
  }

  @Test
  void encodeSingle_isTheEncodingOfABatchOfOne() {
    byte[][] keys = {new byte[0], "k".getBytes(StandardCharsets.UTF_8), new byte[300]};
    Cell[] cells = {
      Cell.value("v".getBytes(StandardCharsets.UTF_8), 7),
      Cell.value(new byte[200], 9).withExpiry(1_000),
      Cell.tombstone(11).stampDeletionTime(5)
    };
    for (byte[] key : keys) {
      for (Cell cell : cells) {
        WriteBatch batch = new WriteBatch().put(key, cell);
        assertThat(WriteBatchCodec.encodeSingle(42, key, CellCodec.encode(cell)))
            .isEqualTo(WriteBatchCodec.encode(42, batch));
      }
    }
  }
}
