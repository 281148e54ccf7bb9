package io.ringkv.cluster.hints;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.HintSink;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.WritableFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Durable hinted handoff (Dynamo §4.6, Cassandra's hints): the writes a replica missed, kept on
 * this node in a log per target until the target is back and takes them. Format and recovery:
 * docs/format/hints.md.
 *
 * <p>Layout: {@code <directory>/_lock}; per target a marker {@code <directory>/_target.<target>}
 * (the file system lists files, not directories, so the markers name the targets) and a directory
 * {@code <directory>/<target>/} of segment files appended in order ({@link TargetLog}). Our own
 * files start with '_', which no node id does, so they never clash with a target's directory.
 *
 * <p>Why a log per target: delivery reads one target's hints in the order they were stored, and a
 * delivered prefix is freed by deleting whole files, with no compaction. Why redelivery is fine:
 * the target applies hints last-write-wins, so a hint it already has changes nothing; the read
 * position is therefore kept durably only at segment granularity.
 *
 * <p>Bounds: {@link HintConfig#maxBytesPerTarget()} bytes per target (a store past it returns false
 * and counts {@code droppedFull}); a single hint at most {@link HintConfig#segmentBytes()} less the
 * segment header; a batch at most the {@code maxBytes} the caller asks for.
 *
 * <p>Bad data is an ordinary input: opening never throws for damaged files (a torn tail is cut, a
 * damaged record drops the rest of its segment and counts {@code corrupt}), only for I/O failures.
 * Reads no clock: times are arguments.
 *
 * <p>Thread-safe: any number of threads may {@link #store}; one delivery thread calls {@link #peek}
 * and {@link #delivered} (they are serialised per target in any case).
 */
public final class HintStore implements HintSink, AutoCloseable {
  private final FileSystem fileSystem;
  private final Path directory;
  private final HintConfig config;
  private final Closeable directoryLock;
  private final HintCounters counters = new HintCounters();
  private final ConcurrentSkipListMap<NodeId, TargetLog> logs = new ConcurrentSkipListMap<>();

  /** Serialises the creation of a target's directory and marker. */
  private final ReentrantLock registration = new ReentrantLock();

  private volatile boolean closed;

  private HintStore(
      FileSystem fileSystem, Path directory, HintConfig config, Closeable directoryLock) {
    this.fileSystem = fileSystem;
    this.directory = directory;
    this.config = config;
    this.directoryLock = directoryLock;
  }

  /**
   * Opens (creating if needed) the hint store in {@code directory}, e.g. {@code <data>/hints}, and
   * recovers every target's log.
   *
   * @throws IOException if the file system fails, or another store holds the directory
   */
  public static HintStore open(FileSystem fileSystem, Path directory, HintConfig config)
      throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(config, "config");
    if (!fileSystem.exists(directory)) {
      fileSystem.createDirectories(directory);
      Path parent = directory.toAbsolutePath().getParent();
      if (parent != null) {
        fileSystem.syncDirectory(parent);
      }
    }
    Closeable lock = fileSystem.lock(directory.resolve(HintFormat.LOCK_FILE));
    HintStore store = new HintStore(fileSystem, directory, config, lock);
    try {
      for (Path file : fileSystem.list(directory)) {
        NodeId target = targetOfMarker(file.getFileName().toString());
        if (target != null) {
          store.logs.put(
              target,
              TargetLog.recover(
                  fileSystem, target, directory.resolve(target.value()), config, store.counters));
        }
      }
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return store;
  }

  /** The target a marker file names, or null if the name is not a marker. */
  private static NodeId targetOfMarker(String name) {
    if (!name.startsWith(HintFormat.TARGET_MARKER_PREFIX)) {
      return null;
    }
    try {
      return NodeId.of(name.substring(HintFormat.TARGET_MARKER_PREFIX.length()));
    } catch (IllegalArgumentException notANodeId) {
      return null;
    }
  }

  public HintConfig config() {
    return config;
  }

  /**
   * Keeps {@code cell} under {@code key} for {@code target}, durably per {@link
   * HintConfig#durability()}: SYNC fsyncs before returning (concurrent stores for one target share
   * an fsync), PERIODIC and NONE leave it to {@link #sync}.
   *
   * @param nowMillis this node's wall clock, epoch milliseconds: the hint's window starts now
   * @return false, counted as {@code droppedFull}, if hints are off or the target already holds
   *     {@link HintConfig#maxBytesPerTarget()} bytes of hints
   * @throws IllegalArgumentException if the hint is larger than a segment can hold (the message
   *     names {@code hints.segment_bytes})
   * @throws IOException if it could not be written or synced; the hint may or may not have been
   *     kept, and later stores start a new segment
   */
  @Override
  public boolean store(NodeId target, byte[] key, Cell cell, long nowMillis) throws IOException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cell, "cell");
    checkOpen();
    if (!config.enabled()) {
      counters.droppedFull.incrementAndGet();
      return false;
    }
    byte[] record =
        HintRecord.encode(
            nowMillis,
            key,
            cell,
            config.segmentBytes() - HintFormat.SEGMENT_HEADER_BYTES,
            "hints.segment_bytes (" + config.segmentBytes() + ")");
    if (!logFor(target).append(record, config.durability() == Durability.SYNC)) {
      counters.droppedFull.incrementAndGet();
      return false;
    }
    counters.stored.incrementAndGet();
    return true;
  }

  private TargetLog logFor(NodeId target) throws IOException {
    TargetLog log = logs.get(target);
    if (log != null) {
      return log;
    }
    registration.lock();
    try {
      log = logs.get(target);
      if (log == null) {
        checkOpen();
        Path targetDirectory = directory.resolve(target.value());
        fileSystem.createDirectories(targetDirectory);
        WritableFile marker =
            fileSystem.create(directory.resolve(HintFormat.TARGET_MARKER_PREFIX + target.value()));
        marker.close();
        fileSystem.syncDirectory(directory);
        // Recover rather than start empty: segments left without a marker (an operator deleted
        // it) are picked up instead of being overwritten by a new segment of the same number.
        log = TargetLog.recover(fileSystem, target, targetDirectory, config, counters);
        logs.put(target, log);
      }
      return log;
    } finally {
      registration.unlock();
    }
  }

  /**
   * The oldest undelivered hints of {@code target}: at least one if any is pending, otherwise at
   * most {@code maxBytes} (sizes as in the log, headers included). Hints stored more than {@link
   * HintConfig#windowMillis()} before {@code nowMillis} are skipped, consumed and counted as {@code
   * droppedExpired}. Empty when nothing is pending. Calling it again without {@link #delivered}
   * returns the same hints (minus any that expired meanwhile). Expired hints cost a read each, so a
   * call after a long outage may read through all of the target's hints (at most {@link
   * HintConfig#maxBytesPerTarget()}).
   *
   * @throws IOException if a segment cannot be read (damage is not an error: it is dropped and
   *     counted as {@code corrupt})
   */
  public HintBatch peek(NodeId target, int maxBytes, long nowMillis) throws IOException {
    Objects.requireNonNull(target, "target");
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
    }
    checkOpen();
    TargetLog log = logs.get(target);
    if (log == null) {
      return HintBatch.empty(target);
    }
    return log.peek(maxBytes, nowMillis);
  }

  /**
   * The target took {@code batch}: its hints are consumed, and segments left fully consumed are
   * deleted. A batch delivered twice, or an empty one, changes nothing.
   *
   * @throws IllegalArgumentException if the batch was not peeked from this store
   */
  public void delivered(HintBatch batch) throws IOException {
    Objects.requireNonNull(batch, "batch");
    checkOpen();
    if (batch.isEmpty()) {
      return;
    }
    TargetLog log = logs.get(batch.target());
    if (log == null || batch.position().log != log) {
      throw new IllegalArgumentException(
          "batch for " + batch.target() + " was not peeked from this hint store");
    }
    log.delivered(batch.position(), batch.cells().size());
  }

  /** Targets with hints not yet delivered, in node id order. */
  public Set<NodeId> targets() {
    TreeSet<NodeId> pending = new TreeSet<>();
    for (Map.Entry<NodeId, TargetLog> entry : logs.entrySet()) {
      if (entry.getValue().pendingBytes() > 0) {
        pending.add(entry.getKey());
      }
    }
    return Collections.unmodifiableSet(pending);
  }

  /** Bytes of hints kept for {@code target} and not yet delivered. */
  public long pendingBytes(NodeId target) {
    TargetLog log = logs.get(Objects.requireNonNull(target, "target"));
    return log == null ? 0 : log.pendingBytes();
  }

  /** Segment files held for {@code target} now (for tests and metrics). */
  int segmentCount(NodeId target) {
    TargetLog log = logs.get(target);
    return log == null ? 0 : log.segmentCount();
  }

  /** The counters since opening, and what is pending now. */
  public HintStats stats() {
    long pendingBytes = 0;
    int pendingTargets = 0;
    for (TargetLog log : logs.values()) {
      long bytes = log.pendingBytes();
      pendingBytes += bytes;
      if (bytes > 0) {
        pendingTargets++;
      }
    }
    return new HintStats(
        counters.stored.get(),
        counters.delivered.get(),
        counters.droppedFull.get(),
        counters.droppedExpired.get(),
        counters.corrupt.get(),
        pendingBytes,
        pendingTargets);
  }

  /**
   * Fsyncs every hint written and not yet synced (PERIODIC and NONE; the server calls it
   * periodically). After a failure the segment is given up and later stores start a new one.
   */
  public void sync() throws IOException {
    checkOpen();
    IOException first = null;
    for (TargetLog log : logs.values()) {
      try {
        log.sync();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Syncs and closes every log and releases the directory; later calls fail. Idempotent. */
  @Override
  public void close() throws IOException {
    registration.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      registration.unlock();
    }
    IOException first = null;
    for (TargetLog log : logs.values()) {
      try {
        log.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    try {
      directoryLock.close();
    } catch (IOException e) {
      if (first == null) {
        first = e;
      } else {
        first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("hint store " + directory + " is closed");
    }
  }
}
