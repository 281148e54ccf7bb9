package io.ringkv.server.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive claim of one node on its directory ({@code ./data/node-1/node.lock}), so that a
 * second node started on the same directory is refused with a message that says who holds it.
 *
 * <p>Why a lock of the node's own when the storage engine already locks its directory: the node's
 * directory will hold more than the engine (hints, the Raft log), a refusal must be recognised
 * whatever the engine (RocksDB words its lock failure differently), and the lock file can say which
 * process holds it. The engine's lock stays as a second guard.
 *
 * <p>The lock is an OS file lock ({@link FileChannel#tryLock()}): the kernel releases it when the
 * process dies, even by {@code kill -9}, so a stale file never blocks a restart. The file itself is
 * kept; it holds the holder's process id, for the message a refused node prints.
 *
 * <p>Not thread-safe: owned by one {@link Node}.
 */
final class NodeLock implements AutoCloseable {
  static final String FILE_NAME = "node.lock";

  /** The holder line is short; more than this in the file is not ours to print. */
  private static final int HOLDER_BYTES_MAX = 64;

  private final FileChannel channel;
  private final FileLock lock;

  private NodeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code directory} if needed and locks it for this node.
   *
   * @throws NodeStartException of kind {@code DATA_DIRECTORY_IN_USE} if another node holds it, or
   *     {@code STORAGE_FAILED} if the directory or the lock file cannot be created
   */
  static NodeLock acquire(Path directory) throws NodeStartException {
    Path file = directory.resolve(FILE_NAME);
    FileChannel channel;
    try {
      Files.createDirectories(directory);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot create the data directory " + directory + " or its lock file: " + e,
          e);
    }
    try {
      FileLock lock;
      boolean heldInThisProcess = false;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
        heldInThisProcess = true;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new NodeStartException(
            NodeStartException.Kind.DATA_DIRECTORY_IN_USE,
            "data directory "
                + directory
                + " is in use by another ringkv "
                + (heldInThisProcess ? "node in this process" : "process")
                + " ("
                + (holder.isEmpty() ? "" : holder + "; ")
                + "lock file "
                + file
                + ")",
            null);
      }
      byte[] line =
          ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(line), 0);
      return new NodeLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel, e);
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED, "cannot lock " + file + ": " + e, e);
    }
  }

  /** What the holder wrote in the lock file ("pid 1234"), or empty if nothing readable. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(HOLDER_BYTES_MAX);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
      String line = text.strip();
      return line.matches("pid \\d+") ? line : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel, Exception cause) {
    try {
      channel.close();
    } catch (IOException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** Releases the lock; the file stays. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
