package io.ringkv.server.grpc;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.SimpleStrategy;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A test double of the service seam for causal keyspaces, until the real service lands: records
 * every call with its options, answers the causal calls ({@code readCausal}, {@code writeCausal})
 * with values the test scripted, and holds keyspaces in a scripted {@link KeyspaceAdmin}. Calls
 * naming no keyspace that are not causal go to a real service (the node's), so the default keyspace
 * behaves as it does in production; plain calls naming a keyspace are answered as an empty LWW
 * keyspace would (absent, applied at {@link #PLAIN_WRITE_TIMESTAMP}).
 *
 * <p>Thread-safe: every method is synchronized (calls come from gRPC threads).
 */
public final class RecordingCausalService implements KeyValueService {
  /** The timestamp a plain write to a named keyspace answers with. */
  public static final long PLAIN_WRITE_TIMESTAMP = 42L << 16;

  /**
   * One call as it reached the service.
   *
   * @param operation get, multi_get, write, scan, read_causal or write_causal
   * @param key the key (null for multi_get and scan)
   * @param write the causal write, or the plain mutation, or null for reads
   * @param readOptions the read's options, or null for writes
   * @param writeOptions the write's options, or null for reads
   */
  public record Call(
      String operation,
      byte[] key,
      Object write,
      ReadOptions readOptions,
      WriteOptions writeOptions) {
    /** The keyspace the call named (null: default). */
    public String keyspace() {
      return readOptions != null ? readOptions.keyspace() : writeOptions.keyspace();
    }
  }

  private final KeyValueService defaultKeyspace;
  private final List<Call> calls = new ArrayList<>();
  private final Deque<Object> answers = new ArrayDeque<>();
  private final Map<String, Keyspace> keyspaces = new TreeMap<>();
  private final ScriptedAdmin admin = new ScriptedAdmin();
  private KvException adminFailure;

  /** A double whose default keyspace is {@code defaultKeyspace} (a real service). */
  public RecordingCausalService(KeyValueService defaultKeyspace) {
    this.defaultKeyspace = defaultKeyspace;
    keyspaces.put(
        Keyspace.DEFAULT_NAME,
        new Keyspace(
            Keyspace.DEFAULT_NAME,
            new SimpleStrategy(1),
            ConsistencyLevel.ONE,
            ConsistencyLevel.ONE));
  }

  /** Adds a keyspace of {@code mode} with RF 3 and QUORUM levels, as if created earlier. */
  public synchronized RecordingCausalService withKeyspace(String name, ConflictMode mode) {
    keyspaces.put(
        name,
        new Keyspace(
            name,
            new SimpleStrategy(3),
            ConsistencyLevel.QUORUM,
            ConsistencyLevel.QUORUM,
            false,
            mode));
    return this;
  }

  /** The next causal call answers {@code value} (a readCausal). */
  public synchronized void answerRead(CausalValue value) {
    answers.add(value);
  }

  /** The next causal call answers {@code outcome} (a writeCausal). */
  public synchronized void answerWrite(CausalWriteOutcome outcome) {
    answers.add(outcome);
  }

  /** The next causal call fails with {@code failure}. */
  public synchronized void failNext(KvException failure) {
    answers.add(failure);
  }

  /** Keyspace puts and drops fail with {@code failure} from now on (null: they work again). */
  public synchronized void failAdmin(KvException failure) {
    adminFailure = failure;
  }

  /** Every call so far, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The last call; fails the test if there was none. */
  public synchronized Call lastCall() {
    if (calls.isEmpty()) {
      throw new AssertionError("no call reached the service");
    }
    return calls.getLast();
  }

  @Override
  public synchronized CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    calls.add(new Call("get", key, null, options, null));
    return options.keyspace() == null
        ? defaultKeyspace.get(key, options)
        : CompletableFuture.completedFuture(Versioned.absent());
  }

  @Override
  public synchronized CompletableFuture<List<Versioned>> multiGet(
      List<byte[]> keys, ReadOptions options) {
    calls.add(new Call("multi_get", null, null, options, null));
    if (options.keyspace() == null) {
      return defaultKeyspace.multiGet(keys, options);
    }
    List<Versioned> absent = new ArrayList<>();
    keys.forEach(key -> absent.add(Versioned.absent()));
    return CompletableFuture.completedFuture(absent);
  }

  @Override
  public synchronized CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    calls.add(new Call("write", key, mutation, null, options));
    return options.keyspace() == null
        ? defaultKeyspace.write(key, mutation, options)
        : CompletableFuture.completedFuture(
            new WriteOutcome(true, Versioned.absent(), PLAIN_WRITE_TIMESTAMP));
  }

  @Override
  public synchronized CompletableFuture<ScanPage> scan(
      ScanCursor cursor, int limit, ReadOptions options) {
    calls.add(new Call("scan", null, null, options, null));
    return options.keyspace() == null
        ? defaultKeyspace.scan(cursor, limit, options)
        : CompletableFuture.completedFuture(new ScanPage(List.of(), ScanCursor.END));
  }

  @Override
  public synchronized CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    calls.add(new Call("read_causal", key, null, options, null));
    return next(CausalValue.class);
  }

  @Override
  public synchronized CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    calls.add(new Call("write_causal", key, write, null, options));
    return next(CausalWriteOutcome.class);
  }

  private <T> CompletableFuture<T> next(Class<T> type) {
    Object answer = answers.poll();
    if (answer instanceof KvException failure) {
      return CompletableFuture.failedFuture(failure);
    }
    if (!type.isInstance(answer)) {
      return CompletableFuture.failedFuture(
          new AssertionError("the test scripted " + answer + " where a " + type + " was asked"));
    }
    return CompletableFuture.completedFuture(type.cast(answer));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return admin;
  }

  @Override
  public ServiceStats stats() {
    return defaultKeyspace.stats();
  }

  /** Keyspaces in a map; puts and drops recorded as calls put_keyspace and drop_keyspace. */
  private final class ScriptedAdmin implements KeyspaceAdmin {
    @Override
    public List<Keyspace> keyspaces() {
      synchronized (RecordingCausalService.this) {
        return List.copyOf(RecordingCausalService.this.keyspaces.values());
      }
    }

    @Override
    public CompletableFuture<Keyspace> put(Keyspace keyspace) {
      synchronized (RecordingCausalService.this) {
        calls.add(new Call("put_keyspace", null, keyspace, null, WriteOptions.defaults()));
        if (adminFailure != null) {
          return CompletableFuture.failedFuture(adminFailure);
        }
        Keyspace existing = RecordingCausalService.this.keyspaces.get(keyspace.name());
        if (existing != null && existing.conflicts() != keyspace.conflicts()) {
          return CompletableFuture.failedFuture(
              KvException.invalid(
                  "keyspace "
                      + keyspace.name()
                      + " has conflicts "
                      + existing.conflicts().configName()
                      + "; a keyspace's conflict mode cannot change"));
        }
        RecordingCausalService.this.keyspaces.put(keyspace.name(), keyspace);
        return CompletableFuture.completedFuture(keyspace);
      }
    }

    @Override
    public CompletableFuture<Void> drop(String name) {
      synchronized (RecordingCausalService.this) {
        calls.add(
            new Call(
                "drop_keyspace", null, name, null, WriteOptions.defaults().withKeyspace(name)));
        if (adminFailure != null) {
          return CompletableFuture.failedFuture(adminFailure);
        }
        if (name.equals(Keyspace.DEFAULT_NAME)) {
          return CompletableFuture.failedFuture(
              KvException.invalid("the default keyspace cannot be dropped"));
        }
        if (RecordingCausalService.this.keyspaces.remove(name) == null) {
          return CompletableFuture.failedFuture(
              new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace " + name));
        }
        return CompletableFuture.completedFuture(null);
      }
    }
  }
}
