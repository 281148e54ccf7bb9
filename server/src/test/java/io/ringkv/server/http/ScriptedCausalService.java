package io.ringkv.server.http;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.KeyspaceAdmin;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.ServiceStats;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A test double of the service's causal side, until the causal service lands: it records every
 * causal read and write (key, operation, options) and answers what the test scripted (a {@link
 * CausalValue}, a {@link CausalWriteOutcome} or a {@link KvException}); plain calls (get, write,
 * scan) are recorded and passed to a real service, so last-write-wins routes behave as they do on a
 * node. Its {@link #keyspaces()} is a {@link ScriptedKeyspaces}. Thread-safe: the server calls it
 * from its event loops while the test thread scripts and inspects it.
 */
final class ScriptedCausalService implements KeyValueService {
  /** A causal read as it reached the service. */
  record Read(byte[] key, ReadOptions options) {}

  /** A causal write as it reached the service. */
  record Write(byte[] key, CausalWrite write, WriteOptions options) {}

  /** A plain read or write as it reached the service: its keyspace and idempotency key. */
  record Plain(String operation, String keyspace, byte[] idempotencyKey) {}

  /** The keyspace {@code causal} in every test: causal, SimpleStrategy RF 3. */
  static final Keyspace CAUSAL =
      new Keyspace(
          "causal",
          new SimpleStrategy(3),
          ConsistencyLevel.QUORUM,
          ConsistencyLevel.QUORUM,
          false,
          ConflictMode.CAUSAL);

  /** The keyspace {@code plain} in every test: last-write-wins, SimpleStrategy RF 1. */
  static final Keyspace LWW =
      new Keyspace("plain", new SimpleStrategy(1), ConsistencyLevel.ONE, ConsistencyLevel.ONE);

  private final KeyValueService plain;
  private final ScriptedKeyspaces keyspaces = new ScriptedKeyspaces();
  private final Queue<Read> reads = new ConcurrentLinkedQueue<>();
  private final Queue<Write> writes = new ConcurrentLinkedQueue<>();
  private final Queue<Plain> plainCalls = new ConcurrentLinkedQueue<>();
  private volatile Object readAnswer = new CausalValue.Absent(new byte[0]);
  private volatile Object writeAnswer;

  ScriptedCausalService(KeyValueService plain) {
    this.plain = plain;
    keyspaces.add(Keyspace.defaultKeyspace(1));
    keyspaces.add(CAUSAL);
    keyspaces.add(LWW);
  }

  /** A real context of one actor at {@code counter}: what a causal read gives out. */
  static byte[] context(long counter) {
    return CausalCodec.encodeContext(VersionVector.of(Map.of(Actor.of("node-1", 1), counter)));
  }

  /** From now on causal reads answer {@code value}. */
  void answerReads(CausalValue value) {
    readAnswer = value;
  }

  /** From now on causal writes answer {@code outcome}. */
  void answerWrites(CausalWriteOutcome outcome) {
    writeAnswer = outcome;
  }

  /** From now on causal reads and writes fail with {@code kind} and {@code message}. */
  void failWith(KvException.Kind kind, String message) {
    KvException failure = new KvException(kind, message);
    readAnswer = failure;
    writeAnswer = failure;
  }

  ScriptedKeyspaces admin() {
    return keyspaces;
  }

  List<Read> reads() {
    return List.copyOf(reads);
  }

  List<Write> writes() {
    return List.copyOf(writes);
  }

  List<Plain> plainCalls() {
    return List.copyOf(plainCalls);
  }

  /** The one causal write so far. */
  Write onlyWrite() {
    List<Write> all = writes();
    if (all.size() != 1) {
      throw new AssertionError("expected one causal write, got " + all.size() + ": " + all);
    }
    return all.getFirst();
  }

  /** The one causal read so far. */
  Read onlyRead() {
    List<Read> all = reads();
    if (all.size() != 1) {
      throw new AssertionError("expected one causal read, got " + all.size() + ": " + all);
    }
    return all.getFirst();
  }

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T> answer(Object scripted) {
    if (scripted instanceof KvException failure) {
      return CompletableFuture.failedFuture(failure);
    }
    if (scripted == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("nothing scripted"));
    }
    return CompletableFuture.completedFuture((T) scripted);
  }

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    reads.add(new Read(key, options));
    return answer(readAnswer);
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    writes.add(new Write(key, write, options));
    return answer(writeAnswer);
  }

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    plainCalls.add(new Plain("get", options.keyspace(), null));
    return plain.get(key, options);
  }

  @Override
  public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
    plainCalls.add(new Plain("multi_get", options.keyspace(), null));
    return plain.multiGet(keys, options);
  }

  @Override
  public CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    plainCalls.add(new Plain("write", options.keyspace(), options.idempotencyKey()));
    return plain.write(key, mutation, options);
  }

  @Override
  public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
    plainCalls.add(new Plain("scan", options.keyspace(), null));
    // The scripted keyspaces exist only here: the real lone-node service behind this double knows
    // only default and refuses any other name (NO_SUCH_KEYSPACE), so the scan it serves is
    // default's; which keyspace the route asked for is what plainCalls records.
    return plain.scan(cursor, limit, options.withKeyspace(null));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return keyspaces;
  }

  @Override
  public ServiceStats stats() {
    return plain.stats();
  }

  /**
   * A keyspace admin that holds keyspaces in a map, records every put and drop, and fails them when
   * told to. A drop of a name it does not hold fails NO_SUCH_KEYSPACE, as the cluster's does.
   */
  static final class ScriptedKeyspaces implements KeyspaceAdmin {
    private final Map<String, Keyspace> byName = new TreeMap<>();
    private final Queue<Keyspace> puts = new ConcurrentLinkedQueue<>();
    private final Queue<String> drops = new ConcurrentLinkedQueue<>();
    private volatile KvException failure;

    synchronized void add(Keyspace keyspace) {
      byName.put(keyspace.name(), keyspace);
    }

    /** From now on puts and drops fail with {@code kind}; null lets them through. */
    void failWith(KvException.Kind kind, String message) {
      failure = kind == null ? null : new KvException(kind, message);
    }

    List<Keyspace> puts() {
      return List.copyOf(puts);
    }

    List<String> drops() {
      return List.copyOf(drops);
    }

    @Override
    public synchronized List<Keyspace> keyspaces() {
      return new ArrayList<>(byName.values());
    }

    @Override
    public CompletableFuture<Keyspace> put(Keyspace keyspace) {
      puts.add(keyspace);
      KvException current = failure;
      if (current != null) {
        return CompletableFuture.failedFuture(current);
      }
      add(keyspace);
      return CompletableFuture.completedFuture(keyspace);
    }

    @Override
    public CompletableFuture<Void> drop(String name) {
      drops.add(name);
      KvException current = failure;
      if (current != null) {
        return CompletableFuture.failedFuture(current);
      }
      synchronized (this) {
        if (byName.remove(name) == null) {
          return CompletableFuture.failedFuture(
              new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace " + name));
        }
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
