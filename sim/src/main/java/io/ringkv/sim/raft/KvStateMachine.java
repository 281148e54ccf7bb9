package io.ringkv.sim.raft;

import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The replicated key-value store on top of Raft: one register per key, changed only by applying
 * committed entries in index order, with a session per client (thesis §6.3): the highest sequence
 * number applied for that client and its result. A command whose sequence is not above its client's
 * is not applied again, which makes client retries safe: an operation takes effect at most once
 * however many entries carry it, and a retry finds its result in the session. Clients have one
 * operation outstanding at a time, so one session slot per client is enough.
 *
 * <p>Invariants: entries are applied exactly in index order, each once ({@link #apply} throws
 * otherwise); the state is a function of the applied entries only, so two replicas that applied the
 * same entries have the same {@link #chainHash()} and {@link #contentDigest()}.
 *
 * <p>Bounds: one value per key and one session per client; the simulation's keys and clients are
 * few ({@link RaftPlan#KEYS_MAX}, {@link RaftPlan#CLIENTS_MAX}). Not thread-safe.
 */
final class KvStateMachine {
  /** The result recorded for a command older than its client's session: nobody waits for it. */
  static final long STALE = -1;

  /**
   * What applying a client's command did.
   *
   * @param duplicate the command had been applied before; {@code result} is the first result
   */
  record Applied(int client, long sequence, long result, boolean duplicate) {}

  private record Session(long sequence, long result) {}

  private final TreeMap<Integer, Long> values = new TreeMap<>();
  private final TreeMap<Integer, Session> sessions = new TreeMap<>();
  private long appliedIndex;
  private long chainHash;

  /** An empty store, before entry 1. */
  KvStateMachine() {}

  long appliedIndex() {
    return appliedIndex;
  }

  /** The running hash of every entry applied (or covered by the snapshot restored). */
  long chainHash() {
    return chainHash;
  }

  /** The value of {@code key}, or {@link KvOperation#ABSENT}. */
  long get(int key) {
    return values.getOrDefault(key, KvOperation.ABSENT);
  }

  /** The result of {@code client}'s operation {@code sequence} if it is the last one applied. */
  OptionalLong sessionResult(int client, long sequence) {
    Session session = sessions.get(client);
    return session != null && session.sequence() == sequence
        ? OptionalLong.of(session.result())
        : OptionalLong.empty();
  }

  /**
   * Applies the next entry; returns what a client's command did, or null for an entry that holds
   * none (a leader's empty first entry, a configuration).
   */
  Applied apply(Entry entry) {
    if (entry.index() != appliedIndex + 1) {
      throw new IllegalStateException(
          "entry " + entry.index() + " applied after " + appliedIndex + ": out of order");
    }
    appliedIndex = entry.index();
    chainHash = Hashes.chain(chainHash, entry);
    if (entry.type() != EntryType.NORMAL || entry.data().length == 0) {
      return null;
    }
    KvCommand command = KvCommand.decode(entry.data());
    Session session = sessions.get(command.client());
    if (session != null && command.sequence() <= session.sequence()) {
      long result = command.sequence() == session.sequence() ? session.result() : STALE;
      return new Applied(command.client(), command.sequence(), result, true);
    }
    int key = command.operation().key();
    long result =
        switch (command.operation()) {
          case KvOperation.Put put -> {
            values.put(key, put.value());
            yield 0;
          }
          case KvOperation.CompareAndSet cas -> {
            if (get(key) == cas.expected()) {
              values.put(key, cas.value());
              yield 1;
            }
            yield 0;
          }
          case KvOperation.Get get -> throw new IllegalStateException("reads are not logged");
        };
    sessions.put(command.client(), new Session(command.sequence(), result));
    return new Applied(command.client(), command.sequence(), result, false);
  }

  /** The whole state, for a Raft snapshot at {@link #appliedIndex()}. */
  byte[] snapshot() {
    ByteBuffer buffer =
        ByteBuffer.allocate(8 + 8 + 4 + values.size() * 12 + 4 + sessions.size() * 20);
    buffer.putLong(appliedIndex).putLong(chainHash).putInt(values.size());
    for (Map.Entry<Integer, Long> value : values.entrySet()) {
      buffer.putInt(value.getKey()).putLong(value.getValue());
    }
    buffer.putInt(sessions.size());
    for (Map.Entry<Integer, Session> session : sessions.entrySet()) {
      buffer
          .putInt(session.getKey())
          .putLong(session.getValue().sequence())
          .putLong(session.getValue().result());
    }
    return buffer.array();
  }

  /** The store a snapshot taken at {@code index} holds; throws if the data says otherwise. */
  static KvStateMachine restore(long index, byte[] data) {
    KvStateMachine machine = new KvStateMachine();
    if (index == 0) {
      if (data.length != 0) {
        throw new IllegalStateException("the empty snapshot holds " + data.length + " bytes");
      }
      return machine;
    }
    ByteBuffer buffer = ByteBuffer.wrap(data);
    machine.appliedIndex = buffer.getLong();
    machine.chainHash = buffer.getLong();
    if (machine.appliedIndex != index) {
      throw new IllegalStateException(
          "snapshot at " + index + " holds a state applied to " + machine.appliedIndex);
    }
    int valueCount = buffer.getInt();
    for (int i = 0; i < valueCount; i++) {
      machine.values.put(buffer.getInt(), buffer.getLong());
    }
    int sessionCount = buffer.getInt();
    for (int i = 0; i < sessionCount; i++) {
      machine.sessions.put(buffer.getInt(), new Session(buffer.getLong(), buffer.getLong()));
    }
    if (buffer.hasRemaining()) {
      throw new IllegalStateException(buffer.remaining() + " bytes left over in a snapshot");
    }
    return machine;
  }

  /** A hash of the values and sessions (not of how they came about). */
  long contentDigest() {
    long hash = mix(values.size(), sessions.size());
    for (Map.Entry<Integer, Long> value : values.entrySet()) {
      hash = mix(mix(hash, value.getKey()), value.getValue());
    }
    for (Map.Entry<Integer, Session> session : sessions.entrySet()) {
      hash =
          mix(
              mix(mix(hash, session.getKey()), session.getValue().sequence()),
              session.getValue().result());
    }
    return hash;
  }

  private static long mix(long hash, long value) {
    return Hashes.mix(hash, value);
  }
}
