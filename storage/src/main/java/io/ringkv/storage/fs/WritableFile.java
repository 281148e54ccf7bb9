package io.ringkv.storage.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file being written from start to end. {@link #write} hands the bytes to the operating system
 * before it returns (they survive a crash of this process, not a power loss); {@link #sync} makes
 * everything written so far durable. Not thread-safe.
 */
public interface WritableFile extends Closeable {

  /** Appends all remaining bytes of {@code source}. */
  void write(ByteBuffer source) throws IOException;

  /** Appends {@code bytes[offset, offset+length)}. */
  default void write(byte[] bytes, int offset, int length) throws IOException {
    write(ByteBuffer.wrap(bytes, offset, length));
  }

  /** Forces everything written so far to stable storage (fdatasync). */
  void sync() throws IOException;

  /** Bytes written so far. */
  long size();

  /** Closes without syncing. */
  @Override
  void close() throws IOException;
}
