package io.ringkv.server.grpc;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.KeyspaceAdmin;
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

/** Wrappers a test puts around the real {@link KeyValueService} of a {@link GrpcTestNode}. */
final class ServiceWrappers {
  private ServiceWrappers() {}

  /** One call as it reached the service: the operation and the consistency level it carried. */
  record Call(String operation, ConsistencyLevel consistency) {}

  /** Passes every call to the real service and records what reached it. */
  static final class Recording implements KeyValueService {
    private final KeyValueService delegate;
    final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    final Queue<Long> sessionTimestamps = new ConcurrentLinkedQueue<>();

    Recording(KeyValueService delegate) {
      this.delegate = delegate;
    }

    List<Call> calls() {
      return List.copyOf(calls);
    }

    long count(String operation) {
      return calls.stream().filter(c -> c.operation().equals(operation)).count();
    }

    @Override
    public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
      calls.add(new Call("get", options.consistency()));
      return delegate.get(key, options);
    }

    @Override
    public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
      calls.add(new Call("multi_get", options.consistency()));
      return delegate.multiGet(keys, options);
    }

    @Override
    public CompletableFuture<WriteOutcome> write(
        byte[] key, Mutation mutation, WriteOptions options) {
      calls.add(
          new Call(mutation instanceof Mutation.Delete ? "delete" : "put", options.consistency()));
      sessionTimestamps.add(options.sessionTimestamp());
      return delegate.write(key, mutation, options);
    }

    @Override
    public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
      calls.add(new Call("scan", options.consistency()));
      return delegate.scan(cursor, limit, options);
    }

    @Override
    public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
      calls.add(new Call("read_causal", options.consistency()));
      return delegate.readCausal(key, options);
    }

    @Override
    public CompletableFuture<CausalWriteOutcome> writeCausal(
        byte[] key, CausalWrite write, WriteOptions options) {
      calls.add(new Call("write_causal", options.consistency()));
      return delegate.writeCausal(key, write, options);
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

  /**
   * A service whose calls never complete: the one test double in these tests. It stands for a node
   * that accepted a request and then went silent (a partition, a stuck replica), which is the only
   * way to make the client's own deadline fire; everything else these tests run is real.
   */
  static final class NeverAnswering implements KeyValueService {
    private final KeyValueService delegate;
    final Queue<String> received = new ConcurrentLinkedQueue<>();

    NeverAnswering(KeyValueService delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
      received.add("get");
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
      received.add("multi_get");
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<WriteOutcome> write(
        byte[] key, Mutation mutation, WriteOptions options) {
      received.add("write");
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
      received.add("scan");
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
      received.add("read_causal");
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<CausalWriteOutcome> writeCausal(
        byte[] key, CausalWrite write, WriteOptions options) {
      received.add("write_causal");
      return new CompletableFuture<>();
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
}
