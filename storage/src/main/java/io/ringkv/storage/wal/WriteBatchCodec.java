package io.ringkv.storage.wal;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of one WAL record: a write batch (docs/format/wal.md, "Write-ahead log payload").
 *
 * <pre>
 * firstSequence  8 bytes  big-endian; entry i has sequence firstSequence + i
 * count          4 bytes  big-endian
 * entry{count}   varint key length, key, varint cell length, cell (CellCodec)
 * </pre>
 *
 * <p>Decoding checks the whole payload before it hands over the first entry, so a malformed batch
 * is never applied in part; cells are checked in place against CellCodec's rules, without building
 * a {@link Cell}, because replay hands the memtable the encoded bytes. Static helpers only;
 * thread-safe.
 */
public final class WriteBatchCodec {
  /** Bytes of the batch header: first sequence and entry count. */
  public static final int HEADER_BYTES = 8 + 4;

  /** The smallest entry: one-byte key length, empty key, one-byte cell length, a bare cell. */
  static final int ENTRY_BYTES_MIN = 1 + 1 + CellCodec.FIXED_BYTES;

  private static final int CELL_FLAGS_KNOWN =
      CellCodec.FLAG_TOMBSTONE | CellCodec.FLAG_EXPIRY | CellCodec.FLAG_VERSION;

  /** Receives each entry of a decoded batch; the arrays are the handler's to keep. */
  public interface EntryHandler {
    void accept(long sequence, byte[] key, byte[] encodedCell) throws StorageException;
  }

  private WriteBatchCodec() {}

  /** Bytes {@code batch} takes encoded. */
  public static int encodedSize(WriteBatch batch) {
    List<WriteBatch.Entry> entries = batch.entries();
    long size = HEADER_BYTES;
    for (int i = 0, n = entries.size(); i < n; i++) {
      WriteBatch.Entry entry = entries.get(i);
      int keyLength = entry.key().length;
      int cellLength = CellCodec.encodedSize(entry.cell());
      size += Varint.size(keyLength) + keyLength + Varint.size(cellLength) + cellLength;
    }
    if (size > LogFormat.RECORD_BYTES_MAX) {
      throw new IllegalArgumentException(
          "write batch of "
              + batch.size()
              + " entries encodes to "
              + size
              + " bytes, more than a log record holds (LogFormat.RECORD_BYTES_MAX = "
              + LogFormat.RECORD_BYTES_MAX
              + ")");
    }
    return (int) size;
  }

  /** Encodes {@code batch} into a new array of exactly {@link #encodedSize} bytes. */
  public static byte[] encode(long firstSequence, WriteBatch batch) {
    byte[] out = new byte[encodedSize(batch)];
    int end = encode(firstSequence, batch, out, 0);
    if (end != out.length) {
      throw new AssertionError("encoded " + end + " bytes, sized " + out.length);
    }
    return out;
  }

  /**
   * Encodes a batch of the one entry {@code key} with its already encoded cell, exactly as {@link
   * #encode(long, WriteBatch)} encodes such a batch, so that a single write encodes its cell once
   * for both the log and the memtable.
   */
  public static byte[] encodeSingle(long sequence, byte[] key, byte[] encodedCell) {
    if (sequence < 0 || sequence > InternalKey.SEQUENCE_MAX) {
      throw new IllegalArgumentException(
          "sequence " + sequence + " is out of range 0.." + InternalKey.SEQUENCE_MAX);
    }
    long size =
        (long) HEADER_BYTES
            + Varint.size(key.length)
            + key.length
            + Varint.size(encodedCell.length)
            + encodedCell.length;
    if (size > LogFormat.RECORD_BYTES_MAX) {
      throw new IllegalArgumentException(
          "write of "
              + size
              + " bytes is more than a log record holds (LogFormat.RECORD_BYTES_MAX = "
              + LogFormat.RECORD_BYTES_MAX
              + ")");
    }
    byte[] out = new byte[(int) size];
    int position = writeLong(out, 0, sequence);
    LogWriter.writeInt(out, position, 1);
    position += 4;
    position = Varint.write(out, position, key.length);
    System.arraycopy(key, 0, out, position, key.length);
    position += key.length;
    position = Varint.write(out, position, encodedCell.length);
    System.arraycopy(encodedCell, 0, out, position, encodedCell.length);
    return out;
  }

  /**
   * Encodes {@code batch} at {@code offset} of {@code out}, which must have {@link #encodedSize}
   * bytes free there; returns the end offset.
   */
  public static int encode(long firstSequence, WriteBatch batch, byte[] out, int offset) {
    List<WriteBatch.Entry> entries = batch.entries();
    int count = entries.size();
    long lastSequence = firstSequence + Math.max(count, 1) - 1;
    if (firstSequence < 0 || lastSequence > InternalKey.SEQUENCE_MAX) {
      throw new IllegalArgumentException(
          "sequences "
              + firstSequence
              + ".."
              + lastSequence
              + " of a batch of "
              + count
              + " entries are out of range 0.."
              + InternalKey.SEQUENCE_MAX);
    }
    int position = writeLong(out, offset, firstSequence);
    LogWriter.writeInt(out, position, count);
    position += 4;
    for (int i = 0; i < count; i++) {
      WriteBatch.Entry entry = entries.get(i);
      byte[] key = entry.key();
      position = Varint.write(out, position, key.length);
      System.arraycopy(key, 0, out, position, key.length);
      position += key.length;
      Cell cell = entry.cell();
      position = Varint.write(out, position, CellCodec.encodedSize(cell));
      position = CellCodec.encode(cell, out, position);
    }
    return position;
  }

  /**
   * Decodes and validates (lengths in bounds, count matches, each cell decodes, sequences in range,
   * no trailing bytes), then hands every entry to {@code handler} in order. Nothing is handed over
   * unless the whole payload is valid.
   *
   * @param path the log file, for the error
   * @param recordOffset the offset of the record holding {@code payload}, for the error
   * @throws CorruptionException (path, recordOffset, ...) if the payload is not a valid batch
   */
  public static void decode(byte[] payload, Path path, long recordOffset, EntryHandler handler)
      throws StorageException {
    if (payload.length < HEADER_BYTES) {
      throw new CorruptionException(
          path,
          recordOffset,
          "write batch of "
              + payload.length
              + " bytes is shorter than its "
              + HEADER_BYTES
              + "-byte header");
    }
    long firstSequence = readLong(payload, 0);
    long count = Integer.toUnsignedLong(LogReader.readInt(payload, 8));
    if (firstSequence < 0 || firstSequence > InternalKey.SEQUENCE_MAX) {
      throw new CorruptionException(
          path,
          recordOffset,
          "write batch first sequence "
              + firstSequence
              + " is out of range 0.."
              + InternalKey.SEQUENCE_MAX);
    }
    if (count > 0 && firstSequence + count - 1 > InternalKey.SEQUENCE_MAX) {
      throw new CorruptionException(
          path,
          recordOffset,
          "write batch of "
              + count
              + " entries from sequence "
              + firstSequence
              + " passes the largest sequence "
              + InternalKey.SEQUENCE_MAX);
    }
    if (count > (payload.length - HEADER_BYTES) / ENTRY_BYTES_MIN) {
      throw new CorruptionException(
          path,
          recordOffset,
          "write batch count "
              + count
              + " cannot fit in "
              + (payload.length - HEADER_BYTES)
              + " bytes of entries");
    }
    // Two passes over the same bytes: check everything, then hand over, so that a batch is applied
    // whole or not at all. Varints are cheap to read twice; remembering offsets would allocate.
    walk(payload, firstSequence, (int) count, path, recordOffset, null);
    walk(payload, firstSequence, (int) count, path, recordOffset, handler);
  }

  /**
   * Checks the entries (handler null) or hands them over (handler set, payload already checked).
   */
  private static void walk(
      byte[] payload,
      long firstSequence,
      int count,
      Path path,
      long recordOffset,
      EntryHandler handler)
      throws StorageException {
    ByteBuffer in = ByteBuffer.wrap(payload);
    in.position(HEADER_BYTES);
    for (int i = 0; i < count; i++) {
      int keyLength = readLength(in, "key", i, count, path, recordOffset);
      int keyStart = in.position();
      in.position(keyStart + keyLength);
      int cellLength = readLength(in, "cell", i, count, path, recordOffset);
      int cellStart = in.position();
      in.position(cellStart + cellLength);
      if (handler == null) {
        String problem = cellProblem(payload, cellStart, cellLength);
        if (problem != null) {
          throw new CorruptionException(
              path, recordOffset, entryName(i, count) + " cell is invalid: " + problem);
        }
      } else {
        handler.accept(
            firstSequence + i,
            Arrays.copyOfRange(payload, keyStart, keyStart + keyLength),
            Arrays.copyOfRange(payload, cellStart, cellStart + cellLength));
      }
    }
    if (in.hasRemaining()) {
      throw new CorruptionException(
          path,
          recordOffset,
          "write batch of "
              + count
              + " entries has "
              + in.remaining()
              + " trailing bytes after its last entry");
    }
  }

  /** Reads a varint length and checks that that many bytes follow it. */
  private static int readLength(
      ByteBuffer in, String what, int index, int count, Path path, long recordOffset)
      throws CorruptionException {
    int length;
    try {
      length = Varint.readInt(in);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(
          path,
          recordOffset,
          entryName(index, count) + " " + what + " length is malformed: " + e.getMessage());
    }
    if (length > in.remaining()) {
      throw new CorruptionException(
          path,
          recordOffset,
          entryName(index, count)
              + " "
              + what
              + " of "
              + length
              + " bytes runs past the end of the batch ("
              + in.remaining()
              + " bytes left)");
    }
    return length;
  }

  private static String entryName(int index, int count) {
    return "write batch entry " + index + " of " + count + ":";
  }

  /**
   * What is wrong with the encoded cell at {@code bytes[offset, offset + length)} by the rules of
   * {@link CellCodec#decode(byte[], int, int)}, or null if it decodes. Checked in place so that
   * replay does not build a {@link Cell} (and copy its value) per entry only to throw it away; a
   * test holds it to agree with CellCodec.
   */
  static String cellProblem(byte[] bytes, int offset, int length) {
    if (length < CellCodec.FIXED_BYTES) {
      return "cell of " + length + " bytes is shorter than its header";
    }
    int end = offset + length;
    int flags = bytes[offset] & 0xFF;
    if ((flags & ~CELL_FLAGS_KNOWN) != 0) {
      return "cell has unknown flags 0x" + Integer.toHexString(flags);
    }
    int position = offset + CellCodec.FIXED_BYTES;
    if ((flags & CellCodec.FLAG_EXPIRY) != 0) {
      if (end - position < 8) {
        return "cell expiry runs past its end";
      }
      long expiry = readLong(bytes, position);
      if (expiry <= 0) {
        return "cell expiry " + expiry + " is not positive";
      }
      position += 8;
    }
    if ((flags & CellCodec.FLAG_VERSION) != 0) {
      ByteBuffer in = ByteBuffer.wrap(bytes, position, end - position);
      int versionLength;
      try {
        versionLength = Varint.readInt(in);
      } catch (IllegalArgumentException e) {
        return "cell version length is malformed: " + e.getMessage();
      }
      position = in.position();
      if (versionLength == 0 || versionLength > end - position) {
        return "cell version length " + versionLength + " is invalid";
      }
      position += versionLength;
    }
    if ((flags & CellCodec.FLAG_TOMBSTONE) != 0 && position != end) {
      return "tombstone cell carries " + (end - position) + " value bytes";
    }
    return null;
  }

  private static int writeLong(byte[] out, int offset, long value) {
    LogWriter.writeInt(out, offset, (int) (value >>> 32));
    LogWriter.writeInt(out, offset + 4, (int) value);
    return offset + 8;
  }

  private static long readLong(byte[] in, int offset) {
    return (long) LogReader.readInt(in, offset) << 32
        | Integer.toUnsignedLong(LogReader.readInt(in, offset + 4));
  }
}
