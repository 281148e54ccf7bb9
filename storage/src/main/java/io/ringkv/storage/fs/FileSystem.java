package io.ringkv.storage.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The only way the engine reaches files, kept small so that tests can put a fault-injecting file
 * system under it ({@link FaultInjectingFileSystem} in tests): power loss that drops every unsynced
 * write, torn writes, flipped bits, ENOSPC, failed fsyncs.
 *
 * <p>Durability model (what the engine may rely on, and what the fault-injecting file system
 * enforces): bytes written to a file survive a crash only after {@link WritableFile#sync()}; a
 * created, renamed or deleted directory entry survives a crash only after {@link
 * #syncDirectory(Path)} of its parent; {@link #rename} atomically replaces the target.
 */
public interface FileSystem {

  /** Creates {@code path} empty for writing, replacing any file there. */
  WritableFile create(Path path) throws IOException;

  /**
   * Creates {@code path} empty for a log that is appended in small records and synced often (the
   * write-ahead log). Same contract as {@link #create}; an implementation may make appends cheaper
   * (the local file system maps the file into memory, so an append is a copy, not a system call).
   * After a crash such a file may end in zeros; log readers treat a zeroed tail as its end.
   */
  default WritableFile createLog(Path path) throws IOException {
    return create(path);
  }

  /** Opens an existing file for positional reads. */
  ReadableFile openRead(Path path) throws IOException;

  boolean exists(Path path);

  /** The size of {@code path} in bytes. */
  long size(Path path) throws IOException;

  /** The regular files directly inside {@code dir}, sorted by name. */
  List<Path> list(Path dir) throws IOException;

  /** Deletes {@code path} if it exists. */
  void delete(Path path) throws IOException;

  /** Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists. */
  void rename(Path from, Path to) throws IOException;

  /** Creates {@code dir} and its parents if missing. */
  void createDirectories(Path dir) throws IOException;

  /** Makes the directory's entries (creations, renames, deletions) durable. */
  void syncDirectory(Path dir) throws IOException;

  /** Shortens {@code path} to {@code length} bytes and syncs it (used to cut a torn log tail). */
  void truncate(Path path, long length) throws IOException;

  /**
   * Takes an exclusive lock on {@code path} (created if missing) for the life of this process, so
   * that a second engine on the same directory is refused. Closing the result releases it.
   *
   * @throws IOException if another holder has it; the message says so
   */
  Closeable lock(Path path) throws IOException;

  /** Reads a whole (small) file. */
  default byte[] readAll(Path path) throws IOException {
    try (ReadableFile file = openRead(path)) {
      long size = file.size();
      if (size > Integer.MAX_VALUE - 8) {
        throw new IOException(path + " is too large to read whole: " + size + " bytes");
      }
      byte[] bytes = new byte[(int) size];
      file.read(0, java.nio.ByteBuffer.wrap(bytes));
      return bytes;
    }
  }
}
