package io.ringkv.server.testing;

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
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A front end's view of a cluster for tests: passes every call to a real service and records the
 * operation and the consistency level that reached it, or, once told to, fails calls the way a
 * replication coordinator does (UNAVAILABLE when too few replicas are alive, TIMEOUT when too few
 * answered in time), which a one-node service never does. Thread-safe.
 */
public final class ScriptedService implements KeyValueService {
  /** One call as it reached the service: the operation and the level it carried. */
  public record Call(String operation, ConsistencyLevel consistency) {}

  private final KeyValueService delegate;
  private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
  private final Queue<Long> sessionTimestamps = new ConcurrentLinkedQueue<>();
  private volatile KvException failure;

  public ScriptedService(KeyValueService delegate) {
    this.delegate = delegate;
  }

  /** Every call so far, in order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The session timestamp of every write so far, in order (0: none). */
  public List<Long> sessionTimestamps() {
    return List.copyOf(sessionTimestamps);
  }

  /** Forgets the calls so far. */
  public void clearCalls() {
    calls.clear();
    sessionTimestamps.clear();
  }

  /** From now on every call fails with {@code kind} and {@code message}; null passes calls on. */
  public void failWith(KvException.Kind kind, String message) {
    failure = kind == null ? null : new KvException(kind, message);
  }

  private <T> CompletableFuture<T> run(
      String operation,
      ConsistencyLevel level,
      java.util.function.Supplier<CompletableFuture<T>> call) {
    calls.add(new Call(operation, level));
    KvException current = failure;
    return current == null ? call.get() : CompletableFuture.failedFuture(current);
  }

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    return run("get", options.consistency(), () -> delegate.get(key, options));
  }

  @Override
  public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
    return run("multi_get", options.consistency(), () -> delegate.multiGet(keys, options));
  }

  @Override
  public CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    String operation = mutation instanceof Mutation.Delete ? "delete" : "write";
    sessionTimestamps.add(options.sessionTimestamp());
    return run(operation, options.consistency(), () -> delegate.write(key, mutation, options));
  }

  @Override
  public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
    return run("scan", options.consistency(), () -> delegate.scan(cursor, limit, options));
  }

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    return run("read_causal", options.consistency(), () -> delegate.readCausal(key, options));
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    return run(
        "write_causal", options.consistency(), () -> delegate.writeCausal(key, write, options));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return delegate.keyspaces();
  }

  @Override
  public ServiceStats stats() {
    return delegate.stats();
  }
}
