package io.ringkv.cluster.hints;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hint log of one target: segment files {@code <hints>/<target>/<sequence>.hints}, appended in
 * order by {@link #append} and consumed from the front by {@link #peek} and {@link #delivered}.
 *
 * <p><b>Writing, with group commit.</b> A store queues its encoded record (under the monitor, after
 * checking the bound), then takes the I/O lock; whoever holds it writes every queued record in one
 * write per segment and, for SYNC, one fsync, and marks each record written or failed; a store
 * whose record a previous holder already wrote returns without waiting for the lock. A segment is
 * sealed (fsynced, whatever the policy, and closed) before its successor is created, so only a
 * segment's tail that was never synced can be torn. A new segment's header is fsynced and its
 * directory entry made durable before any record goes in. After a failed write or fsync the
 * segment's bytes past what was written before are unknown: the segment is abandoned (sealed where
 * its readable records end), the group's stores fail, and the next store starts a new segment.
 *
 * <p><b>Reading.</b> Readers see a segment up to {@link Segment#end}, which the writer moves only
 * after a group's bytes are written (and synced, for SYNC), so a reader never sees half a record.
 * The read position is the head segment and an offset in it; {@link #delivered} moves it, deletes
 * the segments it passed (and the active one, if everything written has been delivered) and fsyncs
 * the directory. The position is durable only at segment granularity: after a restart, the rest of
 * a partly delivered segment is delivered again, which is harmless as replicas apply hints
 * last-write-wins.
 *
 * <p><b>Invariants</b> (under the monitor): every segment but the last is sealed; {@code
 * queuedBytes + readableBytes} is the target's pending bytes, at most {@code maxBytesPerTarget} for
 * stores to be accepted; {@code readableBytes} is the sum of the records between the read position
 * and each segment's end.
 *
 * <p><b>Thread-safety.</b> Any number of threads may {@link #append}; {@link #peek} and {@link
 * #delivered} are serialised by a read lock (one delivery thread is the expected caller). Locks are
 * taken in the order read lock, I/O lock, monitor; file reads and deletions happen outside the
 * monitor.
 */
final class TargetLog {
  /** A group's records are gathered into writes of at most this many bytes. */
  static final int WRITE_BUFFER_BYTES = 1 << 20;

  private final FileSystem fileSystem;
  private final NodeId target;
  private final Path directory;
  private final HintConfig config;
  private final HintCounters counters;

  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock ioLock = new ReentrantLock();
  private final ReentrantLock monitor = new ReentrantLock();

  // Guarded by the monitor.
  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private long readOffset = HintFormat.SEGMENT_HEADER_BYTES;
  private long readableBytes;
  private long queuedBytes;
  private ArrayList<Append> queue = new ArrayList<>();
  private boolean closed;

  // Guarded by the I/O lock.
  private long nextSequence;
  private Segment active;
  private WritableFile writer;
  private long writerBytes;
  private boolean unsynced;
  private byte[] writeBuffer;
  private int writeBuffered;

  /** Bytes of the group being written that were made readable so far. */
  private long publishedInGroup;

  /** One store's record on its way to the file. */
  private static final class Append {
    static final int QUEUED = 0;
    static final int WRITTEN = 1;
    static final int FAILED = 2;

    final byte[] record;
    volatile int state = QUEUED;
    volatile IOException failure;

    Append(byte[] record) {
      this.record = record;
    }
  }

  private TargetLog(
      FileSystem fileSystem,
      NodeId target,
      Path directory,
      HintConfig config,
      HintCounters counters,
      long nextSequence) {
    this.fileSystem = fileSystem;
    this.target = target;
    this.directory = directory;
    this.config = config;
    this.counters = counters;
    this.nextSequence = nextSequence;
  }

  /**
   * The log in {@code directory} as the files hold it: each segment's records are checked; a torn
   * tail is cut off; damage drops the rest of its segment and is counted; a segment with an
   * unreadable header is renamed aside and counted; empty segments are deleted. Every recovered
   * segment is sealed: new hints go to a new segment.
   *
   * @throws IOException only if the file system fails
   */
  static TargetLog recover(
      FileSystem fileSystem,
      NodeId target,
      Path directory,
      HintConfig config,
      HintCounters counters)
      throws IOException {
    if (!fileSystem.exists(directory)) {
      fileSystem.createDirectories(directory);
    }
    List<Path> files = fileSystem.list(directory);
    long sequenceMax = 0;
    List<Segment> found = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      String segmentName =
          name.endsWith(HintFormat.SET_ASIDE_SUFFIX)
              ? name.substring(0, name.length() - HintFormat.SET_ASIDE_SUFFIX.length())
              : name;
      long sequence = HintFormat.segmentSequence(segmentName);
      if (sequence < 0) {
        continue;
      }
      sequenceMax = Math.max(sequenceMax, sequence);
      if (segmentName.equals(name)) {
        found.add(new Segment(sequence, file, 0, true));
      }
    }
    found.sort((a, b) -> Long.compare(a.sequence, b.sequence));
    TargetLog log = new TargetLog(fileSystem, target, directory, config, counters, sequenceMax + 1);
    boolean directoryChanged = false;
    for (Segment segment : found) {
      long validEnd = recoverSegment(fileSystem, segment.path, counters);
      if (validEnd < 0) {
        directoryChanged = true;
      } else if (validEnd == HintFormat.SEGMENT_HEADER_BYTES) {
        fileSystem.delete(segment.path);
        directoryChanged = true;
      } else {
        segment.end = validEnd;
        log.segments.addLast(segment);
        log.readableBytes += validEnd - HintFormat.SEGMENT_HEADER_BYTES;
      }
    }
    if (directoryChanged) {
      fileSystem.syncDirectory(directory);
    }
    return log;
  }

  /**
   * Checks one segment, cutting it after its last good record; returns where its records end, or -1
   * if it was deleted (no complete header: a crash while it was created) or set aside.
   */
  private static long recoverSegment(FileSystem fileSystem, Path path, HintCounters counters)
      throws IOException {
    long size = fileSystem.size(path);
    if (size < HintFormat.SEGMENT_HEADER_BYTES) {
      fileSystem.delete(path);
      return -1;
    }
    long validEnd;
    boolean torn;
    try (ReadableFile file = fileSystem.openRead(path)) {
      byte[] header = new byte[HintFormat.SEGMENT_HEADER_BYTES];
      file.read(0, ByteBuffer.wrap(header));
      if (!headerIsValid(header)) {
        counters.corrupt.incrementAndGet();
        fileSystem.rename(
            path, path.resolveSibling(path.getFileName() + HintFormat.SET_ASIDE_SUFFIX));
        return -1;
      }
      SegmentCursor cursor = new SegmentCursor(file, HintFormat.SEGMENT_HEADER_BYTES, size);
      SegmentCursor.Step step;
      do {
        step = cursor.next();
      } while (step == SegmentCursor.Step.RECORD);
      validEnd = cursor.offset();
      torn = step == SegmentCursor.Step.BAD && cursor.tornTail();
      if (step == SegmentCursor.Step.BAD && !torn) {
        counters.corrupt.incrementAndGet();
      }
    }
    if (validEnd < size) {
      fileSystem.truncate(path, validEnd);
    }
    return validEnd;
  }

  private static boolean headerIsValid(byte[] header) {
    for (int i = 0; i < HintFormat.MAGIC.length; i++) {
      if (header[i] != HintFormat.MAGIC[i]) {
        return false;
      }
    }
    return HintRecord.readInt(header, HintFormat.MAGIC.length) == HintFormat.FORMAT_VERSION;
  }

  NodeId target() {
    return target;
  }

  /** Bytes of hints stored and not yet delivered (queued ones included). */
  long pendingBytes() {
    monitor.lock();
    try {
      return queuedBytes + readableBytes;
    } finally {
      monitor.unlock();
    }
  }

  /** Segment files the log holds now (for tests and metrics). */
  int segmentCount() {
    monitor.lock();
    try {
      return segments.size();
    } finally {
      monitor.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Appends one encoded record; false if the target's bound would be passed.
   *
   * @param sync whether to fsync before returning
   * @throws IOException if the record could not be written (or synced)
   */
  boolean append(byte[] record, boolean sync) throws IOException {
    Append append = new Append(record);
    monitor.lock();
    try {
      if (closed) {
        throw new IllegalStateException("hint store is closed");
      }
      if (queuedBytes + readableBytes + record.length > config.maxBytesPerTarget()) {
        return false;
      }
      queuedBytes += record.length;
      queue.add(append);
    } finally {
      monitor.unlock();
    }
    if (append.state == Append.QUEUED) {
      ioLock.lock();
      try {
        if (append.state == Append.QUEUED) {
          writeQueued(sync);
        }
      } finally {
        ioLock.unlock();
      }
    }
    if (append.state != Append.WRITTEN) {
      IOException failure = append.failure;
      throw new IOException(
          "hint for " + target + " was not stored: " + failure.getMessage(), failure);
    }
    return true;
  }

  /** Writes every queued record as one group (I/O lock held). */
  private void writeQueued(boolean sync) {
    List<Append> group;
    long groupBytes = 0;
    boolean isClosed;
    monitor.lock();
    try {
      group = queue;
      queue = new ArrayList<>();
      isClosed = closed;
    } finally {
      monitor.unlock();
    }
    for (Append append : group) {
      groupBytes += append.record.length;
    }
    publishedInGroup = 0;
    IOException failure = null;
    try {
      if (isClosed) {
        throw new IOException("hint store is closed");
      }
      for (Append append : group) {
        writeRecord(append.record);
      }
      flushBuffer();
      if (sync) {
        writer.sync();
        unsynced = false;
      } else {
        unsynced = true;
      }
      if (active != null) {
        publish(active, writerBytes);
      }
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
      abandonActive();
    }
    monitor.lock();
    try {
      queuedBytes -= groupBytes - publishedInGroup;
    } finally {
      monitor.unlock();
    }
    publishedInGroup = 0;
    for (Append append : group) {
      append.failure = failure;
      append.state = failure == null ? Append.WRITTEN : Append.FAILED;
    }
  }

  private void writeRecord(byte[] record) throws IOException {
    if (active != null && writerBytes + record.length > config.segmentBytes()) {
      seal();
    }
    if (active == null) {
      createSegment();
    }
    if (writeBuffer == null) {
      writeBuffer = new byte[WRITE_BUFFER_BYTES];
    }
    if (writeBuffered + record.length > writeBuffer.length) {
      flushBuffer();
    }
    if (record.length > writeBuffer.length) {
      writer.write(record, 0, record.length);
    } else {
      System.arraycopy(record, 0, writeBuffer, writeBuffered, record.length);
      writeBuffered += record.length;
    }
    writerBytes += record.length;
  }

  private void flushBuffer() throws IOException {
    if (writeBuffered > 0) {
      int length = writeBuffered;
      writeBuffered = 0;
      writer.write(writeBuffer, 0, length);
    }
  }

  /** Creates the next segment, its header synced and its name durable (I/O lock). */
  private void createSegment() throws IOException {
    long sequence = nextSequence++;
    Path path = directory.resolve(HintFormat.segmentName(sequence));
    WritableFile file = fileSystem.create(path);
    try {
      ByteBuffer header = ByteBuffer.allocate(HintFormat.SEGMENT_HEADER_BYTES);
      header.put(HintFormat.MAGIC).putInt(HintFormat.FORMAT_VERSION).flip();
      file.write(header);
      file.sync();
      fileSystem.syncDirectory(directory);
    } catch (IOException | RuntimeException e) {
      closeQuietly(file);
      throw e;
    }
    Segment segment = new Segment(sequence, path, HintFormat.SEGMENT_HEADER_BYTES, false);
    monitor.lock();
    try {
      segments.addLast(segment);
    } finally {
      monitor.unlock();
    }
    active = segment;
    writer = file;
    writerBytes = HintFormat.SEGMENT_HEADER_BYTES;
    unsynced = false;
  }

  /** Syncs, publishes and closes the active segment (I/O lock). */
  private void seal() throws IOException {
    flushBuffer();
    writer.sync();
    unsynced = false;
    publish(active, writerBytes);
    WritableFile file = writer;
    monitor.lock();
    try {
      active.sealed = true;
    } finally {
      monitor.unlock();
    }
    active = null;
    writer = null;
    file.close();
  }

  /** After a failure: seals the active segment where its readable records end (I/O lock). */
  private void abandonActive() {
    writeBuffered = 0;
    if (active == null) {
      return;
    }
    monitor.lock();
    try {
      active.sealed = true;
    } finally {
      monitor.unlock();
    }
    closeQuietly(writer);
    active = null;
    writer = null;
    unsynced = false;
  }

  /** Makes {@code segment}'s records up to {@code end} readable (I/O lock). */
  private void publish(Segment segment, long end) {
    long added;
    monitor.lock();
    try {
      added = end - segment.end;
      segment.end = end;
      readableBytes += added;
      queuedBytes -= added;
    } finally {
      monitor.unlock();
    }
    publishedInGroup += added;
  }

  /** Fsyncs what was written and not yet synced. */
  void sync() throws IOException {
    ioLock.lock();
    try {
      if (writer != null && unsynced) {
        try {
          writer.sync();
          unsynced = false;
        } catch (IOException | RuntimeException e) {
          abandonActive();
          throw e;
        }
      }
    } finally {
      ioLock.unlock();
    }
  }

  /** Syncs and closes the active segment; later stores fail. */
  void close() throws IOException {
    ioLock.lock();
    try {
      monitor.lock();
      try {
        closed = true;
      } finally {
        monitor.unlock();
      }
      if (writer != null) {
        WritableFile file = writer;
        boolean needsSync = unsynced;
        writer = null;
        active = null;
        try {
          if (needsSync) {
            file.sync();
          }
        } finally {
          file.close();
        }
      }
    } finally {
      ioLock.unlock();
    }
  }

  private static void closeQuietly(WritableFile file) {
    try {
      file.close();
    } catch (IOException | RuntimeException ignored) {
      // The file is being given up after a failure; the first error is the one reported.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** A segment as a reader sees it at one moment. */
  private record View(Segment segment, long end) {}

  /**
   * The oldest undelivered hints, at most {@code maxBytes} of them (at least one), skipping and
   * consuming those older than the window. See {@link HintStore#peek}.
   */
  HintBatch peek(int maxBytes, long nowMillis) throws IOException {
    readLock.lock();
    try {
      while (true) {
        Segment head;
        long offset;
        List<View> views = new ArrayList<>();
        monitor.lock();
        try {
          if (closed) {
            throw new IllegalStateException("hint store is closed");
          }
          head = segments.peekFirst();
          offset = readOffset;
          for (Segment segment : segments) {
            views.add(new View(segment, segment.end));
          }
        } finally {
          monitor.unlock();
        }
        if (head == null) {
          return HintBatch.empty(target);
        }
        Scan scan = scan(views, head, offset, maxBytes, nowMillis);
        if (scan.headExpired > 0) {
          consume(scan.headSegment, scan.headOffset, scan.headExpired, 0);
        }
        if (scan.damaged != null) {
          discardRest(scan.damaged);
          continue;
        }
        if (scan.cells.isEmpty()) {
          return HintBatch.empty(target);
        }
        return new HintBatch(
            target,
            scan.cells,
            scan.bytes,
            new HintPosition(this, scan.endSegment, scan.endOffset, scan.expiredInBatch));
      }
    } finally {
      readLock.unlock();
    }
  }

  /** What one pass over the log found. */
  private static final class Scan {
    final List<KeyedCell> cells = new ArrayList<>();
    long bytes;
    Segment endSegment;
    long endOffset;
    int expiredInBatch;

    /** Expired hints before the first live one, consumed at once, and where they end. */
    int headExpired;

    Segment headSegment;
    long headOffset;

    /** A segment damaged where the batch would start: its rest is dropped. */
    Segment damaged;
  }

  private Scan scan(List<View> views, Segment head, long offset, int maxBytes, long nowMillis)
      throws IOException {
    Scan scan = new Scan();
    for (View view : views) {
      long from = view.segment == head ? offset : HintFormat.SEGMENT_HEADER_BYTES;
      if (from >= view.end) {
        continue;
      }
      try (ReadableFile file = fileSystem.openRead(view.segment.path)) {
        SegmentCursor cursor = new SegmentCursor(file, from, view.end);
        while (true) {
          SegmentCursor.Step step = cursor.next();
          if (step == SegmentCursor.Step.END) {
            break;
          }
          if (step == SegmentCursor.Step.BAD) {
            if (scan.cells.isEmpty()) {
              scan.damaged = view.segment;
            }
            return scan;
          }
          HintRecord record = cursor.record();
          if (nowMillis - record.createdAtMillis() > config.windowMillis()) {
            if (scan.cells.isEmpty()) {
              scan.headExpired++;
              scan.headSegment = view.segment;
              scan.headOffset = cursor.offset();
            } else {
              scan.expiredInBatch++;
              scan.endSegment = view.segment;
              scan.endOffset = cursor.offset();
            }
            continue;
          }
          if (!scan.cells.isEmpty() && scan.bytes + cursor.recordBytes() > maxBytes) {
            return scan;
          }
          scan.cells.add(new KeyedCell(record.key(), record.cell()));
          scan.bytes += cursor.recordBytes();
          scan.endSegment = view.segment;
          scan.endOffset = cursor.offset();
        }
      }
    }
    return scan;
  }

  /** Drops the rest of a damaged segment, sealing it first if it is being written. */
  private void discardRest(Segment segment) throws IOException {
    ioLock.lock();
    try {
      if (segment == active) {
        try {
          seal();
        } catch (IOException | RuntimeException e) {
          abandonActive();
        }
      }
    } finally {
      ioLock.unlock();
    }
    counters.corrupt.incrementAndGet();
    long end;
    monitor.lock();
    try {
      end = segment.end;
    } finally {
      monitor.unlock();
    }
    consume(segment, end, 0, 0);
  }

  /** The target took a batch ending at {@code position}. */
  void delivered(HintPosition position, int hints) throws IOException {
    readLock.lock();
    try {
      consume(position.segment, position.offset, position.expired, hints);
    } finally {
      readLock.unlock();
    }
  }

  /**
   * Moves the read position forward to {@code offset} in {@code segment}, deleting the segments it
   * leaves behind; a position behind the current one (a batch delivered twice) does nothing. Called
   * with the read lock held.
   */
  private void consume(Segment segment, long offset, int expired, int hints) throws IOException {
    List<Segment> finished = new ArrayList<>();
    monitor.lock();
    try {
      if (!segments.contains(segment)
          || (segment == segments.peekFirst() && offset <= readOffset)) {
        return;
      }
      long consumed = 0;
      while (segments.peekFirst() != segment) {
        Segment passed = segments.removeFirst();
        consumed += passed.end - readOffset;
        readOffset = HintFormat.SEGMENT_HEADER_BYTES;
        finished.add(passed);
      }
      consumed += offset - readOffset;
      readOffset = offset;
      if (segment.sealed && readOffset >= segment.end) {
        segments.removeFirst();
        readOffset = HintFormat.SEGMENT_HEADER_BYTES;
        finished.add(segment);
      }
      readableBytes -= consumed;
      if (readableBytes < 0) {
        throw new AssertionError(target + ": readable bytes went negative: " + readableBytes);
      }
    } finally {
      monitor.unlock();
    }
    counters.droppedExpired.addAndGet(expired);
    counters.delivered.addAndGet(hints);
    Segment drained = retireDrainedActive();
    if (drained != null) {
      finished.add(drained);
    }
    if (!finished.isEmpty()) {
      for (Segment done : finished) {
        fileSystem.delete(done.path);
      }
      fileSystem.syncDirectory(directory);
    }
  }

  /**
   * If everything written to the active segment has been delivered, closes it and takes it out of
   * the log (the next store starts a new one), so that a drained target leaves no file behind.
   */
  private Segment retireDrainedActive() {
    monitor.lock();
    try {
      Segment head = segments.peekFirst();
      if (head == null || head.sealed || readOffset < head.end) {
        return null;
      }
    } finally {
      monitor.unlock();
    }
    ioLock.lock();
    try {
      monitor.lock();
      try {
        Segment head = segments.peekFirst();
        if (head == null
            || head != active
            || readOffset < head.end
            || writerBytes != head.end
            || writeBuffered != 0) {
          return null;
        }
        head.sealed = true;
        segments.removeFirst();
        readOffset = HintFormat.SEGMENT_HEADER_BYTES;
      } finally {
        monitor.unlock();
      }
      closeQuietly(writer);
      Segment drained = active;
      active = null;
      writer = null;
      unsynced = false;
      return drained;
    } finally {
      ioLock.unlock();
    }
  }
}
