package io.ringkv.storage.sstable;

import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;

/**
 * The writer's output buffer. {@link WritableFile#write} goes straight to the operating system, so
 * small writes (entries' blocks, trailers) are gathered here and handed over in large chunks; a
 * chunk larger than the buffer (a block holding a huge value) goes through directly. Tracks the
 * logical file offset, buffered bytes included. Not thread-safe.
 */
final class TableOutput {
  /** Bytes gathered before a write to the file. */
  static final int BUFFER_BYTES = 256 << 10;

  private final WritableFile file;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int buffered;
  private long offset;

  TableOutput(WritableFile file) {
    this.file = file;
  }

  /** Bytes written so far, buffered or not: the offset of the next byte. */
  long offset() {
    return offset;
  }

  void write(byte[] bytes, int from, int length) throws IOException {
    if (length > buffer.length - buffered) {
      flush();
    }
    if (length >= buffer.length) {
      file.write(bytes, from, length);
    } else {
      System.arraycopy(bytes, from, buffer, buffered, length);
      buffered += length;
    }
    offset += length;
  }

  /** Hands every buffered byte to the file. */
  void flush() throws IOException {
    if (buffered > 0) {
      file.write(buffer, 0, buffered);
      buffered = 0;
    }
  }
}
