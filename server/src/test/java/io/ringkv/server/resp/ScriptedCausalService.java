package io.ringkv.server.resp;

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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double for the causal half of {@link KeyValueService}, standing in for the cluster service
 * until it implements causal keyspaces: the Redis front end's causal commands are tested against it
 * at the protocol level.
 *
 * <ul>
 *   <li>{@link #readCausal} answers what the test scripted for the key ({@link #answerRead}, {@link
 *       #failRead}), else {@link CausalValue.Absent} with an empty context, and records the read.
 *   <li>{@link #writeCausal} records the key, the {@link CausalWrite} and the options it received
 *       and answers the next scripted outcome or failure ({@link #answerWrite}, {@link #failWrite},
 *       in order); with nothing scripted it fails, so an unexpected write shows in the reply.
 *   <li>{@link #keyspaces()} lists {@code default} (lww) and the keyspaces a test adds.
 *   <li>{@link #get} fails as scripted for a key ({@link #failGet}); the plain calls are recorded
 *       with their keyspace ({@link #plainCalls}) and go to a real service.
 * </ul>
 *
 * <p>Thread-safe: the front end calls it from event loops while the test thread scripts and reads.
 */
final class ScriptedCausalService implements KeyValueService {
  /** A causal write as it reached the service. */
  record ReceivedWrite(String key, CausalWrite write, WriteOptions options) {}

  /** A causal read as it reached the service. */
  record ReceivedRead(String key, ReadOptions options) {}

  /** A plain call (get, write, ...) as it reached the service: its name and keyspace. */
  record PlainCall(String operation, String keyspace) {}

  private final KeyValueService delegate;
  private final Map<String, CompletableFuture<CausalValue>> readAnswers = new ConcurrentHashMap<>();
  private final Map<String, KvException> getFailures = new ConcurrentHashMap<>();
  private final Queue<CompletableFuture<CausalWriteOutcome>> writeAnswers =
      new ConcurrentLinkedQueue<>();
  private final List<ReceivedWrite> writes = new CopyOnWriteArrayList<>();
  private final List<ReceivedRead> reads = new CopyOnWriteArrayList<>();
  private final List<PlainCall> plainCalls = new CopyOnWriteArrayList<>();
  private final List<Keyspace> keyspaces =
      new CopyOnWriteArrayList<>(List.of(keyspace(Keyspace.DEFAULT_NAME, ConflictMode.LWW)));

  ScriptedCausalService(KeyValueService delegate) {
    this.delegate = delegate;
  }

  static Keyspace keyspace(String name, ConflictMode conflicts) {
    return new Keyspace(
        name, new SimpleStrategy(1), ConsistencyLevel.ONE, ConsistencyLevel.ONE, false, conflicts);
  }

  // ---- scripting ----

  void addKeyspace(String name, ConflictMode conflicts) {
    keyspaces.add(keyspace(name, conflicts));
  }

  void answerRead(String key, CausalValue value) {
    readAnswers.put(key, CompletableFuture.completedFuture(value));
  }

  void failRead(String key, KvException failure) {
    readAnswers.put(key, CompletableFuture.failedFuture(failure));
  }

  void failGet(String key, KvException failure) {
    getFailures.put(key, failure);
  }

  /** The next causal write answers {@code outcome}. */
  void answerWrite(CausalWriteOutcome outcome) {
    writeAnswers.add(CompletableFuture.completedFuture(outcome));
  }

  /** The next causal write answers when {@code answer} completes. */
  void answerWriteLater(CompletableFuture<CausalWriteOutcome> answer) {
    writeAnswers.add(answer);
  }

  /** The next causal write fails with {@code failure}. */
  void failWrite(KvException failure) {
    writeAnswers.add(CompletableFuture.failedFuture(failure));
  }

  List<ReceivedWrite> writes() {
    return List.copyOf(writes);
  }

  List<ReceivedRead> reads() {
    return List.copyOf(reads);
  }

  List<PlainCall> plainCalls() {
    return List.copyOf(plainCalls);
  }

  // ---- the causal calls ----

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    String name = new String(key, StandardCharsets.UTF_8);
    reads.add(new ReceivedRead(name, options));
    return readAnswers.getOrDefault(
        name, CompletableFuture.completedFuture(new CausalValue.Absent(new byte[0])));
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    writes.add(new ReceivedWrite(new String(key, StandardCharsets.UTF_8), write, options));
    CompletableFuture<CausalWriteOutcome> answer = writeAnswers.poll();
    return answer != null
        ? answer
        : CompletableFuture.failedFuture(new IllegalStateException("no answer scripted"));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return new KeyspaceAdmin() {
      @Override
      public List<Keyspace> keyspaces() {
        return List.copyOf(keyspaces);
      }

      @Override
      public CompletableFuture<Keyspace> put(Keyspace keyspace) {
        return CompletableFuture.failedFuture(KvException.invalid("not scripted"));
      }

      @Override
      public CompletableFuture<Void> drop(String name) {
        return CompletableFuture.failedFuture(KvException.invalid("not scripted"));
      }
    };
  }

  // ---- the plain calls: a real service ----

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    plainCalls.add(new PlainCall("get", options.keyspace()));
    KvException failure = getFailures.get(new String(key, StandardCharsets.UTF_8));
    return failure != null ? CompletableFuture.failedFuture(failure) : delegate.get(key, options);
  }

  @Override
  public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
    plainCalls.add(new PlainCall("multi_get", options.keyspace()));
    return delegate.multiGet(keys, options);
  }

  @Override
  public CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    plainCalls.add(new PlainCall("write", options.keyspace()));
    return delegate.write(key, mutation, options);
  }

  @Override
  public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
    plainCalls.add(new PlainCall("scan", options.keyspace()));
    return delegate.scan(cursor, limit, options);
  }

  @Override
  public ServiceStats stats() {
    return delegate.stats();
  }
}
