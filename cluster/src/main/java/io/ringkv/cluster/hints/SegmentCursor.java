package io.ringkv.cluster.hints;

import io.ringkv.storage.fs.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the records of one segment in order, from an offset up to an end, checking each record's
 * length, checksum and body. Reads in chunks of {@link #CHUNK_BYTES} (a record longer than that is
 * read alone), so a batch of small hints costs a few reads, not two per hint.
 *
 * <p>{@link #next()} says what lies at the cursor: a good record (it moves past it), the end, or a
 * bad record, which stops the cursor for good. A bad record is a <em>torn tail</em> if it could be
 * what a crash leaves of the last appends: no good record follows it anywhere before the end (as in
 * docs/format/wal.md), found by trying every later offset. Anything else is damage to bytes that
 * were once written whole. The search checks at most {@link #SEARCH_CHECK_BYTES_MAX} bytes of
 * candidate records, so that damage in a large segment cannot make it quadratic; past that the bad
 * record is taken as damage.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class SegmentCursor {
  /** Bytes read at a time. */
  static final int CHUNK_BYTES = 64 << 10;

  /** The most bytes of candidate records checksummed while looking past a bad record. */
  static final long SEARCH_CHECK_BYTES_MAX = 64L << 20;

  /** What {@link #next()} found. */
  enum Step {
    RECORD,
    END,
    BAD
  }

  private final ReadableFile file;
  private final long end;
  private long offset;
  private byte[] chunk = new byte[0];
  private long chunkStart;
  private int chunkLength;

  private long recordOffset;
  private int recordBytes;
  private HintRecord record;
  private boolean tornTail;

  /**
   * @param file the segment
   * @param offset where the first record starts
   * @param end where the readable records end (the file's size, or what the writer has completed)
   */
  SegmentCursor(ReadableFile file, long offset, long end) {
    this.file = file;
    this.offset = offset;
    this.end = end;
  }

  /** The offset of the next record: after the last good one. */
  long offset() {
    return offset;
  }

  /** The offset of the record {@link #next()} last returned (good or bad). */
  long recordOffset() {
    return recordOffset;
  }

  /** Bytes of the good record {@link #next()} last returned, header included. */
  int recordBytes() {
    return recordBytes;
  }

  /** The good record {@link #next()} last returned. */
  HintRecord record() {
    return record;
  }

  /** After {@link Step#BAD}: whether the bad record looks like an unfinished last append. */
  boolean tornTail() {
    return tornTail;
  }

  /** Reads the next record; see the class comment. */
  Step next() throws IOException {
    recordOffset = offset;
    record = null;
    if (end - offset <= 0) {
      return Step.END;
    }
    HintRecord decoded = readAt(offset);
    if (decoded == null) {
      tornTail = !goodRecordAfter(offset);
      return Step.BAD;
    }
    record = decoded;
    offset += recordBytes;
    return Step.RECORD;
  }

  /**
   * The good record at {@code position} (setting {@link #recordBytes}), or null if there is none:
   * the header is cut, the length is out of bounds or runs past the end, the checksum does not
   * match, or the body is not a hint.
   */
  private HintRecord readAt(long position) throws IOException {
    long bodyBytes = bodyBytesAt(position);
    if (bodyBytes < 0) {
      return null;
    }
    int bytes = (int) (HintFormat.RECORD_HEADER_BYTES + bodyBytes);
    fill(position, bytes);
    int at = (int) (position - chunkStart);
    int stored = HintRecord.readInt(chunk, at + HintFormat.LENGTH_BYTES);
    if (stored != HintRecord.checksum(chunk, at, bytes)) {
      return null;
    }
    try {
      HintRecord decoded =
          HintRecord.decodeBody(chunk, at + HintFormat.RECORD_HEADER_BYTES, (int) bodyBytes);
      recordBytes = bytes;
      return decoded;
    } catch (IllegalArgumentException | IndexOutOfBoundsException notAHint) {
      return null;
    }
  }

  /** The body length of a record at {@code position} if it is sane and fits, else -1. */
  private long bodyBytesAt(long position) throws IOException {
    if (end - position < HintFormat.RECORD_HEADER_BYTES) {
      return -1;
    }
    fill(position, HintFormat.RECORD_HEADER_BYTES);
    long bodyBytes = HintRecord.readInt(chunk, (int) (position - chunkStart)) & 0xFFFF_FFFFL;
    if (bodyBytes < HintFormat.BODY_BYTES_MIN
        || bodyBytes > HintFormat.BODY_BYTES_MAX
        || position + HintFormat.RECORD_HEADER_BYTES + bodyBytes > end) {
      return -1;
    }
    return bodyBytes;
  }

  /** Whether a good record starts anywhere after {@code bad}; see the class comment. */
  private boolean goodRecordAfter(long bad) throws IOException {
    long checked = 0;
    for (long position = bad + 1; end - position >= HintFormat.RECORD_HEADER_BYTES; position++) {
      long bodyBytes = bodyBytesAt(position);
      if (bodyBytes < 0) {
        continue;
      }
      checked += HintFormat.RECORD_HEADER_BYTES + bodyBytes;
      if (checked > SEARCH_CHECK_BYTES_MAX) {
        return true;
      }
      if (readAt(position) != null) {
        return true;
      }
    }
    return false;
  }

  /** Makes {@code [position, position + length)} readable in {@link #chunk}. */
  private void fill(long position, int length) throws IOException {
    if (position >= chunkStart && position + length <= chunkStart + chunkLength) {
      return;
    }
    int want = (int) Math.min(end - position, Math.max(length, CHUNK_BYTES));
    if (chunk.length < want) {
      // A record longer than a chunk gets a buffer of its own size; otherwise one chunk is kept.
      chunk = new byte[Math.max(want, Math.min(CHUNK_BYTES, (int) (end - position)))];
    }
    file.read(position, ByteBuffer.wrap(chunk, 0, want));
    chunkStart = position;
    chunkLength = want;
  }
}
