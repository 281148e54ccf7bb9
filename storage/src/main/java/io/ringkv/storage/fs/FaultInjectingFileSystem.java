package io.ringkv.storage.fs;

import io.ringkv.common.Rng;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory {@link FileSystem} that holds exactly what the durability contract promises and no
 * more, and breaks on demand: power loss, torn tails, failed fsyncs, a full disk, torn writes and
 * rotting bits. The engine's crash and corruption tests run on it, and so does the deterministic
 * cluster simulator; it never touches the real disk, so {@code Path.of("/db/000001.log")} is fine.
 *
 * <h2>The model</h2>
 *
 * <p><b>Files.</b> A file is an identity (an inode) with two views of its content: the
 * <em>current</em> bytes, which every reader sees at once (the page cache), and the <em>synced</em>
 * bytes, which survive a power loss (the platter). {@link WritableFile#write} appends to the
 * current bytes; {@link WritableFile#sync} makes the current bytes the synced ones; {@link #create}
 * of an existing path truncates that same file, as O_TRUNC does, and the old content stays durable
 * until the next sync. {@link #truncate} shortens the current bytes and then syncs.
 *
 * <p><b>Directories.</b> Each directory holds a <em>current</em> map of names to files, which every
 * lookup uses, and a <em>durable</em> map, which survives a power loss. Creating, renaming and
 * deleting change the current map only; {@link #syncDirectory} copies the current map to the
 * durable one. So a file created and synced in a directory that was never synced is lost in a
 * crash, an unsynced rename is undone and an unsynced delete comes back (with its synced bytes). A
 * rename between two directories is durable on each side only once that side is synced; a crash
 * between the two syncs may leave the file under both names (as hard links) or under neither, which
 * is why the engine renames within one directory. Directories themselves are a simplification: they
 * exist, durably, from {@link #createDirectories} until they are deleted empty; they cannot be
 * renamed. A file's parent directory must exist.
 *
 * <p><b>Handles.</b> A handle refers to the file it was opened on, not to its name, as on POSIX: a
 * writer whose file was since deleted or renamed over keeps appending to that now nameless file,
 * and may sync it; those bytes are lost unless the file's name comes back in a crash (an unsynced
 * delete). A writer always appends at the file's current end. Readers see the current bytes live,
 * including growth and truncation after they opened; a reader of a deleted file keeps reading it. A
 * nameless file occupies space until its last handle is closed.
 *
 * <p><b>Power loss.</b> {@link #powerLoss()} is a crash of the machine: every directory reverts to
 * its durable map, every file that a durable map names reverts to its synced bytes (others are
 * gone), all locks are released, and every handle opened before it is dead: its operations throw an
 * {@link IOException} saying "file system crashed", except {@code close()}, which does nothing so
 * that the crashed engine can still be closed. {@link #powerLoss(Rng)} also tears each file's
 * unsynced tail. Afterwards the file system is usable again: reopen the engine on it. Fault knobs
 * are the test's configuration, not the machine's state, so they stay set across a power loss.
 *
 * <p><b>Faults.</b> {@link #failSyncs} and {@link #failNextSyncs} make file fsyncs ({@link
 * WritableFile#sync} and the one inside {@link #truncate}) throw "fsync failed (injected)" without
 * making anything durable; directory syncs never fail. {@link #setCapacityBytes} bounds the total
 * length of all files that occupy space (a name, or an open handle); a write that would pass it
 * writes nothing and throws "No space left on device". {@link #tearNextWrite} makes the next write
 * through a writer created at that path write only a prefix, then throw. {@link #flipBit}, {@link
 * #overwrite}, {@link #truncateRaw} and {@link #deleteRaw} damage the disk itself: the current and
 * the synced bytes alike, as rot or a buggy controller would. The damage methods and the
 * introspection methods are for tests: they throw {@link IllegalArgumentException} for a missing
 * file or an out-of-range offset, as a misuse is a bug in the test.
 *
 * <p><b>Paths.</b> Every path is made absolute and normalized first, so relative and absolute
 * spellings name the same file; {@link #list} answers with absolute paths.
 *
 * <p><b>Thread-safety.</b> Thread-safe: one lock guards the whole state (the engine's background
 * threads write and sync while tests inject faults). Deterministic: given the same calls in the
 * same order, and for {@link #powerLoss(Rng)} the same seed, the outcome is the same, as
 * directories and their entries are visited in sorted order.
 */
public final class FaultInjectingFileSystem implements FileSystem {

  private final Object mutex = new Object();

  /** Every directory by absolute normalized path; sorted, so a torn power loss is deterministic. */
  private final TreeMap<Path, Directory> directories = new TreeMap<>();

  private final Map<Path, LockHandle> locks = new HashMap<>();

  /** Paths whose next write is torn, to the number of bytes it keeps. */
  private final Map<Path, Integer> tornWriteKeepBytes = new HashMap<>();

  /** Power losses so far; a handle opened in an earlier epoch is dead. */
  private long epoch;

  private long capacityBytes = Long.MAX_VALUE;

  /** Sum of the lengths of all files that occupy space (see {@link Inode#occupiesSpace()}). */
  private long usedBytes;

  private boolean failSyncs;
  private int failNextSyncs;
  private long syncCount;
  private long directorySyncCount;
  private long bytesWritten;

  /** The entries of one directory: the ones lookups use now, and the ones a crash leaves. */
  private static final class Directory {
    final TreeMap<String, Inode> current = new TreeMap<>();
    final TreeMap<String, Inode> durable = new TreeMap<>();
  }

  // ---------------------------------------------------------------------------------------------
  // FileSystem

  @Override
  public WritableFile create(Path path) throws IOException {
    Path file = normalize(path);
    synchronized (mutex) {
      Directory parent = parentDirectory(file);
      String name = name(file);
      Inode inode = parent.current.get(name);
      if (inode == null) {
        inode = new Inode();
        setEntry(parent, name, inode);
      } else {
        long charged = charged(inode);
        inode.shortenCurrent(0);
        usedBytes += charged(inode) - charged;
      }
      return new Writer(file, inode, openHandle(inode));
    }
  }

  @Override
  public ReadableFile openRead(Path path) throws IOException {
    Path file = normalize(path);
    synchronized (mutex) {
      Inode inode = existingFile(file);
      return new Reader(file, inode, openHandle(inode));
    }
  }

  @Override
  public boolean exists(Path path) {
    Path target = normalize(path);
    synchronized (mutex) {
      return directory(target) != null || fileOrNull(target) != null;
    }
  }

  @Override
  public long size(Path path) throws IOException {
    Path file = normalize(path);
    synchronized (mutex) {
      return existingFile(file).length();
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    Path target = normalize(dir);
    synchronized (mutex) {
      Directory directory = directory(target);
      if (directory == null) {
        if (fileOrNull(target) != null) {
          throw new NotDirectoryException(target.toString());
        }
        throw new NoSuchFileException(target.toString());
      }
      List<Path> files = new ArrayList<>(directory.current.size());
      for (String name : directory.current.keySet()) {
        files.add(target.resolve(name));
      }
      return files;
    }
  }

  @Override
  public void delete(Path path) throws IOException {
    Path target = normalize(path);
    synchronized (mutex) {
      if (directories.containsKey(target)) {
        deleteEmptyDirectory(target);
        return;
      }
      Directory parent = parentOrNull(target);
      if (parent != null) {
        setEntry(parent, name(target), null);
      }
    }
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Path source = normalize(from);
    Path target = normalize(to);
    synchronized (mutex) {
      if (directories.containsKey(source)) {
        throw new FileSystemException(
            source.toString(), target.toString(), "renaming directories is not modelled");
      }
      Inode inode = existingFile(source);
      Directory targetParent = parentDirectory(target);
      if (source.equals(target)) {
        return;
      }
      // Name the file at its target before dropping its source name, so it is never nameless.
      setEntry(targetParent, name(target), inode);
      setEntry(parentDirectory(source), name(source), null);
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Path target = normalize(dir);
    List<Path> missing = new ArrayList<>();
    synchronized (mutex) {
      for (Path at = target; at != null && directory(at) == null; at = at.getParent()) {
        if (fileOrNull(at) != null) {
          throw new FileAlreadyExistsException(at.toString(), null, "a file is in the way");
        }
        missing.add(at);
      }
      for (int i = missing.size() - 1; i >= 0; i--) {
        directories.put(missing.get(i), new Directory());
      }
    }
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    Path target = normalize(dir);
    synchronized (mutex) {
      Directory directory = directory(target);
      if (directory == null) {
        throw new NoSuchFileException(target.toString());
      }
      directory.durable.clear();
      directory.durable.putAll(directory.current);
      directorySyncCount++;
    }
  }

  @Override
  public void truncate(Path path, long length) throws IOException {
    if (length < 0) {
      throw new IllegalArgumentException("truncate length must be >= 0, was " + length);
    }
    Path file = normalize(path);
    synchronized (mutex) {
      Inode inode = fileOrNull(file);
      if (inode == null) {
        throw new IOException("cannot truncate " + file + ": it does not exist");
      }
      long charged = charged(inode);
      inode.shortenCurrent((int) Math.min(length, Inode.LENGTH_MAX));
      usedBytes += charged(inode) - charged;
      fsync(file, inode);
    }
  }

  @Override
  public Closeable lock(Path path) throws IOException {
    Path file = normalize(path);
    synchronized (mutex) {
      if (locks.containsKey(file)) {
        throw new IOException(
            file + " is locked by another holder: another engine in this process is using it");
      }
      Directory parent = parentDirectory(file);
      String name = name(file);
      if (parent.current.get(name) == null) {
        setEntry(parent, name, new Inode());
      }
      LockHandle lock = new LockHandle(file, epoch);
      locks.put(file, lock);
      return lock;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Power loss

  /** Crashes the machine: only synced bytes in durably named files survive. See the class doc. */
  public void powerLoss() {
    crash(null);
  }

  /**
   * Crashes the machine in the middle of writeback: like {@link #powerLoss()}, but each surviving
   * file keeps its synced bytes followed by a random-length prefix of its unsynced tail (possibly
   * none of it, possibly all), and on a coin flip the last 1 to 16 bytes of that kept prefix are
   * replaced with garbage, as a sector written half way. Synced bytes are never damaged. A file
   * truncated by {@link #create} and rewritten since its last sync has no unsynced tail to tear
   * (its new bytes do not extend its synced ones), so it reverts exactly. The same seed and the
   * same history give the same result.
   */
  public void powerLoss(Rng rng) {
    crash(Objects.requireNonNull(rng, "rng"));
  }

  private void crash(Rng tornTails) {
    synchronized (mutex) {
      epoch++;
      locks.clear();
      usedBytes = 0;
      Set<Inode> survivors = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Directory directory : directories.values()) {
        directory.current.clear();
        directory.current.putAll(directory.durable);
        for (Inode inode : directory.current.values()) {
          if (survivors.add(inode)) {
            inode.links = 0;
            inode.openHandles = 0;
            if (tornTails == null) {
              inode.revertToSynced();
            } else {
              inode.revertTorn(tornTails);
            }
            usedBytes += inode.length();
          }
          inode.links++;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fault knobs

  /** While {@code fail} is true, every file fsync throws and makes nothing durable. */
  public void failSyncs(boolean fail) {
    synchronized (mutex) {
      failSyncs = fail;
    }
  }

  /** The next {@code count} file fsyncs throw and make nothing durable. */
  public void failNextSyncs(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    synchronized (mutex) {
      failNextSyncs = count;
    }
  }

  /**
   * Bounds the total length of all files; a write that would pass it throws ENOSPC and writes
   * nothing. Lowering it below what is already used only refuses further growth.
   */
  public void setCapacityBytes(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacityBytes must be >= 0, was " + capacityBytes);
    }
    synchronized (mutex) {
      this.capacityBytes = capacityBytes;
    }
  }

  /**
   * The next write through a writer created at {@code path} (now or later) writes only the first
   * {@code keepBytes} of its buffer (or all of it, if shorter), then throws "injected torn write".
   */
  public void tearNextWrite(Path path, int keepBytes) {
    if (keepBytes < 0) {
      throw new IllegalArgumentException("keepBytes must be >= 0, was " + keepBytes);
    }
    Path file = normalize(path);
    synchronized (mutex) {
      tornWriteKeepBytes.put(file, keepBytes);
    }
  }

  /** Flips bit {@code bitIndex} (bit {@code i % 8} of byte {@code i / 8}) on the disk itself. */
  public void flipBit(Path path, long bitIndex) {
    Path file = normalize(path);
    synchronized (mutex) {
      Inode inode = fileForTest(file);
      long bits = inode.damageableLength() * 8L;
      if (bitIndex < 0 || bitIndex >= bits) {
        throw new IllegalArgumentException(
            "bit " + bitIndex + " is outside " + file + ", which has " + bits + " bits");
      }
      inode.flipBit(bitIndex);
    }
  }

  /** Replaces bytes from {@code offset} on, on the disk itself; they must lie within the file. */
  public void overwrite(Path path, long offset, byte[] bytes) {
    Path file = normalize(path);
    synchronized (mutex) {
      Inode inode = fileForTest(file);
      int length = inode.damageableLength();
      if (offset < 0 || offset + bytes.length > length) {
        throw new IllegalArgumentException(
            "bytes ["
                + offset
                + ", "
                + (offset + bytes.length)
                + ") are outside "
                + file
                + ", which has "
                + length
                + " bytes");
      }
      inode.overwrite((int) offset, bytes);
    }
  }

  /** Cuts the file to at most {@code length} bytes on the disk itself, synced bytes included. */
  public void truncateRaw(Path path, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0, was " + length);
    }
    Path file = normalize(path);
    synchronized (mutex) {
      Inode inode = fileForTest(file);
      long charged = charged(inode);
      inode.truncateBoth((int) Math.min(length, Inode.LENGTH_MAX));
      usedBytes += charged(inode) - charged;
    }
  }

  /**
   * Makes the file vanish from the disk itself: from its directory's current and durable entries
   * alike, so no crash brings it back.
   */
  public void deleteRaw(Path path) {
    Path file = normalize(path);
    synchronized (mutex) {
      Directory parent = parentOrNull(file);
      String name = parent == null ? null : name(file);
      if (parent == null
          || (parent.current.get(name) == null && parent.durable.get(name) == null)) {
        throw new IllegalArgumentException("no file at " + file);
      }
      setEntry(parent, name, null);
      parent.durable.remove(name);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Introspection

  /** File fsyncs that succeeded (each {@link WritableFile#sync} and each {@link #truncate}). */
  public long syncCount() {
    synchronized (mutex) {
      return syncCount;
    }
  }

  /** Calls of {@link #syncDirectory}. */
  public long directorySyncCount() {
    synchronized (mutex) {
      return directorySyncCount;
    }
  }

  /** Bytes appended through writers since this file system was made, torn prefixes included. */
  public long bytesWritten() {
    synchronized (mutex) {
      return bytesWritten;
    }
  }

  /** The total length of all files that occupy space: what {@link #setCapacityBytes} bounds. */
  public long usedBytes() {
    synchronized (mutex) {
      return usedBytes;
    }
  }

  /** A copy of the file's current bytes, what a reader sees now. */
  public byte[] currentBytes(Path path) {
    Path file = normalize(path);
    synchronized (mutex) {
      return fileForTest(file).currentBytes();
    }
  }

  /**
   * A copy of the file's synced bytes, what a power loss leaves of it if its name is durable (a
   * name not yet made durable by {@link #syncDirectory} is lost with the file).
   */
  public byte[] syncedBytes(Path path) {
    Path file = normalize(path);
    synchronized (mutex) {
      return fileForTest(file).syncedBytes();
    }
  }

  /** How many of the file's current bytes a power loss may drop. */
  public long unsyncedBytes(Path path) {
    Path file = normalize(path);
    synchronized (mutex) {
      return fileForTest(file).unsyncedLength();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Handles

  private final class Writer implements WritableFile {
    private final Path path;
    private final Inode inode;
    private final long openedEpoch;
    private long written;
    private boolean closed;

    Writer(Path path, Inode inode, long openedEpoch) {
      this.path = path;
      this.inode = inode;
      this.openedEpoch = openedEpoch;
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
      synchronized (mutex) {
        checkUsable(path, openedEpoch, closed);
        int requested = source.remaining();
        Integer keepBytes = tornWriteKeepBytes.get(path);
        int count = keepBytes == null ? requested : Math.min(keepBytes, requested);
        if ((long) inode.length() + count > Inode.LENGTH_MAX) {
          throw new FileSystemException(
              path.toString(), null, "File too large for the in-memory file system");
        }
        // An open writer always occupies space, so its growth is charged in full.
        if (count > 0 && usedBytes + count > capacityBytes) {
          throw new FileSystemException(
              path.toString(),
              null,
              "No space left on device (injected): "
                  + count
                  + " more bytes would exceed the capacity of "
                  + capacityBytes
                  + " bytes, "
                  + usedBytes
                  + " in use");
        }
        inode.append(source, count);
        usedBytes += count;
        written += count;
        bytesWritten += count;
        if (keepBytes != null) {
          tornWriteKeepBytes.remove(path);
          throw new IOException(
              "injected torn write: " + count + " of " + requested + " bytes written to " + path);
        }
      }
    }

    @Override
    public void sync() throws IOException {
      synchronized (mutex) {
        checkUsable(path, openedEpoch, closed);
        fsync(path, inode);
      }
    }

    /** Bytes written through this writer, like the real file system's writer. */
    @Override
    public long size() {
      synchronized (mutex) {
        return written;
      }
    }

    @Override
    public void close() {
      synchronized (mutex) {
        if (!closed) {
          closed = true;
          closeHandle(inode, openedEpoch);
        }
      }
    }
  }

  private final class Reader implements ReadableFile {
    private final Path path;
    private final Inode inode;
    private final long openedEpoch;
    private boolean closed;

    Reader(Path path, Inode inode, long openedEpoch) {
      this.path = path;
      this.inode = inode;
      this.openedEpoch = openedEpoch;
    }

    @Override
    public long size() throws IOException {
      synchronized (mutex) {
        checkUsable(path, openedEpoch, closed);
        return inode.length();
      }
    }

    @Override
    public void read(long position, ByteBuffer destination) throws IOException {
      if (position < 0) {
        throw new IllegalArgumentException("position must be >= 0, was " + position);
      }
      synchronized (mutex) {
        checkUsable(path, openedEpoch, closed);
        int length = inode.length();
        int available = (int) Math.max(0, Math.min(destination.remaining(), length - position));
        if (available > 0) {
          inode.read((int) position, destination, available);
        }
        if (destination.hasRemaining()) {
          throw new EOFException(
              "end of "
                  + path
                  + " at "
                  + Math.max(position, length)
                  + " with "
                  + destination.remaining()
                  + " bytes still to read");
        }
      }
    }

    @Override
    public void close() {
      synchronized (mutex) {
        if (!closed) {
          closed = true;
          closeHandle(inode, openedEpoch);
        }
      }
    }
  }

  private final class LockHandle implements Closeable {
    private final Path path;
    private final long takenEpoch;

    LockHandle(Path path, long takenEpoch) {
      this.path = path;
      this.takenEpoch = takenEpoch;
    }

    /** Releases the lock; after a power loss released it already, this must not free a new one. */
    @Override
    public void close() {
      synchronized (mutex) {
        if (takenEpoch == epoch && locks.get(path) == this) {
          locks.remove(path);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers; all run with the mutex held.

  private void checkUsable(Path path, long openedEpoch, boolean closed) throws IOException {
    if (openedEpoch != epoch) {
      throw new IOException("file system crashed: " + path + " was opened before a power loss");
    }
    if (closed) {
      throw new IOException(path + " is closed");
    }
  }

  private void fsync(Path path, Inode inode) throws IOException {
    if (failSyncs || failNextSyncs > 0) {
      if (!failSyncs) {
        failNextSyncs--;
      }
      throw new IOException("fsync failed (injected) on " + path);
    }
    inode.sync();
    syncCount++;
  }

  private long openHandle(Inode inode) {
    long charged = charged(inode);
    inode.openHandles++;
    usedBytes += charged(inode) - charged;
    return epoch;
  }

  private void closeHandle(Inode inode, long openedEpoch) {
    // A handle from before a power loss counts for nothing: the crash reset every count.
    if (openedEpoch != epoch) {
      return;
    }
    long charged = charged(inode);
    inode.openHandles--;
    usedBytes += charged(inode) - charged;
  }

  /** Points {@code name} at {@code inode}, or removes it if null, keeping links and space right. */
  private void setEntry(Directory directory, String name, Inode inode) {
    Inode previous =
        inode == null ? directory.current.remove(name) : directory.current.put(name, inode);
    if (previous == inode) {
      return;
    }
    if (previous != null) {
      long charged = charged(previous);
      previous.links--;
      usedBytes += charged(previous) - charged;
    }
    if (inode != null) {
      long charged = charged(inode);
      inode.links++;
      usedBytes += charged(inode) - charged;
    }
  }

  private static long charged(Inode inode) {
    return inode.occupiesSpace() ? inode.length() : 0;
  }

  private void deleteEmptyDirectory(Path dir) throws IOException {
    if (dir.getParent() == null) {
      throw new FileSystemException(dir.toString(), null, "cannot delete a root directory");
    }
    boolean empty = directories.get(dir).current.isEmpty();
    for (Path other : directories.keySet()) {
      empty &= !dir.equals(other.getParent());
    }
    if (!empty) {
      throw new DirectoryNotEmptyException(dir.toString());
    }
    directories.remove(dir);
  }

  /** The directory at {@code dir}, or null; a root always exists. */
  private Directory directory(Path dir) {
    Directory directory = directories.get(dir);
    if (directory == null && dir.getParent() == null) {
      directory = new Directory();
      directories.put(dir, directory);
    }
    return directory;
  }

  private Directory parentOrNull(Path file) {
    Path parent = file.getParent();
    return parent == null ? null : directory(parent);
  }

  /** The directory that must hold {@code file}, which must not itself be a directory. */
  private Directory parentDirectory(Path file) throws IOException {
    if (directory(file) != null) {
      throw new FileSystemException(file.toString(), null, "is a directory");
    }
    Directory parent = parentOrNull(file);
    if (parent == null) {
      throw new NoSuchFileException(
          file.toString(), null, "parent directory " + file.getParent() + " does not exist");
    }
    return parent;
  }

  private Inode fileOrNull(Path file) {
    Directory parent = parentOrNull(file);
    return parent == null ? null : parent.current.get(name(file));
  }

  private Inode existingFile(Path file) throws IOException {
    Inode inode = fileOrNull(file);
    if (inode == null) {
      if (directories.containsKey(file)) {
        throw new FileSystemException(file.toString(), null, "is a directory");
      }
      throw new NoSuchFileException(file.toString());
    }
    return inode;
  }

  private Inode fileForTest(Path file) {
    Inode inode = fileOrNull(file);
    if (inode == null) {
      throw new IllegalArgumentException("no file at " + file);
    }
    return inode;
  }

  private static String name(Path file) {
    return file.getFileName().toString();
  }

  private static Path normalize(Path path) {
    return path.toAbsolutePath().normalize();
  }
}
