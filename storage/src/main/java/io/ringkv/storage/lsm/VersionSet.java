package io.ringkv.storage.lsm;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import io.ringkv.storage.fs.WritableFile;
import io.ringkv.storage.wal.LogReader;
import io.ringkv.storage.wal.LogWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The durable record of which tables are live, and the counters that must survive restarts: the
 * manifest (a log of {@link VersionEdit}s in the WAL's record format) plus the CURRENT file naming
 * it, replaced by write-then-rename so that a crash leaves either the old or the new manifest in
 * force, never a mix (LevelDB's VersionSet).
 *
 * <p>Each open writes a fresh manifest holding one snapshot edit; it is rolled again when it grows
 * past {@link #MANIFEST_ROLL_BYTES}. Also tracks every {@link Version} still referenced, so that a
 * table is deleted only when no reader can reach it.
 *
 * <p>Thread-safe. Changes synchronize on this object; {@link #logAndApply} does I/O under that lock
 * and is called by the flush and compaction threads only, never on the write path. Readers take the
 * current version without that lock ({@link #acquireCurrent} is a volatile read and a CAS), so a
 * manifest fsync never delays a read.
 */
final class VersionSet {
  /** A manifest is rewritten as one snapshot once it grows past this. */
  static final long MANIFEST_ROLL_BYTES = 16L << 20;

  private final FileSystem fs;
  private final Path dir;
  private final int levelsMax;
  private final Set<Version> liveVersions = Collections.newSetFromMap(new IdentityHashMap<>());

  private volatile Version current;
  private long nextFileNumber = 2;
  private long lastSequence;
  private long logNumber;
  private long manifestNumber = -1;
  private WritableFile manifestFile;
  private LogWriter manifestLog;

  private VersionSet(FileSystem fs, Path dir, int levelsMax) {
    this.fs = fs;
    this.dir = dir;
    this.levelsMax = levelsMax;
    this.current = Version.empty(levelsMax);
    liveVersions.add(current);
  }

  /** Opens the version set of {@code dir}: recovers it from CURRENT, or starts an empty one. */
  static VersionSet open(FileSystem fs, Path dir, int levelsMax, boolean salvage)
      throws StorageException {
    VersionSet set = new VersionSet(fs, dir, levelsMax);
    Path currentFile = dir.resolve(FileNames.CURRENT);
    if (fs.exists(currentFile)) {
      set.recover(currentFile, salvage);
    } else {
      set.requireNoEngineFiles();
    }
    set.writeSnapshotManifest();
    return set;
  }

  private void requireNoEngineFiles() throws StorageException {
    try {
      for (Path file : fs.list(dir)) {
        FileNames.Kind kind = FileNames.parse(file).kind();
        if (kind == FileNames.Kind.TABLE || kind == FileNames.Kind.LOG) {
          throw new CorruptionException(
              dir.resolve(FileNames.CURRENT),
              -1,
              "CURRENT is missing but the directory holds engine files such as "
                  + file.getFileName()
                  + "; refusing to start empty over them");
        }
      }
    } catch (IOException e) {
      throw wrap("cannot list " + dir, e);
    }
  }

  private void recover(Path currentFile, boolean salvage) throws StorageException {
    String name;
    try {
      name = new String(fs.readAll(currentFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw wrap("cannot read " + currentFile, e);
    }
    if (!name.endsWith("\n")) {
      throw new CorruptionException(currentFile, 0, "CURRENT does not end in a newline");
    }
    name = name.substring(0, name.length() - 1);
    FileNames.Parsed parsed = FileNames.parse(Path.of(name));
    if (parsed.kind() != FileNames.Kind.MANIFEST || name.contains("/")) {
      throw new CorruptionException(currentFile, 0, "CURRENT names '" + name + "', not a manifest");
    }
    Path manifest = dir.resolve(name);
    if (!fs.exists(manifest)) {
      throw new CorruptionException(manifest, -1, "the manifest named by CURRENT is missing");
    }
    Version version = Version.empty(levelsMax);
    long[] counters = {-1, -1, -1}; // next file, last sequence, log number
    Version[] holder = {version};
    try (ReadableFile file = fs.openRead(manifest)) {
      LogReader.replay(
          file,
          manifest,
          true,
          salvage,
          (payload, offset) -> {
            VersionEdit edit = VersionEdit.decode(payload, manifest, offset, levelsMax);
            try {
              holder[0] = holder[0].apply(edit);
            } catch (IllegalStateException e) {
              throw new CorruptionException(manifest, offset, e.getMessage(), e);
            }
            if (edit.nextFileNumber >= 0) {
              counters[0] = edit.nextFileNumber;
            }
            if (edit.lastSequence >= 0) {
              counters[1] = edit.lastSequence;
            }
            if (edit.logNumber >= 0) {
              counters[2] = edit.logNumber;
            }
          });
    } catch (IOException e) {
      throw wrap("cannot read manifest " + manifest, e);
    }
    if (counters[0] < 0 || counters[1] < 0 || counters[2] < 0) {
      throw new CorruptionException(
          manifest, -1, "manifest lacks next file number, last sequence or log number");
    }
    liveVersions.clear();
    current = holder[0];
    liveVersions.add(current);
    nextFileNumber = Math.max(counters[0], parsed.number() + 1);
    lastSequence = counters[1];
    logNumber = counters[2];
    for (long number : current.fileNumbers()) {
      if (number >= nextFileNumber) {
        throw new CorruptionException(
            manifest, -1, "table #" + number + " is not below next file number " + nextFileNumber);
      }
    }
  }

  /** Starts a new manifest holding the whole current state, then points CURRENT at it. */
  private void writeSnapshotManifest() throws StorageException {
    long number = nextFileNumber++;
    Path path = FileNames.manifest(dir, number);
    VersionEdit snapshot = new VersionEdit();
    snapshot.nextFileNumber = nextFileNumber;
    snapshot.lastSequence = lastSequence;
    snapshot.logNumber = logNumber;
    for (int level = 0; level < levelsMax; level++) {
      for (FileMeta file : current.files(level)) {
        snapshot.add(level, file);
      }
    }
    WritableFile file = null;
    try {
      file = fs.create(path);
      LogWriter log = new LogWriter(file);
      byte[] record = snapshot.encode();
      log.append(record, 0, record.length);
      log.sync();
      writeCurrent(path);
      closeManifest();
      long previous = manifestNumber;
      manifestFile = file;
      manifestLog = log;
      manifestNumber = number;
      if (previous >= 0) {
        fs.delete(FileNames.manifest(dir, previous));
      }
    } catch (IOException e) {
      if (file != null) {
        try {
          file.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw wrap("cannot write manifest " + path, e);
    }
  }

  private void writeCurrent(Path manifest) throws IOException {
    Path temp = dir.resolve(FileNames.CURRENT + FileNames.TEMP_SUFFIX);
    byte[] content = (manifest.getFileName() + "\n").getBytes(StandardCharsets.UTF_8);
    try (WritableFile file = fs.create(temp)) {
      file.write(content, 0, content.length);
      file.sync();
    }
    fs.rename(temp, dir.resolve(FileNames.CURRENT));
    fs.syncDirectory(dir);
  }

  private void closeManifest() throws IOException {
    if (manifestLog != null) {
      manifestLog.close();
      manifestLog = null;
      manifestFile = null;
    }
  }

  /**
   * Records {@code edit} durably in the manifest, then makes the version it produces current. Fills
   * in the counters the edit does not set. A failure leaves the manifest's state unknown: the
   * caller must stop writing (sticky error).
   */
  synchronized void logAndApply(VersionEdit edit) throws StorageException {
    if (edit.logNumber < 0) {
      edit.logNumber = logNumber;
    }
    if (edit.logNumber < logNumber) {
      throw new IllegalStateException(
          "log number moves back: " + edit.logNumber + " < " + logNumber);
    }
    edit.lastSequence = Math.max(edit.lastSequence, lastSequence);
    edit.nextFileNumber = nextFileNumber;
    Version next = current.apply(edit);
    byte[] record = edit.encode();
    try {
      manifestLog.append(record, 0, record.length);
      manifestLog.sync();
    } catch (IOException e) {
      throw wrap("cannot write manifest " + FileNames.manifest(dir, manifestNumber), e);
    }
    logNumber = edit.logNumber;
    lastSequence = edit.lastSequence;
    install(next);
    if (manifestLog.bytesWritten() > MANIFEST_ROLL_BYTES) {
      writeSnapshotManifest();
    }
  }

  private void install(Version next) {
    Version previous = current;
    synchronized (liveVersions) {
      liveVersions.add(next);
    }
    current = next;
    release(previous);
  }

  /** The current version with a reference taken; release it with {@link #release}. */
  Version acquireCurrent() {
    while (true) {
      Version version = current;
      if (version.retain()) {
        return version;
      }
      // It was replaced and released between the read and the retain: read the new one.
    }
  }

  /** Drops a reference taken by {@link #acquireCurrent}. */
  void release(Version version) {
    if (version.release()) {
      synchronized (liveVersions) {
        liveVersions.remove(version);
      }
      version.releasePins(TableCache::releaseHandle);
    }
  }

  /** Numbers of every table some live version still references. */
  Set<Long> liveTableNumbers() {
    Set<Long> numbers = new HashSet<>();
    synchronized (liveVersions) {
      for (Version version : liveVersions) {
        for (long number : version.fileNumbers()) {
          numbers.add(number);
        }
      }
    }
    return numbers;
  }

  synchronized long newFileNumber() {
    return nextFileNumber++;
  }

  synchronized long lastSequence() {
    return lastSequence;
  }

  /** Raises the durable last sequence (recovered from logs) before the next edit records it. */
  synchronized void advanceLastSequence(long sequence) {
    lastSequence = Math.max(lastSequence, sequence);
  }

  synchronized long logNumber() {
    return logNumber;
  }

  synchronized long manifestNumber() {
    return manifestNumber;
  }

  /** The current version, without a reference: for decisions made under the engine's lock. */
  Version current() {
    return current;
  }

  synchronized void close() throws StorageException {
    // The current version keeps this set's reference until the end: let its readers go now, so
    // that they close with the table cache (a lookup still running on a closing engine may fail).
    current.releasePins(TableCache::releaseHandle);
    try {
      closeManifest();
    } catch (IOException e) {
      throw wrap("cannot close manifest", e);
    }
  }

  private static StorageException wrap(String message, IOException e) {
    if (e instanceof StorageException storage) {
      return storage;
    }
    return new StorageException(message + ": " + e.getMessage(), e);
  }
}
