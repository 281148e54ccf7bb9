package io.ringkv.storage;

/**
 * The checks every engine applies to a write at its edge, before anything reaches a log or a
 * memtable, so that both engines accept and refuse exactly the same writes with the same messages
 * (STYLE.md §3: bad input is rejected naming the field, the value and the limit).
 *
 * <p>What is refused: a null key or cell; a key longer than {@code key_bytes_max}; a value whose
 * bytes plus its version blob's bytes exceed {@code value_bytes_max} (the version travels with the
 * value, so it counts against the same bound); a batch whose entries together exceed {@code
 * wal_segment_bytes}, because an atomic batch must fit in one log segment. {@link
 * EngineOptions#validate()} already guarantees that one maximal key and value fit in a segment.
 *
 * <p>Empty keys are allowed: the empty key is the smallest key of the unsigned lexicographic order
 * and is stored, read and scanned like any other.
 *
 * <p>Static helpers only; thread-safe.
 */
public final class WriteLimits {
  private WriteLimits() {}

  /**
   * Checks one write of {@code cell} under {@code key}.
   *
   * @throws StorageException naming the limit that the write exceeds
   */
  public static void check(byte[] key, Cell cell, EngineOptions options) throws StorageException {
    if (key == null) {
      throw new WriteRefusedException("key is null; a key is an array of 0 to key_bytes_max bytes");
    }
    if (cell == null) {
      throw new WriteRefusedException("cell is null; use Cell.tombstone to delete");
    }
    if (key.length > options.keyBytesMax()) {
      throw new WriteRefusedException(
          "key of " + key.length + " bytes exceeds key_bytes_max (" + options.keyBytesMax() + ")");
    }
    long valueBytes = valueBytes(cell);
    if (valueBytes > options.valueBytesMax()) {
      int versionBytes = cell.version().length;
      throw new WriteRefusedException(
          "value of "
              + valueBytes
              + " bytes"
              + (versionBytes > 0 ? " (with its " + versionBytes + "-byte version)" : "")
              + " exceeds value_bytes_max ("
              + options.valueBytesMax()
              + ")");
    }
  }

  /**
   * Checks every entry of {@code batch}, and the batch as a whole.
   *
   * @throws StorageException naming the entry and the limit it exceeds
   */
  public static void check(WriteBatch batch, EngineOptions options) throws StorageException {
    if (batch == null) {
      throw new WriteRefusedException("batch is null");
    }
    long batchBytes = 0;
    int index = 0;
    for (WriteBatch.Entry entry : batch.entries()) {
      try {
        check(entry.key(), entry.cell(), options);
      } catch (StorageException e) {
        throw new WriteRefusedException("batch entry " + index + ": " + e.getMessage());
      }
      batchBytes += entry.key().length + valueBytes(entry.cell());
      index++;
    }
    if (batchBytes > options.walSegmentBytes()) {
      throw new WriteRefusedException(
          "batch of "
              + batch.size()
              + " entries and "
              + batchBytes
              + " key and value bytes exceeds wal_segment_bytes ("
              + options.walSegmentBytes()
              + ")");
    }
  }

  /** The bytes a cell adds besides its key: its value (none for a tombstone) and version. */
  private static long valueBytes(Cell cell) {
    long bytes = cell.version().length;
    if (!cell.isTombstone()) {
      bytes += cell.value().length;
    }
    return bytes;
  }
}
