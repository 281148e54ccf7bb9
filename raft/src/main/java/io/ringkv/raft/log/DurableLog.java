package io.ringkv.raft.log;

import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.HardState;
import io.ringkv.raft.PersistentState;
import io.ringkv.raft.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A Raft node's durable state: term, vote and commit, the log entries, and the latest snapshot, in
 * segment files of CRC-checked records ({@link LogFormat}) on a {@link LogFiles} directory. The
 * caller stores each {@link io.ringkv.raft.Ready} with {@link #save} (and {@link #saveSnapshot} for
 * a received or taken snapshot), with {@code sync} true when the Ready says {@code mustSync},
 * before sending its messages; after a restart, {@link #open} gives back what was stored as a
 * {@link PersistentState} for {@link io.ringkv.raft.RaftNode#restart}.
 *
 * <p>Recovery reads the segments in order. A bad record (short, wrong checksum, unknown type,
 * longer than {@link #RECORD_BYTES_MAX}) in the last segment is a torn tail from a crash mid-write:
 * the segment is cut there, and {@link #recoveredBytesDropped()} says how much was dropped. The
 * last segment's good prefix is synced before a new segment starts, since it may hold records a
 * killed process wrote but never synced. A bad record in an earlier segment is corruption of synced
 * data: opening fails, since a node that forgets a vote or an acknowledged entry could break Raft's
 * safety.
 *
 * <p>Compaction, in an order that survives a crash at any point: {@link #saveSnapshot} first writes
 * and syncs a new segment starting with LOG_START (the snapshot's position), the hard state and the
 * entries after the snapshot; then stores the snapshot file atomically (temporary file, sync,
 * rename, directory sync); then deletes the older segments. Recovery deletes a LOG_START segment
 * newer than the snapshot file (an unfinished compaction: the old state is intact), and at each
 * LOG_START forgets the entries replayed before it, so stale entries in old segments that were not
 * yet deleted never come back.
 *
 * <p>A failed write or sync leaves the files in an unknown state: the log then refuses every later
 * call (LevelDB's rule); the node must stop and recover by reopening.
 *
 * <p>Bounds: records at most {@link #RECORD_BYTES_MAX}; a segment rolls over past {@code
 * segmentBytesMax}. The entries after the snapshot are also kept in memory (to rewrite them at
 * compaction), so memory grows with the uncompacted log, as the node's own does.
 *
 * <p>Not thread-safe: owned by the node's loop.
 */
public final class DurableLog implements AutoCloseable {
  /** The largest record accepted on write and believed on read. */
  public static final int RECORD_BYTES_MAX = 64 << 20;

  private final LogFiles files;
  private final long segmentBytesMax;
  private HardState hardState = HardState.EMPTY;
  private Snapshot snapshot = Snapshot.empty(Configuration.EMPTY);
  private final List<Entry> entries = new ArrayList<>();
  private final List<String> segments = new ArrayList<>();
  private LogFile current;
  private long currentSequence;
  private long recoveredBytesDropped;
  private IOException failure;

  private DurableLog(LogFiles files, long segmentBytesMax) {
    this.files = files;
    this.segmentBytesMax = segmentBytesMax;
  }

  /**
   * Opens (recovering) or creates the log in {@code files}.
   *
   * @param segmentBytesMax the size past which a new segment is started
   * @throws IOException if the files cannot be read, or synced data is corrupt
   */
  public static DurableLog open(LogFiles files, long segmentBytesMax) throws IOException {
    if (segmentBytesMax < 1024) {
      throw new IllegalArgumentException(
          "segmentBytesMax must be at least 1024, was " + segmentBytesMax);
    }
    DurableLog log = new DurableLog(files, segmentBytesMax);
    log.recover();
    return log;
  }

  /** What the log holds, for {@link io.ringkv.raft.RaftNode#restart}; applied = snapshot index. */
  public PersistentState state() {
    return new PersistentState(hardState, snapshot, entries, snapshot.index());
  }

  /** Bytes cut from the last segment's torn tail when the log was opened. */
  public long recoveredBytesDropped() {
    return recoveredBytesDropped;
  }

  /**
   * Stores entries (replacing any stored entry at the same or a higher index) and then the hard
   * state if not null; with {@code sync}, makes them durable before returning.
   */
  public void save(List<Entry> newEntries, HardState newHardState, boolean sync)
      throws IOException {
    checkUsable();
    try {
      for (Entry entry : newEntries) {
        appendEntry(entry);
      }
      if (newHardState != null) {
        writeRecord(LogFormat.TYPE_HARD_STATE, hardStatePayload(newHardState));
        hardState = newHardState;
      }
      if (sync) {
        current.sync();
      }
      if (current.size() > segmentBytesMax) {
        rollSegment();
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** Makes everything written so far durable. */
  public void sync() throws IOException {
    checkUsable();
    try {
      current.sync();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Stores {@code newSnapshot} durably and drops the entries it covers; entries after it are kept
   * if they continue it (a snapshot the application took), else dropped too (a snapshot received
   * from the leader replaces the whole log).
   */
  public void saveSnapshot(Snapshot newSnapshot) throws IOException {
    checkUsable();
    if (newSnapshot.index() <= snapshot.index()) {
      throw new IllegalArgumentException(
          "snapshot " + newSnapshot.index() + " is not after the stored " + snapshot.index());
    }
    try {
      boolean keepsTail = false;
      for (Entry entry : entries) {
        if (entry.index() == newSnapshot.index()) {
          keepsTail = entry.term() == newSnapshot.term();
        }
      }
      List<Entry> tail = new ArrayList<>();
      if (keepsTail) {
        for (Entry entry : entries) {
          if (entry.index() > newSnapshot.index()) {
            tail.add(entry);
          }
        }
      }
      // 1. The new segment, complete and synced, before the snapshot it starts from is in place.
      startSegment(newSnapshot, tail);
      // 2. The snapshot, atomically.
      byte[] record = record(LogFormat.TYPE_SNAPSHOT, snapshotPayload(newSnapshot));
      files.delete(LogFormat.SNAPSHOT_TEMPORARY_NAME);
      try (LogFile temporary = files.openForAppend(LogFormat.SNAPSHOT_TEMPORARY_NAME)) {
        temporary.write(ByteBuffer.wrap(record));
        temporary.sync();
      }
      files.rename(LogFormat.SNAPSHOT_TEMPORARY_NAME, LogFormat.SNAPSHOT_NAME);
      files.syncDirectory();
      snapshot = newSnapshot;
      entries.clear();
      entries.addAll(tail);
      // 3. The segments before the new one.
      List<String> obsolete = new ArrayList<>(segments.subList(0, segments.size() - 1));
      for (String name : obsolete) {
        files.delete(name);
      }
      files.syncDirectory();
      segments.removeAll(obsolete);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw new IOException(
          "the raft log failed earlier and refuses writes until reopened", failure);
    }
    if (current == null) {
      throw new IOException("the raft log is closed");
    }
  }

  private void appendEntry(Entry entry) throws IOException {
    long expectedIndex = snapshot.index() + entries.size() + 1;
    if (entry.index() > expectedIndex || entry.index() <= snapshot.index()) {
      throw new IllegalArgumentException(
          "entry " + entry.index() + " would leave a hole: next index is " + expectedIndex);
    }
    writeRecord(LogFormat.TYPE_ENTRY, entryPayload(entry));
    replay(entry);
  }

  /** The in-memory effect of an entry record: append, or replace a suffix. */
  private void replay(Entry entry) {
    long first = snapshot.index() + 1;
    if (entry.index() < first) {
      return; // covered by the snapshot
    }
    int position = (int) (entry.index() - first);
    if (position > entries.size()) {
      throw new IllegalStateException(
          "entry " + entry.index() + " leaves a hole after " + (first + entries.size() - 1));
    }
    entries.subList(position, entries.size()).clear();
    entries.add(entry);
  }

  /** Continues the log in a new segment, which starts with the hard state. */
  private void rollSegment() throws IOException {
    openNextSegment();
    writeRecord(LogFormat.TYPE_HARD_STATE, hardStatePayload(hardState));
    current.sync();
    files.syncDirectory();
  }

  /** Starts the log anew after {@code base}, with {@code tail} after it: LOG_START first. */
  private void startSegment(Snapshot base, List<Entry> tail) throws IOException {
    openNextSegment();
    writeRecord(
        LogFormat.TYPE_LOG_START,
        ByteBuffer.allocate(LogFormat.LOG_START_PAYLOAD_BYTES)
            .putLong(base.index())
            .putLong(base.term())
            .array());
    writeRecord(LogFormat.TYPE_HARD_STATE, hardStatePayload(hardState));
    for (Entry entry : tail) {
      writeRecord(LogFormat.TYPE_ENTRY, entryPayload(entry));
    }
    current.sync();
    files.syncDirectory();
  }

  private void openNextSegment() throws IOException {
    if (current != null) {
      current.sync();
      current.close();
    }
    currentSequence++;
    String name = LogFormat.segmentName(currentSequence);
    current = files.openForAppend(name);
    segments.add(name);
  }

  private void writeRecord(byte type, byte[] payload) throws IOException {
    current.write(ByteBuffer.wrap(record(type, payload)));
  }

  private static byte[] record(byte type, byte[] payload) {
    if (payload.length + LogFormat.HEADER_BYTES > RECORD_BYTES_MAX) {
      throw new IllegalArgumentException(
          "record of " + payload.length + " bytes exceeds RECORD_BYTES_MAX " + RECORD_BYTES_MAX);
    }
    CRC32C crc = new CRC32C();
    crc.update(type);
    crc.update(payload);
    return ByteBuffer.allocate(LogFormat.HEADER_BYTES + payload.length)
        .putInt((int) crc.getValue())
        .putInt(payload.length)
        .put(type)
        .put(payload)
        .array();
  }

  private static byte[] hardStatePayload(HardState state) {
    return ByteBuffer.allocate(LogFormat.HARD_STATE_PAYLOAD_BYTES)
        .putLong(state.term())
        .putLong(state.vote())
        .putLong(state.commit())
        .array();
  }

  private static byte[] entryPayload(Entry entry) {
    return ByteBuffer.allocate(LogFormat.ENTRY_PAYLOAD_HEADER_BYTES + entry.data().length)
        .putLong(entry.index())
        .putLong(entry.term())
        .put((byte) entry.type().ordinal())
        .put(entry.data())
        .array();
  }

  private static byte[] snapshotPayload(Snapshot snapshot) {
    byte[] configuration = snapshot.configuration().encode();
    return ByteBuffer.allocate(8 + 8 + 4 + configuration.length + snapshot.data().length)
        .putLong(snapshot.index())
        .putLong(snapshot.term())
        .putInt(configuration.length)
        .put(configuration)
        .put(snapshot.data())
        .array();
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  private record Record(byte type, byte[] payload) {}

  private void recover() throws IOException {
    files.delete(LogFormat.SNAPSHOT_TEMPORARY_NAME);
    if (files.exists(LogFormat.SNAPSHOT_NAME)) {
      byte[] bytes = files.readAll(LogFormat.SNAPSHOT_NAME);
      List<Record> records = new ArrayList<>();
      long good = parse(bytes, records);
      if (good != bytes.length
          || records.size() != 1
          || records.get(0).type() != LogFormat.TYPE_SNAPSHOT) {
        throw new IOException("corrupt raft snapshot file (" + bytes.length + " bytes)");
      }
      snapshot = decodeSnapshot(records.get(0).payload());
    }
    List<String> found = new ArrayList<>();
    for (String name : files.list()) {
      if (LogFormat.isSegmentName(name)) {
        found.add(name);
      }
    }
    long lastLogStart = -1;
    for (int i = 0; i < found.size(); i++) {
      String name = found.get(i);
      byte[] bytes = files.readAll(name);
      List<Record> records = new ArrayList<>();
      long good = parse(bytes, records);
      boolean last = i == found.size() - 1;
      if (records.isEmpty() && last) {
        // Torn before its first record was complete: nothing in it was ever synced.
        recoveredBytesDropped = bytes.length;
        files.delete(name);
        files.syncDirectory();
        currentSequence = LogFormat.segmentSequence(name);
        break;
      }
      if (!records.isEmpty() && records.get(0).type() == LogFormat.TYPE_LOG_START) {
        long startIndex = ByteBuffer.wrap(records.get(0).payload()).getLong();
        if (startIndex > snapshot.index()) {
          if (!last) {
            throw new IOException(
                "raft log segment "
                    + name
                    + " starts after the stored snapshot but is not the last");
          }
          // An unfinished compaction: the snapshot it starts from was never stored.
          files.delete(name);
          files.syncDirectory();
          break;
        }
        lastLogStart = startIndex;
        entries.clear();
      }
      if (good != bytes.length) {
        if (!last) {
          throw new IOException(
              "corrupt raft log segment "
                  + name
                  + " at byte "
                  + good
                  + " of "
                  + bytes.length
                  + ", before the last segment");
        }
        files.truncate(name, good);
        recoveredBytesDropped = bytes.length - good;
      } else if (last) {
        // A killed process's unsynced records survive in the page cache and are recovered here;
        // make them durable (truncate syncs) before a newer segment starts, or a power loss could
        // still tear them in what would then be an older segment, which recovery refuses.
        files.truncate(name, good);
      }
      for (Record record : records) {
        apply(name, record);
      }
      segments.add(name);
      currentSequence = LogFormat.segmentSequence(name);
    }
    if (lastLogStart != snapshot.index() && !(lastLogStart == -1 && segments.isEmpty())) {
      throw new IOException(
          "raft log segments start after index "
              + lastLogStart
              + " but the snapshot is at "
              + snapshot.index());
    }
    if (hardState.commit() > snapshot.index() + entries.size()) {
      // The commit index is stored after the entries it covers; this cannot happen unless the
      // files were changed behind the log's back.
      throw new IOException(
          "raft log commit index "
              + hardState.commit()
              + " beyond its last entry "
              + (snapshot.index() + entries.size()));
    }
    if (segments.isEmpty()) {
      startSegment(snapshot, entries);
    } else {
      rollSegment();
    }
  }

  /** Parses records from the start; returns the length of the good prefix. */
  private static long parse(byte[] bytes, List<Record> records) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.remaining() >= LogFormat.HEADER_BYTES) {
      int start = buffer.position();
      int expectedCrc = buffer.getInt();
      int length = buffer.getInt();
      byte type = buffer.get();
      if (length < 0
          || length > RECORD_BYTES_MAX - LogFormat.HEADER_BYTES
          || length > buffer.remaining()
          || type < LogFormat.TYPE_HARD_STATE
          || type > LogFormat.TYPE_LOG_START) {
        return start;
      }
      byte[] payload = new byte[length];
      buffer.get(payload);
      CRC32C crc = new CRC32C();
      crc.update(type);
      crc.update(payload);
      if ((int) crc.getValue() != expectedCrc) {
        return start;
      }
      records.add(new Record(type, payload));
    }
    return buffer.position();
  }

  private void apply(String segment, Record record) throws IOException {
    ByteBuffer payload = ByteBuffer.wrap(record.payload());
    try {
      switch (record.type()) {
        case LogFormat.TYPE_HARD_STATE -> {
          hardState = new HardState(payload.getLong(), payload.getLong(), payload.getLong());
        }
        case LogFormat.TYPE_ENTRY -> {
          long index = payload.getLong();
          long term = payload.getLong();
          int typeOrdinal = payload.get();
          if (typeOrdinal < 0 || typeOrdinal >= EntryType.values().length) {
            throw new IOException("unknown entry type " + typeOrdinal + " in " + segment);
          }
          byte[] data = new byte[payload.remaining()];
          payload.get(data);
          long first = snapshot.index() + 1;
          if (index > first + entries.size()) {
            throw new IOException(
                "raft log segment "
                    + segment
                    + " has entry "
                    + index
                    + " after "
                    + (first + entries.size() - 1)
                    + ": a hole");
          }
          replay(new Entry(index, term, EntryType.values()[typeOrdinal], data));
        }
        case LogFormat.TYPE_LOG_START -> {
          // Acted on when the segment is opened: it is always a segment's first record.
        }
        default ->
            throw new IOException("unexpected record type " + record.type() + " in " + segment);
      }
    } catch (RuntimeException e) {
      throw new IOException("bad record in raft log segment " + segment, e);
    }
  }

  private static Snapshot decodeSnapshot(byte[] bytes) throws IOException {
    try {
      ByteBuffer payload = ByteBuffer.wrap(bytes);
      long index = payload.getLong();
      long term = payload.getLong();
      int configurationLength = payload.getInt();
      byte[] configuration = new byte[configurationLength];
      payload.get(configuration);
      byte[] data = new byte[payload.remaining()];
      payload.get(data);
      return new Snapshot(index, term, Configuration.decode(configuration), data);
    } catch (RuntimeException e) {
      throw new IOException("bad raft snapshot record", e);
    }
  }
}
