package io.ringkv.storage.lsm;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.WriteLimits;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import io.ringkv.storage.sstable.BlockCache;
import io.ringkv.storage.sstable.SstableOptions;
import io.ringkv.storage.wal.LogReader;
import io.ringkv.storage.wal.WriteBatchCodec;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ringkv's own storage engine: a log-structured merge tree in the manner of LevelDB and RocksDB.
 *
 * <p>Write path: writers queue up; the writer at the front (the leader) takes the writes queued
 * behind it as one group, appends them to the write-ahead log in one system call, fsyncs once if
 * any of them asked for {@link Durability#SYNC} (group commit), inserts them into the memtable,
 * then publishes their sequence numbers to readers and wakes the group (LevelDB's writer queue). A
 * full memtable is switched for a new one with a new log segment and flushed to a level-0 table in
 * the background; leveled compaction ({@link Compaction}) pushes tables down. Back-pressure: too
 * many level-0 tables delay each write by a millisecond, then stop writes; too many unflushed
 * memtables stop writes until a flush ends. Nothing grows without bound.
 *
 * <p>Read path: active memtable, immutable memtables newest first, level-0 tables newest first,
 * then one table per deeper level, skipping tables by key range and bloom filter; the first version
 * at or below the read's sequence wins. Iterators merge all of these at one sequence number while
 * pinning the files they read.
 *
 * <p>Durability: the manifest ({@link VersionSet}) says which tables are live and which log
 * segments still hold unflushed writes; on open, those segments are replayed (a torn tail is cut;
 * damage in the middle refuses the open unless {@code salvage}) and flushed. A failed log write or
 * fsync makes every later write fail (the log's state is unknown) until the engine is reopened.
 *
 * <p>Thread-safe. One flush thread and one compaction thread run in the background; a third fsyncs
 * the log for {@link Durability#PERIODIC} writes. Formats: docs/format/*.md.
 */
public final class LsmEngine implements StorageEngine {
  /** A group commit takes at most this many bytes of batches. */
  static final long GROUP_BYTES_MAX = 1 << 20;

  /** A small leading batch limits its group to itself plus this, to keep its latency low. */
  static final long SMALL_LEADER_GROUP_BYTES = 128 << 10;

  /** How long one slowed-down write waits when level 0 has many tables. */
  static final long SLOWDOWN_NANOS = 1_000_000;

  /** A writer waiting in the queue. */
  private static final class Writer {
    final WriteBatch batch;
    final Durability durability;
    final Condition turn;
    boolean done;
    StorageException error;

    Writer(WriteBatch batch, Durability durability, Condition turn) {
      this.batch = batch;
      this.durability = durability;
      this.turn = turn;
    }
  }

  /** What a read needs of the memtables, published as one volatile snapshot. */
  private record MemState(Memtable active, List<Memtable> immutableNewestFirst) {}

  private final EngineOptions options;
  private final FileSystem fs;
  private final Path dir;
  private final Closeable directoryLock;
  private final VersionSet versions;
  private final BlockCache blockCache;
  private final TableCache tables;
  private final Snapshots snapshots = new Snapshots();
  private final Set<Long> pendingOutputs = ConcurrentHashMap.newKeySet();
  private final SstableOptions tableOptions;
  private final RateLimiter compactionLimiter;
  private final byte[][] compactPointers;

  private final ReentrantLock mutex = new ReentrantLock();
  private final Condition backgroundWorkDone = mutex.newCondition();
  private final ArrayDeque<Writer> writers = new ArrayDeque<>();
  private final List<Memtable> immutables = new ArrayList<>(); // oldest first; under mutex
  private Memtable active; // under mutex
  private volatile MemState memState;
  private long lastSequence; // assigned; under mutex
  private volatile long visibleSequence; // published to readers
  private volatile StorageException backgroundError;
  private volatile boolean closed;
  private boolean flushScheduled; // under mutex
  private boolean compactionScheduled; // under mutex
  private volatile int manualCompactionsPending; // written under mutex

  private final WriteAheadLog log;

  private final ExecutorService flushExecutor;
  private final ExecutorService compactionExecutor;
  private final ScheduledExecutorService syncExecutor;

  private final AtomicLong userBytes = new AtomicLong();
  private final AtomicLong walBytes = new AtomicLong();
  private final AtomicLong flushBytes = new AtomicLong();
  private final AtomicLong compactionBytesWritten = new AtomicLong();
  private final AtomicLong compactionBytesRead = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();
  private final AtomicLong stalls = new AtomicLong();
  private final AtomicLong stallNanos = new AtomicLong();
  private final AtomicLong slowdowns = new AtomicLong();

  private LsmEngine(EngineOptions options, Closeable directoryLock, VersionSet versions) {
    this.options = options;
    this.fs = options.fileSystem();
    this.dir = options.directory();
    this.directoryLock = directoryLock;
    this.versions = versions;
    this.blockCache = new BlockCache(options.blockCacheBytes());
    this.tables = new TableCache(fs, dir, blockCache, options.tableCacheFiles());
    this.tableOptions = SstableOptions.from(options);
    this.compactionLimiter =
        options.compactionBytesPerSecond() > 0
            ? new RateLimiter(options.compactionBytesPerSecond(), options.clock())
            : null;
    this.compactPointers = new byte[options.levelsMax()][];
    this.log = new WriteAheadLog(fs, dir);
    this.flushExecutor = Executors.newSingleThreadExecutor(daemon("ringkv-flush"));
    this.compactionExecutor = Executors.newSingleThreadExecutor(daemon("ringkv-compaction"));
    this.syncExecutor = Executors.newSingleThreadScheduledExecutor(daemon("ringkv-wal-sync"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Opens (creating if needed) the engine in {@code options.directory()}: takes the directory lock,
   * recovers the manifest, replays and flushes the unflushed log segments, deletes files no version
   * needs, and starts the background threads.
   */
  public static LsmEngine open(EngineOptions options) throws StorageException {
    options.validate();
    FileSystem fs = options.fileSystem();
    Path dir = options.directory();
    Closeable lock;
    try {
      fs.createDirectories(dir);
      lock = fs.lock(dir.resolve(FileNames.LOCK));
    } catch (IOException e) {
      throw new StorageException("cannot open engine in " + dir + ": " + e.getMessage(), e);
    }
    LsmEngine engine = null;
    try {
      VersionSet versions = VersionSet.open(fs, dir, options.levelsMax(), options.salvage());
      engine = new LsmEngine(options, lock, versions);
      engine.recover();
      return engine;
    } catch (StorageException | RuntimeException e) {
      if (engine != null) {
        engine.shutdownQuietly();
      } else {
        try {
          lock.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- recovery

  private void recover() throws StorageException {
    List<Path> logs = new ArrayList<>();
    try {
      for (Path file : fs.list(dir)) {
        FileNames.Parsed parsed = FileNames.parse(file);
        if (parsed.kind() == FileNames.Kind.LOG && parsed.number() >= versions.logNumber()) {
          logs.add(file);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    logs.sort((a, b) -> Long.compare(FileNames.parse(a).number(), FileNames.parse(b).number()));
    long maxSequence = versions.lastSequence();
    Memtable recovered = new Memtable(0, Memtable.expectedEntries(options.memtableBytes()));
    for (int i = 0; i < logs.size(); i++) {
      maxSequence = Math.max(maxSequence, replay(logs.get(i), i == logs.size() - 1, recovered));
    }
    lastSequence = maxSequence;
    visibleSequence = maxSequence;
    versions.advanceLastSequence(maxSequence);

    // Start a fresh log, flush what was replayed, and record that the old logs are done with.
    long logNumber = versions.newFileNumber();
    try {
      log.rollTo(logNumber);
    } catch (IOException e) {
      throw new StorageException(
          "cannot create log " + FileNames.log(dir, logNumber) + ": " + e.getMessage(), e);
    }
    active = new Memtable(logNumber, Memtable.expectedEntries(options.memtableBytes()));
    publishMemState();
    VersionEdit edit = new VersionEdit();
    edit.logNumber = logNumber;
    edit.lastSequence = maxSequence;
    if (!recovered.isEmpty()) {
      TableOutputs.Result result = writeLevel0(recovered);
      try {
        for (FileMeta file : result.files()) {
          edit.add(0, file);
        }
        versions.logAndApply(edit);
      } finally {
        outputs().release(result);
      }
    } else {
      versions.logAndApply(edit);
    }
    deleteObsoleteFiles(true);
    syncExecutor.scheduleWithFixedDelay(
        this::periodicSync,
        options.periodicSyncMillis(),
        options.periodicSyncMillis(),
        TimeUnit.MILLISECONDS);
    mutex.lock();
    try {
      maybeScheduleCompaction();
    } finally {
      mutex.unlock();
    }
  }

  /** Replays one log segment into {@code memtable}; returns the highest sequence seen. */
  private long replay(Path path, boolean lastSegment, Memtable memtable) throws StorageException {
    long[] maxSequence = {0};
    LogReader.ReplayResult result;
    try (ReadableFile file = fs.openRead(path)) {
      result =
          LogReader.replay(
              file,
              path,
              lastSegment,
              options.salvage(),
              (payload, offset) ->
                  WriteBatchCodec.decode(
                      payload,
                      path,
                      offset,
                      (sequence, key, encodedCell) -> {
                        int kind =
                            CellCodec.isTombstone(encodedCell, 0)
                                ? InternalKey.KIND_TOMBSTONE
                                : InternalKey.KIND_VALUE;
                        if (sequence > InternalKey.SEQUENCE_MAX) {
                          throw new CorruptionException(path, offset, "sequence out of range");
                        }
                        memtable.add(key, sequence, kind, encodedCell);
                        maxSequence[0] = Math.max(maxSequence[0], sequence);
                      }));
    } catch (IOException e) {
      if (e instanceof StorageException storage) {
        throw storage;
      }
      throw new StorageException("cannot replay log " + path + ": " + e.getMessage(), e);
    }
    if (result.tornTail()) {
      System.getLogger(LsmEngine.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "log {0}: dropped a torn tail of {1} bytes after {2} good records",
              path,
              result.droppedBytes(),
              result.records());
    }
    for (String damage : result.salvaged()) {
      System.getLogger(LsmEngine.class.getName())
          .log(System.Logger.Level.WARNING, "salvage skipped damaged log bytes: {0}", damage);
    }
    return maxSequence[0];
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(byte[] key, Cell cell, Durability durability) throws StorageException {
    WriteLimits.check(key, cell, options);
    if (durability != Durability.SYNC && mutex.tryLock()) {
      try {
        if (writers.isEmpty() && roomWithoutWaiting()) {
          writeAlone(key, cell);
          return;
        }
      } finally {
        mutex.unlock();
      }
    }
    WriteBatch batch = new WriteBatch();
    batch.put(key, cell);
    write(batch, durability);
  }

  /**
   * With the mutex held and no writer queued: whether a write may go ahead at once, without
   * back-pressure (slowdown, stall) and without switching the memtable. The fast path of {@link
   * #put} takes only such writes; every other write queues and leads as usual.
   */
  private boolean roomWithoutWaiting() throws StorageException {
    checkWritable();
    return versions.current().files(0).size() < options.level0SlowdownTrigger()
        && active.approximateBytes() < options.memtableBytes()
        && log.segmentBytes() < options.walSegmentBytes();
  }

  /**
   * The fast path of a single {@link Durability#NONE} or {@link Durability#PERIODIC} put with no
   * writer queued (the usual case on a front end's event loop): the write is a group of one, so it
   * skips the writer queue (no queue entry, condition, batch or group list) and stays under the
   * mutex while it appends to the log and inserts into the memtable. Appending needs no fsync, so
   * holding the mutex costs other writers no more than queueing behind this one would; readers
   * never take it. The order is the queue's: log, then memtable, then the sequence is published;
   * the cell is encoded once for the log record and the memtable.
   */
  private void writeAlone(byte[] key, Cell cell) throws StorageException {
    if (cell.isTombstone() && !cell.hasExpiry()) {
      cell = cell.stampDeletionTime(options.clock().epochMillis());
    }
    if (lastSequence + 1 > InternalKey.SEQUENCE_MAX) {
      throw new StorageException("sequence numbers exhausted");
    }
    long sequence = ++lastSequence;
    byte[] encodedCell = CellCodec.encode(cell);
    byte[] payload = WriteBatchCodec.encodeSingle(sequence, key, encodedCell);
    try {
      log.append(payload, 0, payload.length);
      walBytes.addAndGet(log.flush());
    } catch (IOException e) {
      throw logFailed("writing", e);
    }
    int kind = cell.isTombstone() ? InternalKey.KIND_TOMBSTONE : InternalKey.KIND_VALUE;
    active.add(key, sequence, kind, encodedCell);
    visibleSequence = sequence;
    userBytes.addAndGet(key.length + (cell.value() == null ? 0 : cell.value().length));
  }

  @Override
  public void write(WriteBatch batch, Durability durability) throws StorageException {
    WriteLimits.check(batch, options);
    if (batch.isEmpty()) {
      return;
    }
    batch = stampDeletionTimes(batch);
    mutex.lock();
    try {
      Writer writer = new Writer(batch, durability, mutex.newCondition());
      writers.addLast(writer);
      while (!writer.done && writers.peekFirst() != writer) {
        writer.turn.awaitUninterruptibly();
      }
      if (writer.done) {
        if (writer.error != null) {
          throw writer.error;
        }
        return;
      }
      lead(writer);
    } finally {
      mutex.unlock();
    }
  }

  /** Gives tombstones without a deletion time this engine's time (see {@link Cell}). */
  private WriteBatch stampDeletionTimes(WriteBatch batch) {
    boolean needed = false;
    for (WriteBatch.Entry entry : batch.entries()) {
      if (entry.cell().isTombstone() && !entry.cell().hasExpiry()) {
        needed = true;
        break;
      }
    }
    if (!needed) {
      return batch;
    }
    long now = options.clock().epochMillis();
    WriteBatch stamped = new WriteBatch();
    for (WriteBatch.Entry entry : batch.entries()) {
      stamped.put(entry.key(), entry.cell().stampDeletionTime(now));
    }
    return stamped;
  }

  /** Called with the mutex held by the writer at the front of the queue. */
  private void lead(Writer leader) throws StorageException {
    try {
      makeRoomForWrite(false);
    } catch (StorageException e) {
      writers.removeFirst();
      signalNextLeader();
      throw e;
    }
    List<Writer> group = new ArrayList<>();
    long groupBytes = 0;
    long groupLimit =
        leader.batch.approximateBytes() <= SMALL_LEADER_GROUP_BYTES
            ? leader.batch.approximateBytes() + SMALL_LEADER_GROUP_BYTES
            : GROUP_BYTES_MAX;
    boolean sync = false;
    for (Writer writer : writers) {
      if (writer.batch.isEmpty()) {
        break; // a flush waiting for its turn: it must lead alone
      }
      if (!group.isEmpty() && groupBytes + writer.batch.approximateBytes() > groupLimit) {
        break;
      }
      group.add(writer);
      groupBytes += writer.batch.approximateBytes();
      sync |= writer.durability == Durability.SYNC;
    }
    long firstSequence = lastSequence + 1;
    long count = 0;
    for (Writer writer : group) {
      count += writer.batch.size();
    }
    if (lastSequence + count > InternalKey.SEQUENCE_MAX) {
      throw new StorageException("sequence numbers exhausted");
    }
    lastSequence += count;
    Memtable memtable = active;

    StorageException error = null;
    mutex.unlock();
    try {
      error = appendAndApply(group, firstSequence, sync, memtable);
    } finally {
      mutex.lock();
    }
    if (error != null) {
      backgroundError = backgroundError == null ? error : backgroundError;
    } else {
      visibleSequence = firstSequence + count - 1;
    }
    for (Writer writer : group) {
      Writer removed = writers.removeFirst();
      assert removed == writer : "the group is the front of the queue";
      writer.done = true;
      writer.error = error;
      if (writer != leader) {
        writer.turn.signal();
      }
    }
    signalNextLeader();
    if (error != null) {
      throw error;
    }
  }

  private void signalNextLeader() {
    Writer next = writers.peekFirst();
    if (next != null) {
      next.turn.signal();
    }
  }

  /** Outside the mutex: log the group, sync if asked, insert into the memtable. */
  private StorageException appendAndApply(
      List<Writer> group, long firstSequence, boolean sync, Memtable memtable) {
    long sequence = firstSequence;
    long bytes = 0;
    try {
      for (Writer writer : group) {
        byte[] payload = WriteBatchCodec.encode(sequence, writer.batch);
        log.append(payload, 0, payload.length);
        sequence += writer.batch.size();
      }
      walBytes.addAndGet(log.flush());
      if (sync) {
        log.sync();
      }
    } catch (IOException e) {
      return logFailed("writing or syncing", e);
    }
    sequence = firstSequence;
    for (Writer writer : group) {
      for (WriteBatch.Entry entry : writer.batch.entries()) {
        Cell cell = entry.cell();
        int kind = cell.isTombstone() ? InternalKey.KIND_TOMBSTONE : InternalKey.KIND_VALUE;
        memtable.add(entry.key(), sequence++, kind, CellCodec.encode(cell));
        bytes += entry.key().length + (cell.value() == null ? 0 : cell.value().length);
      }
    }
    userBytes.addAndGet(bytes);
    return null;
  }

  /**
   * With the mutex held: applies back-pressure and switches a full memtable. {@code force} switches
   * even a memtable that is not full (for {@link #flush}).
   */
  private void makeRoomForWrite(boolean force) throws StorageException {
    boolean allowDelay = !force;
    long stallStart = 0;
    try {
      while (true) {
        checkWritable();
        Version current = versions.current();
        int level0 = current.files(0).size();
        if (allowDelay && level0 >= options.level0SlowdownTrigger()) {
          allowDelay = false;
          slowdowns.incrementAndGet();
          mutex.unlock();
          try {
            LockSupport.parkNanos(SLOWDOWN_NANOS);
          } finally {
            mutex.lock();
          }
          continue;
        }
        boolean full =
            active.approximateBytes() >= options.memtableBytes()
                || log.segmentBytes() >= options.walSegmentBytes();
        if (!force && !full) {
          return;
        }
        if (force && active.isEmpty()) {
          return;
        }
        if (immutables.size() >= options.immutableMemtablesMax()
            || level0 >= options.level0StopTrigger()) {
          if (stallStart == 0) {
            stallStart = System.nanoTime();
            stalls.incrementAndGet();
          }
          maybeScheduleCompaction();
          backgroundWorkDone.awaitUninterruptibly();
          continue;
        }
        switchMemtable();
        force = false;
      }
    } finally {
      if (stallStart != 0) {
        stallNanos.addAndGet(System.nanoTime() - stallStart);
      }
    }
  }

  private void checkWritable() throws StorageException {
    if (closed) {
      throw new StorageException("the engine in " + dir + " is closed");
    }
    StorageException error = backgroundError;
    if (error != null) {
      throw new StorageException(error.getMessage(), error);
    }
  }

  /**
   * With the mutex held: seals the log segment and memtable, starts new ones, schedules a flush.
   */
  private void switchMemtable() throws StorageException {
    long number = versions.newFileNumber();
    try {
      log.rollTo(number);
    } catch (IOException e) {
      throw logFailed("sealing or starting", e);
    }
    immutables.add(active);
    active = new Memtable(number, Memtable.expectedEntries(options.memtableBytes()));
    publishMemState();
    maybeScheduleFlush();
  }

  /**
   * Records that an operation on the current log failed, which leaves the log's state unknown: the
   * engine refuses every later write (LevelDB's sticky background error). Returns the error.
   */
  private StorageException logFailed(String operation, IOException cause) {
    StorageException error = log.failure(operation, cause);
    if (backgroundError == null) {
      backgroundError = error;
    }
    return error;
  }

  private void publishMemState() {
    List<Memtable> newestFirst = new ArrayList<>(immutables);
    java.util.Collections.reverse(newestFirst);
    memState = new MemState(active, List.copyOf(newestFirst));
  }

  private void periodicSync() {
    if (closed) {
      return;
    }
    try {
      log.syncIfDirty();
    } catch (IOException e) {
      logFailed("periodic fsync of", e);
    }
  }

  @Override
  public void sync() throws StorageException {
    checkOpen();
    try {
      log.sync();
    } catch (IOException e) {
      throw logFailed("fsync of", e);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Cell get(byte[] key) throws StorageException {
    checkOpen();
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    byte[] encoded = getEncoded(key);
    if (encoded == null) {
      return null;
    }
    try {
      return CellCodec.decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new CorruptionException(dir, -1, "undecodable cell: " + e.getMessage(), e);
    }
  }

  @Override
  public Cell getLive(byte[] key) throws StorageException {
    Cell cell = get(key);
    return cell != null && cell.isLive(options.clock().epochMillis()) ? cell : null;
  }

  private byte[] getEncoded(byte[] key) throws StorageException {
    // Sequence first, then memtables, then tables: a write at or below the sequence is in a
    // memtable of this MemState, or was flushed into the version taken after it.
    long snapshot = visibleSequence;
    MemState mem = memState;
    byte[] found = mem.active().get(key, snapshot);
    if (found != null) {
      return found;
    }
    for (Memtable memtable : mem.immutableNewestFirst()) {
      found = memtable.get(key, snapshot);
      if (found != null) {
        return found;
      }
    }
    Version version = versions.acquireCurrent();
    try {
      List<FileMeta> levelZero = version.files(0);
      for (int index = 0; index < levelZero.size(); index++) {
        if (levelZero.get(index).mayContainUserKey(key)) {
          found = getFromTable(version, 0, index, key, snapshot);
          if (found != null) {
            return found;
          }
        }
      }
      byte[] seekKey = null;
      for (int level = 1; level < version.levelCount(); level++) {
        List<FileMeta> files = version.files(level);
        if (files.isEmpty()) {
          continue;
        }
        if (seekKey == null) {
          seekKey = InternalKey.seekKey(key, snapshot);
        }
        int index = version.findFile(level, seekKey);
        if (index < files.size() && files.get(index).mayContainUserKey(key)) {
          found = getFromTable(version, level, index, key, snapshot);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    } finally {
      versions.release(version);
    }
  }

  /**
   * Looks {@code key} up in table {@code index} of {@code level} of {@code version}, which the
   * caller holds: through the reader the version pinned, pinning it on the version's first lookup
   * of the table while the table cache has room (see {@link Version}).
   */
  private byte[] getFromTable(Version version, int level, int index, byte[] key, long snapshot)
      throws StorageException {
    TableCache.Handle pinned = version.pinned(level, index);
    if (pinned != null) {
      return pinned.reader.get(key, snapshot);
    }
    TableCache.Handle handle = tables.acquire(version.files(level).get(index).number());
    if (tables.roomToPin()) {
      TableCache.Handle winner = version.pin(level, index, handle);
      if (winner == handle) {
        return handle.reader.get(key, snapshot);
      }
    }
    try {
      return handle.reader.get(key, snapshot);
    } finally {
      tables.release(handle);
    }
  }

  @Override
  public CellIterator scan(KeyRange range, ScanMode mode) throws StorageException {
    checkOpen();
    long snapshot = visibleSequence;
    MemState mem = memState;
    snapshots.acquire(snapshot);
    Version version = versions.acquireCurrent();
    List<InternalIterator> children = new ArrayList<>();
    try {
      children.add(mem.active().iterator());
      for (Memtable memtable : mem.immutableNewestFirst()) {
        children.add(memtable.iterator());
      }
      byte[] to = range.to();
      for (FileMeta file : version.files(0)) {
        if (file.overlaps(range.from(), to)) {
          children.add(new TableIterator(tables, file.number(), true));
        }
      }
      for (int level = 1; level < version.levelCount(); level++) {
        if (!version.files(level).isEmpty()) {
          children.add(new LevelIterator(version, level, tables, true));
        }
      }
      MergingIterator merged = new MergingIterator(children);
      return new EngineIterator(
          merged,
          snapshot,
          range,
          mode,
          options.clock().epochMillis(),
          () -> {
            versions.release(version);
            snapshots.release(snapshot);
          });
    } catch (StorageException | RuntimeException e) {
      for (InternalIterator child : children) {
        child.close();
      }
      versions.release(version);
      snapshots.release(snapshot);
      throw e;
    }
  }

  // ---------------------------------------------------------------- flush

  private void maybeScheduleFlush() {
    if (!flushScheduled && !immutables.isEmpty() && !closed) {
      flushScheduled = true;
      flushExecutor.execute(this::flushImmutables);
    }
  }

  private void flushImmutables() {
    while (true) {
      Memtable oldest;
      mutex.lock();
      try {
        if (immutables.isEmpty() || closed || backgroundError != null) {
          flushScheduled = false;
          backgroundWorkDone.signalAll();
          return;
        }
        oldest = immutables.get(0);
      } finally {
        mutex.unlock();
      }
      try {
        flushOne(oldest);
      } catch (StorageException | RuntimeException e) {
        mutex.lock();
        try {
          backgroundError =
              e instanceof StorageException storage
                  ? storage
                  : new StorageException("flush failed: " + e, e);
          flushScheduled = false;
          backgroundWorkDone.signalAll();
        } finally {
          mutex.unlock();
        }
        return;
      }
    }
  }

  private void flushOne(Memtable memtable) throws StorageException {
    TableOutputs.Result result = writeLevel0(memtable);
    try {
      VersionEdit edit = new VersionEdit();
      int level = 0;
      if (result.files().size() == 1) {
        level = levelForFlushedTable(result.files().get(0));
      }
      for (FileMeta file : result.files()) {
        edit.add(level, file);
      }
      mutex.lock();
      try {
        edit.logNumber = immutables.size() > 1 ? immutables.get(1).logNumber() : active.logNumber();
        // Every sequence up to here is in a table or in a log at or after the new log number.
        edit.lastSequence = visibleSequence;
      } finally {
        mutex.unlock();
      }
      versions.logAndApply(edit);
    } finally {
      outputs().release(result);
    }
    flushBytes.addAndGet(result.bytesWritten());
    flushes.incrementAndGet();
    mutex.lock();
    try {
      Memtable removed = immutables.remove(0);
      assert removed == memtable : "flushes go oldest first";
      publishMemState();
      backgroundWorkDone.signalAll();
      maybeScheduleCompaction();
    } finally {
      mutex.unlock();
    }
    deleteObsoleteFiles(false);
  }

  /** A flushed table that overlaps nothing may go below level 0 (LevelDB, up to level 2). */
  private int levelForFlushedTable(FileMeta file) {
    Version version = versions.current();
    byte[] from = InternalKey.userKey(file.smallestKey());
    byte[] to = InternalKey.userKey(file.largestKey());
    if (!version.overlapping(0, from, to).isEmpty()) {
      return 0;
    }
    int level = 0;
    while (level < 2
        && level + 1 < version.levelCount() - 1
        && version.overlapping(level + 1, from, to).isEmpty()) {
      level++;
    }
    return level;
  }

  private TableOutputs outputs() {
    return new TableOutputs(fs, dir, tableOptions, versions::newFileNumber, pendingOutputs, null);
  }

  private TableOutputs.Result writeLevel0(Memtable memtable) throws StorageException {
    long smallestSnapshot = snapshots.oldest(visibleSequence);
    try (InternalIterator input = memtable.iterator()) {
      return outputs()
          .write(input, TableOutputs.DropRules.shadowedOnly(smallestSnapshot), Long.MAX_VALUE);
    }
  }

  @Override
  public void flush() throws StorageException {
    checkOpen();
    mutex.lock();
    try {
      // Queue as a writer so that no group is half-way through the memtable being switched.
      Writer writer = new Writer(new WriteBatch(), Durability.NONE, mutex.newCondition());
      writers.addLast(writer);
      while (writers.peekFirst() != writer) {
        writer.turn.awaitUninterruptibly();
      }
      assert !writer.done : "no group takes a flush's place in the queue";
      try {
        makeRoomForWrite(true);
      } finally {
        writers.removeFirst();
        signalNextLeader();
      }
      while (!immutables.isEmpty()) {
        checkWritable();
        maybeScheduleFlush();
        backgroundWorkDone.awaitUninterruptibly();
      }
      checkWritable();
    } finally {
      mutex.unlock();
    }
  }

  // ---------------------------------------------------------------- compaction

  private void maybeScheduleCompaction() {
    if (compactionScheduled || closed || backgroundError != null || manualCompactionsPending > 0) {
      return; // a manual compaction waits for the slot: do not take it from under it
    }
    if (Compaction.pick(versions.current(), options, compactPointers.clone()) == null) {
      return;
    }
    compactionScheduled = true;
    compactionExecutor.execute(this::compactInBackground);
  }

  private void compactInBackground() {
    try {
      while (!closed && backgroundError == null && manualCompactionsPending == 0) {
        Compaction compaction = Compaction.pick(versions.current(), options, compactPointers);
        if (compaction == null) {
          break;
        }
        runCompaction(compaction);
      }
    } catch (StorageException | RuntimeException e) {
      backgroundError =
          e instanceof StorageException storage
              ? storage
              : new StorageException("compaction failed: " + e, e);
    } finally {
      mutex.lock();
      try {
        compactionScheduled = false;
        backgroundWorkDone.signalAll();
        maybeScheduleCompaction();
      } finally {
        mutex.unlock();
      }
    }
  }

  private void runCompaction(Compaction compaction) throws StorageException {
    VersionEdit edit = new VersionEdit();
    int output = compaction.outputLevel();
    if (compaction.trivialMove()) {
      FileMeta file = compaction.inputs().get(0);
      edit.delete(compaction.level(), file.number()).add(output, file);
      versions.logAndApply(edit);
      compactPointers[compaction.level()] = file.largestKey();
      compactions.incrementAndGet();
      return;
    }
    Version version = versions.acquireCurrent();
    TableOutputs.Result result;
    long bytesRead = 0;
    List<InternalIterator> children = new ArrayList<>();
    try {
      for (FileMeta file : compaction.allInputs()) {
        children.add(new TableIterator(tables, file.number(), false));
        bytesRead += file.fileBytes();
      }
      long smallestSnapshot = snapshots.oldest(visibleSequence);
      TableOutputs.DropRules rules =
          new TableOutputs.DropRules(
              smallestSnapshot,
              options.clock().epochMillis(),
              options.tombstoneGraceMillis(),
              userKey -> isBaseLevelForKey(version, output, userKey));
      TableOutputs outputs =
          new TableOutputs(
              fs, dir, tableOptions, versions::newFileNumber, pendingOutputs, compactionLimiter);
      try (MergingIterator merged = new MergingIterator(children)) {
        children = List.of();
        result = outputs.write(merged, rules, options.targetFileBytes());
      }
      try {
        for (FileMeta file : compaction.inputs()) {
          edit.delete(compaction.level(), file.number());
        }
        for (FileMeta file : compaction.overlapping()) {
          edit.delete(output, file.number());
        }
        for (FileMeta file : result.files()) {
          edit.add(output, file);
        }
        versions.logAndApply(edit);
      } finally {
        outputs.release(result);
      }
    } finally {
      for (InternalIterator child : children) {
        child.close();
      }
      versions.release(version);
    }
    FileMeta last = compaction.inputs().get(compaction.inputs().size() - 1);
    compactPointers[compaction.level()] = last.largestKey();
    compactionBytesRead.addAndGet(bytesRead);
    compactionBytesWritten.addAndGet(result.bytesWritten());
    compactions.incrementAndGet();
    deleteObsoleteFiles(false);
  }

  /** True if no level below {@code outputLevel} may hold a version of {@code userKey}. */
  private static boolean isBaseLevelForKey(Version version, int outputLevel, byte[] userKey) {
    for (int level = outputLevel + 1; level < version.levelCount(); level++) {
      for (FileMeta file : version.files(level)) {
        if (file.mayContainUserKey(userKey)) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void compact() throws StorageException {
    flush();
    mutex.lock();
    try {
      manualCompactionsPending++;
      try {
        // Wait for background compaction to go idle, then run whole-level compactions ourselves
        // while holding the compaction slot.
        while (compactionScheduled) {
          checkWritable();
          backgroundWorkDone.awaitUninterruptibly();
        }
        compactionScheduled = true;
      } finally {
        manualCompactionsPending--;
      }
    } finally {
      mutex.unlock();
    }
    try {
      Version version = versions.current();
      int deepest = -1;
      for (int level = 0; level < version.levelCount(); level++) {
        if (!version.files(level).isEmpty()) {
          deepest = level;
        }
      }
      if (deepest >= 0) {
        // Push every level down into the deepest one that holds data (level 1 at least), then
        // rewrite that level in place so that dead cells past their grace are purged there too.
        int bottom = Math.max(deepest, 1);
        for (int level = 0; level < bottom; level++) {
          Compaction down = Compaction.ofWholeLevel(versions.current(), level);
          if (!down.inputs().isEmpty()) {
            runCompaction(level + 1 < bottom ? down : down.rewriting());
          }
        }
        Compaction inPlace = Compaction.inPlace(versions.current(), bottom);
        if (!inPlace.inputs().isEmpty() && deepest == bottom) {
          runCompaction(inPlace);
        }
      }
    } catch (StorageException | RuntimeException e) {
      if (backgroundError == null) {
        backgroundError =
            e instanceof StorageException storage
                ? storage
                : new StorageException("compaction failed: " + e, e);
      }
      throw e;
    } finally {
      mutex.lock();
      try {
        compactionScheduled = false;
        backgroundWorkDone.signalAll();
        maybeScheduleCompaction();
      } finally {
        mutex.unlock();
      }
    }
  }

  // ---------------------------------------------------------------- files

  /** Deletes tables no live version needs, logs already flushed, and stale manifests. */
  private void deleteObsoleteFiles(boolean atOpen) {
    // Order matters: list, then copy the pending outputs, then compute the live set. A table that
    // is listed but no longer pending was recorded in a version before it stopped being pending,
    // so the live set computed afterwards contains it.
    List<Path> files;
    try {
      files = fs.list(dir);
    } catch (IOException e) {
      return; // Retried after the next flush or compaction.
    }
    Set<Long> pending = Set.copyOf(pendingOutputs);
    Set<Long> live = versions.liveTableNumbers();
    long minLog = versions.logNumber();
    long currentLog = log.number();
    long manifest = versions.manifestNumber();
    for (Path file : files) {
      FileNames.Parsed parsed = FileNames.parse(file);
      boolean obsolete =
          switch (parsed.kind()) {
            case TABLE -> !live.contains(parsed.number()) && !pending.contains(parsed.number());
            case LOG -> parsed.number() < minLog && parsed.number() != currentLog;
            case MANIFEST -> parsed.number() != manifest;
            case TEMP -> atOpen;
            case CURRENT, LOCK, OTHER -> false;
          };
      if (obsolete) {
        if (parsed.kind() == FileNames.Kind.TABLE) {
          tables.evict(parsed.number());
        }
        try {
          fs.delete(file);
        } catch (IOException e) {
          // Left for the next pass; an orphan is harmless and deleted at the next open.
        }
      }
    }
  }

  // ---------------------------------------------------------------- stats and lifecycle

  @Override
  public EngineStats stats() {
    Version version = versions.acquireCurrent();
    try {
      List<Integer> files = new ArrayList<>();
      List<Long> bytes = new ArrayList<>();
      long live = 0;
      long keys = 0;
      for (int level = 0; level < version.levelCount(); level++) {
        for (FileMeta file : version.files(level)) {
          keys += file.entries() - 2 * file.tombstones(); // a tombstone also hides one older entry
        }
        files.add(version.files(level).size());
        long levelBytes = version.levelBytes(level);
        bytes.add(levelBytes);
        live += levelBytes;
      }
      MemState mem = memState;
      long memBytes = mem.active().approximateBytes();
      keys += mem.active().entryCount();
      for (Memtable memtable : mem.immutableNewestFirst()) {
        memBytes += memtable.approximateBytes();
        keys += memtable.entryCount();
      }
      return new EngineStats(
          userBytes.get(),
          walBytes.get(),
          flushBytes.get(),
          compactionBytesWritten.get(),
          compactionBytesRead.get(),
          flushes.get(),
          compactions.get(),
          stalls.get(),
          stallNanos.get(),
          slowdowns.get(),
          blockCache.hits(),
          blockCache.misses(),
          files,
          bytes,
          memBytes,
          live,
          Math.max(0, keys));
    } finally {
      versions.release(version);
    }
  }

  private void checkOpen() throws StorageException {
    if (closed) {
      throw new StorageException("the engine in " + dir + " is closed");
    }
  }

  @Override
  public void close() throws StorageException {
    mutex.lock();
    try {
      if (closed) {
        return;
      }
      // Let queued writers finish before closing.
      while (!writers.isEmpty()) {
        backgroundWorkDone.awaitNanos(1_000_000);
      }
      closed = true;
      backgroundWorkDone.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      mutex.unlock();
    }
    StorageException failure = null;
    shutdownExecutors();
    try {
      log.close(backgroundError == null);
    } catch (IOException e) {
      failure = new StorageException("cannot sync log on close: " + e.getMessage(), e);
    }
    try {
      versions.close();
    } catch (StorageException e) {
      failure = failure == null ? e : failure;
    }
    tables.close();
    try {
      directoryLock.close();
    } catch (IOException e) {
      failure = failure == null ? new StorageException("cannot release lock: " + e, e) : failure;
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void shutdownExecutors() {
    flushExecutor.shutdown();
    compactionExecutor.shutdown();
    syncExecutor.shutdown();
    try {
      flushExecutor.awaitTermination(1, TimeUnit.MINUTES);
      compactionExecutor.awaitTermination(1, TimeUnit.MINUTES);
      syncExecutor.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void shutdownQuietly() {
    closed = true;
    shutdownExecutors();
    try {
      log.close(false);
    } catch (IOException ignored) {
      // Already failing; the original error is what matters.
    }
    try {
      versions.close();
    } catch (StorageException ignored) {
      // As above.
    }
    tables.close();
    try {
      directoryLock.close();
    } catch (IOException ignored) {
      // As above.
    }
  }
}
