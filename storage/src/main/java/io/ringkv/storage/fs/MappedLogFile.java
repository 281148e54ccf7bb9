package io.ringkv.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A log file appended through a memory mapping: an append is a copy into the page cache, with no
 * system call, and it survives a crash of the process as a write(2) would (the pages belong to the
 * kernel). {@link #sync} is an fdatasync of the file, which on Linux also writes back pages dirtied
 * through the mapping.
 *
 * <p>Space is claimed ahead in chunks of {@link #CHUNK_BYTES} by writing zeros through the channel
 * first: a store into a sparse mapping on a full disk would kill the JVM with SIGBUS, while a
 * failed write(2) is an ordinary IOException (ENOSPC) that the engine turns into a refused write.
 * So a log may end in up to one chunk of zeros after a crash; {@link #close} trims it to the bytes
 * written, and log readers treat a zeroed tail as the end of the log.
 *
 * <p>Not thread-safe, like every {@link WritableFile}; {@link #sync} may run concurrently with an
 * append (fdatasync does not race with stores into the mapping).
 */
final class MappedLogFile implements WritableFile {
  /** The most bytes claimed and mapped at a time. */
  static final int CHUNK_BYTES = 4 << 20;

  /**
   * The first claim; each next one doubles, up to {@link #CHUNK_BYTES}, so small logs stay small.
   */
  static final int FIRST_CHUNK_BYTES = 256 << 10;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);

  private final Path path;
  private final FileChannel channel;
  private MappedByteBuffer mapping;
  private long mappingStart;
  private long size;
  private long claimed;
  private boolean closed;

  MappedLogFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  @Override
  public void write(ByteBuffer source) throws IOException {
    if (closed) {
      throw new IOException(path + " is closed");
    }
    while (source.hasRemaining()) {
      if (mapping == null || !mapping.hasRemaining()) {
        claimNextChunk();
      }
      int n = Math.min(source.remaining(), mapping.remaining());
      int limit = source.limit();
      source.limit(source.position() + n);
      mapping.put(source);
      source.limit(limit);
      size += n;
    }
  }

  private void claimNextChunk() throws IOException {
    long start = claimed;
    int chunk = (int) Math.min(CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, claimed));
    long at = start;
    long end = start + chunk;
    while (at < end) {
      ByteBuffer zeros = ZEROS.duplicate();
      zeros.limit((int) Math.min(zeros.capacity(), end - at));
      at += channel.write(zeros, at);
    }
    mapping = channel.map(FileChannel.MapMode.READ_WRITE, start, chunk);
    mappingStart = start;
    claimed = end;
    assert mappingStart + mapping.position() == size : "the mapping starts where the data ends";
  }

  @Override
  public void sync() throws IOException {
    channel.force(false);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      mapping = null;
      channel.truncate(size);
    } finally {
      channel.close();
    }
  }
}
