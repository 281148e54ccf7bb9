package io.ringkv.storage.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file open for positional reads. Thread-safe: reads at different positions may overlap. */
public interface ReadableFile extends Closeable {

  long size() throws IOException;

  /**
   * Fills {@code destination}'s remaining bytes from {@code position} on.
   *
   * @throws java.io.EOFException if the file ends first
   */
  void read(long position, ByteBuffer destination) throws IOException;
}
