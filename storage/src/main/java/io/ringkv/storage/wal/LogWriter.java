package io.ringkv.storage.wal;

import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Appends records to one log segment (write-ahead log or manifest) in the format of
 * docs/format/wal.md.
 *
 * <p>Why a buffer: group commit. The engine appends the batches of every waiting writer, then
 * {@link #flush()}es once, so that a group costs one {@link WritableFile#write} (one system call)
 * and, with {@link #sync()}, one fsync, whatever its size. {@link #append} does no I/O.
 *
 * <p>Invariants: {@code buffer[0, pending)} holds whole encoded records not yet handed to the file;
 * {@link #bytesWritten()} counts the bytes handed to the file, so {@code bytesWritten() +
 * pendingBytes()} is where the next record will start. After any failed write or sync the file's
 * contents are unknown (a write may have landed in part, a failed fsync may have dropped dirty
 * pages), so the writer refuses every later call, as LevelDB does; the engine recovers by replaying
 * and starting a new segment.
 *
 * <p>Not thread-safe: owned by the engine's current commit leader.
 */
public final class LogWriter implements AutoCloseable {
  /** Buffer capacity at start and after a large group has been flushed. */
  static final int BUFFER_BYTES_INITIAL = 64 << 10;

  /** A buffer grown past this is given back after a flush, so one huge batch does not pin it. */
  static final int BUFFER_BYTES_RETAINED_MAX = 4 << 20;

  /**
   * The most bytes that may wait in the buffer; appending past it is a programmer error (the caller
   * bounds its groups far below this). Always room for one largest record.
   */
  public static final int PENDING_BYTES_MAX = 1 << 30;

  private final WritableFile file;
  private final CRC32C crc = new CRC32C();
  private byte[] buffer = new byte[BUFFER_BYTES_INITIAL];
  private ByteBuffer bufferView = ByteBuffer.wrap(buffer);
  private int pending;
  private long bytesWritten;
  private IOException failure;
  private boolean closed;

  public LogWriter(WritableFile file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  /** Appends a record to an in-memory buffer (grows as needed; no I/O). */
  public void append(byte[] payload, int offset, int length) {
    if (length > LogFormat.RECORD_BYTES_MAX) {
      throw new IllegalArgumentException(
          "record of "
              + length
              + " bytes exceeds LogFormat.RECORD_BYTES_MAX ("
              + LogFormat.RECORD_BYTES_MAX
              + ")");
    }
    Objects.checkFromIndexSize(offset, length, payload.length);
    checkOpen();
    if (failure != null) {
      throw new IllegalStateException(refusal(), failure);
    }
    int recordBytes = LogFormat.HEADER_BYTES + length;
    if ((long) pending + recordBytes > PENDING_BYTES_MAX) {
      throw new IllegalStateException(
          "log writer holds "
              + pending
              + " unflushed bytes; a record of "
              + recordBytes
              + " more would pass PENDING_BYTES_MAX ("
              + PENDING_BYTES_MAX
              + "): flush first");
    }
    ensureCapacity(pending + recordBytes);
    int start = pending;
    writeInt(buffer, start + LogFormat.LENGTH_OFFSET, length);
    buffer[start + LogFormat.TYPE_OFFSET] = (byte) LogFormat.TYPE_FULL;
    System.arraycopy(payload, offset, buffer, start + LogFormat.HEADER_BYTES, length);
    crc.reset();
    crc.update(buffer, start + LogFormat.LENGTH_OFFSET, recordBytes - LogFormat.CHECKSUM_BYTES);
    writeInt(buffer, start, (int) crc.getValue());
    pending = start + recordBytes;
  }

  /**
   * Hands every buffered record to the file in ONE WritableFile.write call (one syscall), so a
   * group of batches costs one write.
   */
  public void flush() throws IOException {
    checkUsable();
    flushBuffer();
  }

  /** flush() then WritableFile.sync(). */
  public void sync() throws IOException {
    checkUsable();
    flushBuffer();
    try {
      file.sync();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** Bytes handed to the file so far. */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** Bytes buffered, not yet flushed. */
  public long pendingBytes() {
    return pending;
  }

  /**
   * Flushes, does not sync, and closes the file; idempotent. The file is closed even when the flush
   * fails.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (failure == null) {
        flushBuffer();
      }
    } finally {
      file.close();
    }
  }

  private void flushBuffer() throws IOException {
    if (pending == 0) {
      return;
    }
    bufferView.clear().limit(pending);
    try {
      file.write(bufferView);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
    bytesWritten += pending;
    pending = 0;
    if (buffer.length > BUFFER_BYTES_RETAINED_MAX) {
      setBuffer(new byte[BUFFER_BYTES_INITIAL]);
    }
  }

  /** A failure is an operating error the engine reports; use after close is a programmer's. */
  private void checkUsable() throws IOException {
    checkOpen();
    if (failure != null) {
      throw new IOException(refusal(), failure);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("log writer is closed");
    }
  }

  private String refusal() {
    return "log writer refuses further writes: an earlier write or sync failed ("
        + failure.getMessage()
        + "), so the file's contents are unknown";
  }

  private void ensureCapacity(int needed) {
    if (needed <= buffer.length) {
      return;
    }
    long grown = Math.max((long) buffer.length * 2, needed);
    setBuffer(Arrays.copyOf(buffer, (int) Math.min(grown, PENDING_BYTES_MAX)));
  }

  private void setBuffer(byte[] newBuffer) {
    buffer = newBuffer;
    bufferView = ByteBuffer.wrap(newBuffer);
  }

  static void writeInt(byte[] out, int offset, int value) {
    out[offset] = (byte) (value >>> 24);
    out[offset + 1] = (byte) (value >>> 16);
    out[offset + 2] = (byte) (value >>> 8);
    out[offset + 3] = (byte) value;
  }
}
