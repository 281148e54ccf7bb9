package io.ringkv.raft.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file open for appending. Not thread-safe. */
public interface LogFile extends Closeable {
  /** Appends all remaining bytes of {@code bytes}. */
  void write(ByteBuffer bytes) throws IOException;

  /** Makes everything written so far durable. */
  void sync() throws IOException;

  /** The file's size in bytes, including unsynced writes. */
  long size() throws IOException;
}
