package io.ringkv.storage.lsm;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.WritableFile;
import io.ringkv.storage.wal.LogWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The engine's current write-ahead log segment (format: docs/format/wal.md). The write leader
 * appends a group of batches with {@link #append} and hands it to the file with {@link #flush} (one
 * system call, or none with a mapped log); {@link #sync} makes it durable. A segment is sealed
 * (synced and closed) when it is rolled over to the next one.
 *
 * <p>Thread-safety: {@link #append} only by the write leader (one at a time, the engine's writer
 * queue sees to it); every other method may also be called by the periodic-sync thread, {@code
 * sync()} callers and close, so they hold this object's lock, and a roll-over is one step under it:
 * no caller ever sees a closed segment as the current one.
 */
final class WriteAheadLog {
  private final FileSystem fs;
  private final Path dir;
  private WritableFile file;
  private LogWriter writer;
  private long number = -1;
  private volatile boolean dirty;

  WriteAheadLog(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** Starts segment {@code segmentNumber}, sealing the current one first if there is one. */
  synchronized void rollTo(long segmentNumber) throws IOException {
    if (writer != null) {
      writer.sync();
      writer.close();
      writer = null;
      dirty = false;
    }
    Path path = FileNames.log(dir, segmentNumber);
    WritableFile created = fs.createLog(path);
    try {
      fs.syncDirectory(dir);
    } catch (IOException e) {
      created.close();
      throw e;
    }
    file = created;
    writer = new LogWriter(created);
    number = segmentNumber;
  }

  /** The current segment's number. */
  synchronized long number() {
    return number;
  }

  /** The current segment's path, for messages. */
  synchronized Path path() {
    return FileNames.log(dir, number);
  }

  /** Bytes written to the current segment so far (decides when to roll). */
  synchronized long segmentBytes() {
    return writer == null ? 0 : writer.bytesWritten() + writer.pendingBytes();
  }

  private void requireOpen() throws IOException {
    if (writer == null) {
      throw new IOException("no log segment is open (an earlier roll-over or close failed)");
    }
  }

  /** Buffers one record; by the write leader only, flushed by {@link #flush}. */
  void append(byte[] record, int offset, int length) {
    writer.append(record, offset, length);
  }

  /** Hands the buffered records to the file; returns how many bytes that was. */
  synchronized long flush() throws IOException {
    requireOpen();
    long before = writer.bytesWritten();
    writer.flush();
    dirty = true;
    return writer.bytesWritten() - before;
  }

  /** Makes everything handed to the file durable. */
  synchronized void sync() throws IOException {
    requireOpen();
    writer.flush();
    file.sync();
    dirty = false;
  }

  /** {@link #sync} if anything was written since the last one; for the periodic-sync thread. */
  void syncIfDirty() throws IOException {
    if (!dirty) {
      return;
    }
    synchronized (this) {
      if (dirty && writer != null) {
        file.sync();
        dirty = false;
      }
    }
  }

  /** Closes the segment, syncing it first if {@code syncFirst}. Idempotent. */
  synchronized void close(boolean syncFirst) throws IOException {
    if (writer == null) {
      return;
    }
    try {
      if (syncFirst) {
        writer.sync();
      }
    } finally {
      writer.close();
      writer = null;
    }
  }

  /** A {@link StorageException} that names the current segment. */
  synchronized StorageException failure(String operation, IOException cause) {
    return new StorageException(
        "the engine refuses writes: "
            + operation
            + " log "
            + FileNames.log(dir, number)
            + " failed ("
            + cause
            + "); reopen the engine to recover",
        cause);
  }
}
