package io.ringkv.storage.wal;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Replays the records of one log segment (write-ahead log or manifest) in the format of
 * docs/format/wal.md, and tells a torn tail (a crash in the middle of an append: expected, dropped
 * and reported) from middle damage (bytes that were once synced and are now wrong: refused unless
 * salvaging), as LevelDB's {@code log::Reader} and Kafka's {@code LogSegment.recover} do.
 *
 * <p>How: the file is read front to back through a window of {@link #READ_CHUNK_BYTES} (one read
 * call per chunk); a record larger than the window is read straight into its payload array. At each
 * record offset the reader sees a clean end (end of file, or a zero header followed only by zeros),
 * a good record, or a bad one. Only after a bad record does it scan forward, byte by byte, for a
 * later good record: if there is one (or the segment is not the last), the damage is in the middle;
 * if not, and the segment is the last, it is a torn tail. To decide that, any later good record
 * will do, so the offset where the bad record's own length says the next record starts is tried
 * first, which settles the common case (a flipped bit inside one record) without the byte-by-byte
 * scan; salvage needs the first good record, so it always scans.
 *
 * <p>Invariants of the result: {@code validBytes} is the end of the last good record and {@code
 * validBytes + droppedBytes} is the file's size; every record handed to the handler passed its
 * checksum; records are handed over in file order, each exactly once.
 *
 * <p>Thread-safety: {@link #replay} keeps its state in a per-call object; concurrent replays of
 * different files are fine.
 */
public final class LogReader {
  /** Bytes read per read call; the window is never larger (a small file gets a smaller one). */
  static final int READ_CHUNK_BYTES = 1 << 20;

  /** Receives each good record's payload and the offset of its header in the file. */
  public interface RecordHandler {
    void accept(byte[] payload, long offset) throws StorageException;
  }

  /**
   * @param records good records handed to the handler
   * @param validBytes the end offset of the last good record (0 if none): the length to truncate
   *     the file to
   * @param droppedBytes bytes after the last good record that were discarded ({@code file size -
   *     validBytes}): a torn tail, a zeroed tail, or the rest of a salvaged non-last segment
   * @param tornTail whether the segment ended in a torn/partial record (as opposed to a clean end)
   * @param salvaged descriptions ("file at offset N: problem") of middle damage skipped because
   *     salvage was on
   */
  public record ReplayResult(
      long records, long validBytes, long droppedBytes, boolean tornTail, List<String> salvaged) {
    public ReplayResult {
      salvaged = List.copyOf(salvaged);
    }
  }

  private static final byte[] ZEROS = new byte[4096];

  private LogReader() {}

  /**
   * Opens {@code path}, replays it as {@link #replay(ReadableFile, Path, boolean, boolean,
   * RecordHandler)} does, and closes it. A missing file is not an empty log: the file system's
   * {@link java.nio.file.NoSuchFileException} surfaces as it is.
   */
  public static ReplayResult replay(
      FileSystem fileSystem, Path path, boolean lastSegment, boolean salvage, RecordHandler handler)
      throws IOException {
    try (ReadableFile file = fileSystem.openRead(path)) {
      return replay(file, path, lastSegment, salvage, handler);
    }
  }

  /**
   * Replays every good record of one log file in order.
   *
   * <p>Damage classification: a bad record (checksum mismatch, bad length, bad type, record running
   * past the end of the file, nonzero garbage) is a TORN TAIL when no valid record follows it in
   * this file and lastSegment is true: replay stops there and reports validBytes (the caller
   * truncates the file to that length). Otherwise (the file is not the last segment, or a valid
   * record is found later in the same file by scanning forward byte by byte for a header whose
   * length is sane and whose CRC matches) it is MIDDLE DAMAGE: throw {@link CorruptionException}
   * (path, offset, "... ; open with salvage to drop the damaged bytes") unless salvage is true, in
   * which case skip to the next valid record, record the damage in {@code salvaged}, and continue.
   *
   * @param file the segment, read from offset 0 to its size; not closed
   * @param path the segment's name, for messages
   * @param lastSegment whether this is the newest segment of its log, the only one that may end in
   *     a torn record
   * @param salvage skip middle damage instead of refusing
   * @throws CorruptionException on middle damage without salvage
   * @throws StorageException when the file cannot be read, or as the handler throws
   */
  public static ReplayResult replay(
      ReadableFile file, Path path, boolean lastSegment, boolean salvage, RecordHandler handler)
      throws StorageException {
    long fileSize;
    try {
      fileSize = file.size();
    } catch (IOException e) {
      throw new StorageException("cannot read the size of " + path + ": " + e.getMessage(), e);
    }
    return new Replay(file, path, fileSize).run(lastSegment, salvage, handler);
  }

  /** The state of one replay: the read window over the file and the checksum in progress. */
  private static final class Replay {
    /** Header bytes the checksum covers: length and type. */
    private static final int CHECKED_HEADER_BYTES = LogFormat.LENGTH_BYTES + LogFormat.TYPE_BYTES;

    /**
     * {@link #checkRecord} result: a zero header followed only by zeros, the segment's clean end.
     */
    private static final int CLEAN_END = -1;

    /** {@link #checkRecord} result: the record is bad; {@link #problem} says why. */
    private static final int BAD = -2;

    private final ReadableFile file;
    private final Path path;
    private final long fileSize;
    private final CRC32C crc = new CRC32C();
    private final byte[] window;
    private long windowStart;
    private int windowLength;

    /** Set when a record is found bad: what is wrong with it, for messages. */
    private String problem;

    Replay(ReadableFile file, Path path, long fileSize) {
      this.file = file;
      this.path = path;
      this.fileSize = fileSize;
      this.window =
          new byte[(int) Math.max(LogFormat.HEADER_BYTES, Math.min(READ_CHUNK_BYTES, fileSize))];
    }

    ReplayResult run(boolean lastSegment, boolean salvage, RecordHandler handler)
        throws StorageException {
      long records = 0;
      long validBytes = 0;
      boolean tornTail = false;
      List<String> salvaged = new ArrayList<>(0);
      long position = 0;
      while (position < fileSize) {
        int length = checkRecord(position);
        if (length >= 0) {
          byte[] payload = readPayload(position, length);
          if (payload != null) {
            handler.accept(payload, position);
            records++;
            position += LogFormat.HEADER_BYTES + length;
            validBytes = position;
            continue;
          }
        } else if (length == CLEAN_END) {
          break;
        }
        // A bad record at `position`; `problem` says what is wrong with it.
        if (!lastSegment && !salvage) {
          throw new CorruptionException(
              path,
              position,
              problem
                  + "; this is not the last segment of the log, so it cannot be a torn tail; open"
                  + " with salvage to drop the damaged bytes");
        }
        long next = findNextRecord(position, length, salvage);
        if (next < 0) {
          if (lastSegment) {
            tornTail = true;
          } else {
            salvaged.add(
                describe(position)
                    + "; dropped the remaining "
                    + (fileSize - position)
                    + " bytes of this segment, which is not the last");
          }
          break;
        }
        if (!salvage) {
          throw new CorruptionException(
              path,
              position,
              problem
                  + "; a valid record follows at offset "
                  + next
                  + ", so this is not a torn tail; open with salvage to drop the damaged bytes");
        }
        salvaged.add(
            describe(position)
                + "; skipped "
                + (next - position)
                + " bytes to the next valid record at offset "
                + next);
        position = next;
      }
      return new ReplayResult(records, validBytes, fileSize - validBytes, tornTail, salvaged);
    }

    /**
     * Checks the header at {@code position}: returns the payload length of a record whose header is
     * sane and whose payload lies inside the file (its checksum is not yet checked), {@link
     * #CLEAN_END}, or {@link #BAD} with {@link #problem} set.
     */
    private int checkRecord(long position) throws StorageException {
      long remaining = fileSize - position;
      if (remaining < LogFormat.HEADER_BYTES) {
        problem = "partial record header: only " + remaining + " bytes left in the file";
        return BAD;
      }
      int at = load(position, LogFormat.HEADER_BYTES);
      int checksum = readInt(window, at);
      int length = readInt(window, at + LogFormat.LENGTH_OFFSET);
      int type = window[at + LogFormat.TYPE_OFFSET] & 0xFF;
      if (checksum == 0 && length == 0 && type == LogFormat.TYPE_ZERO) {
        long nonZero = firstNonZero(position + LogFormat.HEADER_BYTES);
        if (nonZero < 0) {
          return CLEAN_END;
        }
        problem =
            "zeroed bytes where a record was expected, followed by a nonzero byte at offset "
                + nonZero;
        return BAD;
      }
      if (length < 0 || length > LogFormat.RECORD_BYTES_MAX) {
        problem =
            "record length "
                + Integer.toUnsignedString(length)
                + " exceeds the maximum of "
                + LogFormat.RECORD_BYTES_MAX;
        return BAD;
      }
      if (type != LogFormat.TYPE_FULL) {
        problem = "unknown record type " + type;
        return BAD;
      }
      if (length > remaining - LogFormat.HEADER_BYTES) {
        problem =
            "record of "
                + length
                + " bytes runs past the end of the file ("
                + (remaining - LogFormat.HEADER_BYTES)
                + " bytes left after its header)";
        return BAD;
      }
      return length;
    }

    /**
     * The payload of the record at {@code position} whose header {@link #checkRecord} accepted, or
     * null with {@link #problem} set if its checksum does not match.
     */
    private byte[] readPayload(long position, int length) throws StorageException {
      int recordBytes = LogFormat.HEADER_BYTES + length;
      crc.reset();
      if (recordBytes <= window.length) {
        int at = load(position, recordBytes);
        int stored = readInt(window, at);
        crc.update(window, at + LogFormat.LENGTH_OFFSET, recordBytes - LogFormat.CHECKSUM_BYTES);
        if (!checksumMatches(stored, length)) {
          return null;
        }
        return Arrays.copyOfRange(window, at + LogFormat.HEADER_BYTES, at + recordBytes);
      }
      // Larger than the window: read the rest straight into the payload, not through the window.
      int at = load(position, LogFormat.HEADER_BYTES);
      int stored = readInt(window, at);
      crc.update(window, at + LogFormat.LENGTH_OFFSET, CHECKED_HEADER_BYTES);
      byte[] payload = new byte[length];
      long payloadStart = position + LogFormat.HEADER_BYTES;
      int resident = (int) Math.min(length, windowStart + windowLength - payloadStart);
      System.arraycopy(window, at + LogFormat.HEADER_BYTES, payload, 0, resident);
      read(payloadStart + resident, payload, resident, length - resident);
      crc.update(payload, 0, length);
      return checksumMatches(stored, length) ? payload : null;
    }

    private boolean checksumMatches(int stored, int length) {
      int computed = (int) crc.getValue();
      if (computed == stored) {
        return true;
      }
      problem =
          "checksum mismatch in a record of "
              + length
              + " bytes (stored 0x"
              + Integer.toHexString(stored)
              + ", computed 0x"
              + Integer.toHexString(computed)
              + ")";
      return false;
    }

    /**
     * The offset of a good record after the bad one at {@code badPosition}, or -1 if there is none.
     * With {@code earliest} it is the first good record after the bad one, found by trying every
     * offset from {@code badPosition + 1} on (salvage resumes there). Without, any good record will
     * do (it only decides torn tail or middle damage), so the offset where the bad record's own
     * header says the next one starts is tried first ({@code badLength >= 0} when that header was
     * sane): after a flipped bit inside one record that settles it without the byte scan.
     */
    private long findNextRecord(long badPosition, int badLength, boolean earliest)
        throws StorageException {
      String badProblem = problem;
      try {
        if (!earliest && badLength >= 0) {
          long hinted = badPosition + LogFormat.HEADER_BYTES + badLength;
          if (hinted + LogFormat.HEADER_BYTES <= fileSize && isGoodRecord(hinted)) {
            return hinted;
          }
        }
        for (long candidate = badPosition + 1;
            candidate + LogFormat.HEADER_BYTES <= fileSize;
            candidate++) {
          if (isGoodRecord(candidate)) {
            return candidate;
          }
        }
        return -1;
      } finally {
        problem = badProblem;
      }
    }

    /** True if a whole record with a matching checksum starts at {@code position}. */
    private boolean isGoodRecord(long position) throws StorageException {
      int at = load(position, LogFormat.HEADER_BYTES);
      if ((window[at + LogFormat.TYPE_OFFSET] & 0xFF) != LogFormat.TYPE_FULL) {
        return false;
      }
      int length = readInt(window, at + LogFormat.LENGTH_OFFSET);
      if (length < 0
          || length > LogFormat.RECORD_BYTES_MAX
          || length > fileSize - position - LogFormat.HEADER_BYTES) {
        return false;
      }
      int stored = readInt(window, at);
      crc.reset();
      crc.update(window, at + LogFormat.LENGTH_OFFSET, CHECKED_HEADER_BYTES);
      // Stream the payload through the window: a candidate found in garbage may claim a large
      // length, and checking it must not allocate that much.
      long next = position + LogFormat.HEADER_BYTES;
      long left = length;
      while (left > 0) {
        int n = (int) Math.min(left, window.length);
        int from = load(next, n);
        crc.update(window, from, n);
        next += n;
        left -= n;
      }
      return (int) crc.getValue() == stored;
    }

    /** The offset of the first nonzero byte at or after {@code from}, or -1 if there is none. */
    private long firstNonZero(long from) throws StorageException {
      long position = from;
      while (position < fileSize) {
        int n = (int) Math.min(Math.min(window.length, ZEROS.length), fileSize - position);
        int at = load(position, n);
        int mismatch = Arrays.mismatch(window, at, at + n, ZEROS, 0, n);
        if (mismatch >= 0) {
          return position + mismatch;
        }
        position += n;
      }
      return -1;
    }

    /**
     * Makes {@code [position, position + n)} resident in the window and returns its index there.
     * Needs {@code n <= window.length} and {@code position + n <= fileSize}. Bytes already resident
     * are moved, not read again, and every read fills the window, so a front-to-back pass costs one
     * read call per chunk.
     */
    private int load(long position, int n) throws StorageException {
      long windowEnd = windowStart + windowLength;
      if (position >= windowStart && position + n <= windowEnd) {
        return (int) (position - windowStart);
      }
      int kept = 0;
      if (position >= windowStart && position < windowEnd) {
        kept = (int) (windowEnd - position);
        System.arraycopy(window, (int) (position - windowStart), window, 0, kept);
      }
      int wanted = (int) Math.min(window.length, fileSize - position);
      read(position + kept, window, kept, wanted - kept);
      windowStart = position;
      windowLength = wanted;
      return 0;
    }

    private void read(long position, byte[] into, int offset, int length) throws StorageException {
      if (length == 0) {
        return;
      }
      try {
        file.read(position, ByteBuffer.wrap(into, offset, length));
      } catch (IOException e) {
        // The window's content is no longer known; forget it.
        windowLength = 0;
        throw new StorageException(
            "cannot read " + length + " bytes of " + path + " at offset " + position + ": " + e, e);
      }
    }

    private String describe(long position) {
      return path + " at offset " + position + ": " + problem;
    }
  }

  static int readInt(byte[] in, int offset) {
    return (in[offset] & 0xFF) << 24
        | (in[offset + 1] & 0xFF) << 16
        | (in[offset + 2] & 0xFF) << 8
        | (in[offset + 3] & 0xFF);
  }
}
