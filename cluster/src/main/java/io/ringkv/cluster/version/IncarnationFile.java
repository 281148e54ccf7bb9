package io.ringkv.cluster.version;

import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A node's incarnation, the second half of its causal {@link Actor}, kept in one small file in the
 * node's directory together with whether the node's last run stopped cleanly. Format in
 * docs/format/node-state.md ("The incarnation file"):
 *
 * <pre>
 *   magic "RKIN" | version u8 (1) | incarnation i64 | state u8 (0 running, 1 clean) | crc32c u32
 * </pre>
 *
 * <p>Why: a node that crashed may have lost unsynced writes, among them causal cells holding dots
 * it assigned and sent to other replicas. Assigning those dots again to other values would make the
 * other replicas drop one of the two (docs/design/causal.md, "Actors"). So {@link #open} decides
 * this run's incarnation: the stored one if the last run was marked clean, the stored one plus one
 * otherwise; and it stores that incarnation with the state "running", durably, before returning, so
 * before this run can assign any dot. {@link #markClean} is called by the node only after its
 * engine has synced and closed: every dot this run assigned is then on disk, and the next run may
 * keep the incarnation (vectors do not grow an entry per clean restart).
 *
 * <p>Invariants: the incarnation on disk never goes down; a run that was not marked clean is
 * followed by a larger incarnation. A missing file is a node that never had an actor (a new node,
 * or one whose earlier version never assigned dots): incarnation 0. A damaged file refuses the
 * start with a message naming it: guessing low could reuse dots.
 *
 * <p>Writes go to {@code <name>.tmp}, are fsynced, renamed over the file, and the directory is
 * fsynced (old state or new, never a mix). Goes through {@link FileSystem} so that a
 * fault-injecting disk can be put under it. Not thread-safe: the node opens it once at start and
 * marks it at close.
 */
public final class IncarnationFile {
  /** The file's name in the node's directory. */
  public static final String FILE_NAME = "incarnation";

  static final byte[] MAGIC = {'R', 'K', 'I', 'N'};
  static final int VERSION = 1;
  static final int STATE_RUNNING = 0;
  static final int STATE_CLEAN = 1;

  /** magic, version, incarnation, state, crc32c. */
  static final int FILE_BYTES = MAGIC.length + 1 + 8 + 1 + 4;

  private final FileSystem fileSystem;
  private final Path directory;
  private final Path path;
  private final Path temporary;
  private final long incarnation;
  private final boolean bumped;

  private IncarnationFile(FileSystem fileSystem, Path directory, long incarnation, boolean bumped) {
    this.fileSystem = fileSystem;
    this.directory = directory;
    this.path = directory.resolve(FILE_NAME);
    this.temporary = directory.resolve(FILE_NAME + ".tmp");
    this.incarnation = incarnation;
    this.bumped = bumped;
  }

  /**
   * Starts a run: reads the file in {@code directory} (which must exist), takes the stored
   * incarnation if the last run was marked clean or the next one otherwise, and stores it marked
   * "running", durably, before returning.
   *
   * @throws IOException if the file cannot be read or written, or is damaged (the message names it)
   */
  public static IncarnationFile open(FileSystem fileSystem, Path directory) throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    Objects.requireNonNull(directory, "directory");
    Path path = directory.resolve(FILE_NAME);
    long incarnation = 0;
    boolean bumped = false;
    if (fileSystem.exists(path)) {
      Stored stored;
      try {
        stored = decode(fileSystem.readAll(path));
      } catch (IllegalArgumentException damaged) {
        throw new IOException(
            path
                + " is damaged ("
                + damaged.getMessage()
                + "); it holds this node's causal incarnation, and guessing it could reuse dots"
                + " other replicas hold. Restore it from a backup",
            damaged);
      }
      if (stored.clean()) {
        incarnation = stored.incarnation();
      } else {
        if (stored.incarnation() == Long.MAX_VALUE) {
          throw new IOException(path + " holds the largest incarnation; it cannot grow");
        }
        incarnation = stored.incarnation() + 1;
        bumped = true;
      }
    }
    IncarnationFile file = new IncarnationFile(fileSystem, directory, incarnation, bumped);
    file.store(STATE_RUNNING);
    return file;
  }

  /** This run's incarnation. */
  public long incarnation() {
    return incarnation;
  }

  /** Whether this run took a new incarnation because the last one was not marked clean. */
  public boolean bumped() {
    return bumped;
  }

  public Path path() {
    return path;
  }

  /**
   * Marks this run clean, durably: call only once every write this run made (and every dot it
   * assigned) is on disk, i.e. after the engine's final sync and close.
   */
  public void markClean() throws IOException {
    store(STATE_CLEAN);
  }

  private void store(int state) throws IOException {
    byte[] bytes = encode(incarnation, state);
    if (fileSystem.exists(temporary)) {
      fileSystem.delete(temporary);
    }
    WritableFile file = fileSystem.create(temporary);
    try {
      file.write(bytes, 0, bytes.length);
      file.sync();
    } finally {
      file.close();
    }
    fileSystem.rename(temporary, path);
    fileSystem.syncDirectory(directory);
  }

  /** What the file holds. */
  record Stored(long incarnation, boolean clean) {}

  static byte[] encode(long incarnation, int state) {
    ByteBuffer buffer = ByteBuffer.allocate(FILE_BYTES);
    buffer.put(MAGIC).put((byte) VERSION).putLong(incarnation).put((byte) state);
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), 0, buffer.position());
    buffer.putInt((int) crc.getValue());
    return buffer.array();
  }

  static Stored decode(byte[] bytes) {
    if (bytes.length != FILE_BYTES) {
      throw new IllegalArgumentException(
          "file size " + bytes.length + " bytes, expected " + FILE_BYTES);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
      throw new IllegalArgumentException("checksum mismatch");
    }
    for (byte expected : MAGIC) {
      if (buffer.get() != expected) {
        throw new IllegalArgumentException("not an incarnation file (bad magic)");
      }
    }
    int version = buffer.get() & 0xFF;
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "unsupported version " + version + ", expected " + VERSION);
    }
    long incarnation = buffer.getLong();
    if (incarnation < 0) {
      throw new IllegalArgumentException("incarnation " + incarnation + " is negative");
    }
    int state = buffer.get() & 0xFF;
    if (state != STATE_RUNNING && state != STATE_CLEAN) {
      throw new IllegalArgumentException("state " + state + ", expected 0 (running) or 1 (clean)");
    }
    return new Stored(incarnation, state == STATE_CLEAN);
  }
}
