package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.DeleteRequest;
import io.ringkv.proto.v1.DeleteResponse;
import io.ringkv.proto.v1.DropKeyspaceRequest;
import io.ringkv.proto.v1.DropKeyspaceResponse;
import io.ringkv.proto.v1.GetRequest;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.IncrementRequest;
import io.ringkv.proto.v1.IncrementResponse;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.KeyspaceAdminGrpc;
import io.ringkv.proto.v1.ListKeyspacesRequest;
import io.ringkv.proto.v1.ListKeyspacesResponse;
import io.ringkv.proto.v1.MultiGetRequest;
import io.ringkv.proto.v1.MultiGetResponse;
import io.ringkv.proto.v1.PutKeyspaceRequest;
import io.ringkv.proto.v1.PutKeyspaceResponse;
import io.ringkv.proto.v1.PutRequest;
import io.ringkv.proto.v1.PutResponse;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.SetAddRequest;
import io.ringkv.proto.v1.SetChangeResponse;
import io.ringkv.proto.v1.SetMembersRequest;
import io.ringkv.proto.v1.SetMembersResponse;
import io.ringkv.proto.v1.SetRemoveRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The asynchronous face of a {@link RingkvClient}: every call returns at once with a {@link
 * CompletableFuture} that completes with the result, or exceptionally with a {@link
 * RingkvException}. Futures complete on gRPC's threads; do not block in their callbacks. Cancelling
 * a future cancels the call in flight (a cancelled write may or may not have been applied).
 *
 * <p>Failover, deadlines, consistency defaults and the session timestamp are those of the client
 * that made this object (see {@link RingkvClient}). Keys and values are copied when the call is
 * made. Thread-safe.
 */
public final class AsyncRingkvClient {
  private final Failover failover;
  private final ConsistencyLevel defaultReadConsistency;
  private final ConsistencyLevel defaultWriteConsistency;
  private final Duration defaultTimeout;
  private final boolean sessionTimestamps;
  private final String defaultKeyspace;

  /** The highest timestamp any answer carried (0: none yet); sent with every write. */
  private final AtomicLong sessionTimestamp = new AtomicLong();

  AsyncRingkvClient(
      Failover failover,
      ConsistencyLevel defaultReadConsistency,
      ConsistencyLevel defaultWriteConsistency,
      Duration defaultTimeout,
      boolean sessionTimestamps,
      String defaultKeyspace) {
    this.failover = failover;
    this.defaultReadConsistency = defaultReadConsistency;
    this.defaultWriteConsistency = defaultWriteConsistency;
    this.defaultTimeout = defaultTimeout;
    this.sessionTimestamps = sessionTimestamps;
    this.defaultKeyspace = defaultKeyspace == null ? "" : defaultKeyspace;
  }

  /**
   * The highest timestamp this client has been told of (by a write's result or a value read), which
   * it sends with every write; 0 before the first answer or with session timestamps off ({@link
   * RingkvClient.Builder#sessionTimestamps}).
   */
  public long sessionTimestamp() {
    return sessionTimestamp.get();
  }

  /** The newest live value of {@code key}, or empty. */
  public CompletableFuture<Optional<Value>> get(byte[] key) {
    return get(key, ReadOptions.defaults());
  }

  public CompletableFuture<Optional<Value>> get(byte[] key, ReadOptions options) {
    return getResponse(key, options)
        .thenApply(ProtoMapping::value)
        .thenApply(
            value -> {
              value.ifPresent(this::learn);
              return value;
            });
  }

  /** What {@code key} holds with its causal context and, after concurrent writes, its siblings. */
  public CompletableFuture<Versions> getVersions(byte[] key) {
    return getVersions(key, ReadOptions.defaults());
  }

  public CompletableFuture<Versions> getVersions(byte[] key, ReadOptions options) {
    return getResponse(key, options)
        .thenApply(ProtoMapping::versions)
        .thenApply(
            versions -> {
              versions.siblings().forEach(sibling -> learn(sibling.timestamp()));
              return versions;
            });
  }

  private CompletableFuture<GetResponse> getResponse(byte[] key, ReadOptions options) {
    GetRequest request =
        GetRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setConsistency(ProtoMapping.consistency(readLevel(options.consistency())))
            .setCausalContext(ProtoMapping.bytes(options.causalContext()))
            .setKeyspace(keyspace(options.keyspace()))
            .build();
    return failover.run(
        false,
        timeout(options.timeout()),
        (node, callOptions, call) ->
            Failover.unary(node, callOptions, call, KVGrpc.getGetMethod(), request));
  }

  /** {@link #get} for several keys (1 to 1024), answered in the order of {@code keys}. */
  public CompletableFuture<List<Optional<Value>>> multiGet(List<byte[]> keys) {
    return multiGet(keys, ReadOptions.defaults());
  }

  public CompletableFuture<List<Optional<Value>>> multiGet(List<byte[]> keys, ReadOptions options) {
    MultiGetRequest.Builder request =
        MultiGetRequest.newBuilder()
            .setConsistency(ProtoMapping.consistency(readLevel(options.consistency())))
            .setCausalContext(ProtoMapping.bytes(options.causalContext()))
            .setKeyspace(keyspace(options.keyspace()));
    for (byte[] key : keys) {
      request.addKeys(ProtoMapping.bytes(Objects.requireNonNull(key, "key")));
    }
    MultiGetRequest built = request.build();
    return failover
        .<MultiGetResponse>run(
            false,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getMultiGetMethod(), built))
        .thenApply(
            response -> {
              List<Optional<Value>> values = new ArrayList<>(response.getResultsCount());
              for (GetResponse result : response.getResultsList()) {
                Optional<Value> value = ProtoMapping.value(result);
                value.ifPresent(this::learn);
                values.add(value);
              }
              return values;
            });
  }

  /** Stores {@code value} under {@code key}, without expiry or condition. */
  public CompletableFuture<WriteResult> put(byte[] key, byte[] value) {
    return put(key, value, PutOptions.defaults());
  }

  public CompletableFuture<WriteResult> put(byte[] key, byte[] value, PutOptions options) {
    PutRequest.Builder request =
        PutRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setValue(ProtoMapping.bytes(Objects.requireNonNull(value, "value")))
            .setCondition(ProtoMapping.condition(options.condition()))
            .setReturnPrevious(options.returnPrevious())
            .setConsistency(ProtoMapping.consistency(writeLevel(options.consistency())))
            .setCausalContext(ProtoMapping.bytes(options.causalContext()))
            .setKeyspace(keyspace(options.keyspace()))
            .setSessionTimestamp(sessionTimestamp.get());
    if (options.ttl() != null) {
      request.setTtlMs(options.ttl().toMillis());
    } else if (options.expiresAtMillis() != 0) {
      request.setExpiresAtMs(options.expiresAtMillis());
    } else if (options.keepTtl()) {
      request.setKeepTtl(true);
    }
    if (options.idempotencyKey() != null) {
      request.setIdempotencyKey(options.idempotencyKey());
    }
    PutRequest built = request.build();
    return failover
        .<PutResponse>run(
            true,
            options.idempotencyKey() != null,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getPutMethod(), built))
        .thenApply(
            response ->
                learn(
                    new WriteResult(
                        response.getApplied(),
                        response.getTimestamp(),
                        response.getExpiresAtMs(),
                        response.getCausalContext().toByteArray(),
                        response.hasPrevious()
                            ? Optional.of(ProtoMapping.value(response.getPrevious()))
                            : Optional.empty())));
  }

  /** Deletes {@code key}. */
  public CompletableFuture<WriteResult> delete(byte[] key) {
    return delete(key, DeleteOptions.defaults());
  }

  public CompletableFuture<WriteResult> delete(byte[] key, DeleteOptions options) {
    DeleteRequest.Builder request =
        DeleteRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setReturnPrevious(options.returnPrevious())
            .setConsistency(ProtoMapping.consistency(writeLevel(options.consistency())))
            .setCausalContext(ProtoMapping.bytes(options.causalContext()))
            .setKeyspace(keyspace(options.keyspace()))
            .setSessionTimestamp(sessionTimestamp.get());
    if (options.idempotencyKey() != null) {
      request.setIdempotencyKey(options.idempotencyKey());
    }
    DeleteRequest built = request.build();
    return failover
        .<DeleteResponse>run(
            true,
            options.idempotencyKey() != null,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getDeleteMethod(), built))
        .thenApply(
            response ->
                learn(
                    new WriteResult(
                        response.getApplied(),
                        response.getTimestamp(),
                        0,
                        response.getCausalContext().toByteArray(),
                        response.hasPrevious()
                            ? Optional.of(ProtoMapping.value(response.getPrevious()))
                            : Optional.empty())));
  }

  /**
   * One page of a scan: up to {@code options.pageSize()} entries (fewer if {@code options.limit()}
   * is smaller) after {@code options.cursor()}. Continue with {@link ScanPage#cursor()} until
   * {@link ScanPage#complete()}.
   */
  public CompletableFuture<ScanPage> scanPage(ScanOptions options) {
    long entries =
        options.limit() == 0 ? options.pageSize() : Math.min(options.limit(), options.pageSize());
    ScanRequest request =
        ScanRequest.newBuilder()
            .setCursor(options.cursor())
            .setLimit((int) entries)
            .setPageSize((int) entries)
            .setConsistency(ProtoMapping.consistency(readLevel(options.consistency())))
            .setKeyspace(keyspace(options.keyspace()))
            .build();
    return failover
        .<ScanPage>run(
            false,
            timeout(options.timeout()),
            (node, callOptions, call) -> Failover.scan(node, callOptions, call, request))
        .thenApply(
            page -> {
              for (KeyValue entry : page.entries()) {
                learn(entry.value());
              }
              return page;
            });
  }

  /**
   * Adds {@code delta} to the counter at {@code key} (a causal keyspace's CRDT counter; an absent
   * key starts at 0) and answers its new value. With an idempotency key the client may retry it on
   * another node after an unknown outcome, and the counter counts it once.
   */
  public CompletableFuture<IncrementResult> increment(
      byte[] key, long delta, IncrementOptions options) {
    IncrementRequest.Builder request =
        IncrementRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setDelta(delta)
            .setConsistency(ProtoMapping.consistency(writeLevel(options.consistency())))
            .setKeyspace(keyspace(options.keyspace()));
    if (options.idempotencyKey() != null) {
      request.setIdempotencyKey(options.idempotencyKey());
    }
    IncrementRequest built = request.build();
    return failover
        .<IncrementResponse>run(
            true,
            options.idempotencyKey() != null,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getIncrementMethod(), built))
        .thenApply(response -> new IncrementResult(response.getValue(), response.getDuplicate()));
  }

  /** Adds {@code members} (1 to 1024) to the set at {@code key}; answers how many were new. */
  public CompletableFuture<Integer> setAdd(byte[] key, List<byte[]> members, SetOptions options) {
    SetAddRequest.Builder request =
        SetAddRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setConsistency(ProtoMapping.consistency(writeLevel(options.consistency())))
            .setKeyspace(keyspace(options.keyspace()));
    members.forEach(member -> request.addMembers(ProtoMapping.bytes(member)));
    SetAddRequest built = request.build();
    return failover
        .<SetChangeResponse>run(
            true,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getSetAddMethod(), built))
        .thenApply(response -> response.getChanged());
  }

  /**
   * Removes {@code members} (1 to 1024) from the set at {@code key}: with the options' causal
   * context, only the adds that context saw. Answers how many were present.
   */
  public CompletableFuture<Integer> setRemove(
      byte[] key, List<byte[]> members, SetOptions options) {
    SetRemoveRequest.Builder request =
        SetRemoveRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setConsistency(ProtoMapping.consistency(writeLevel(options.consistency())))
            .setCausalContext(ProtoMapping.bytes(options.causalContext()))
            .setKeyspace(keyspace(options.keyspace()));
    members.forEach(member -> request.addMembers(ProtoMapping.bytes(member)));
    SetRemoveRequest built = request.build();
    return failover
        .<SetChangeResponse>run(
            true,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getSetRemoveMethod(), built))
        .thenApply(response -> response.getChanged());
  }

  /** The members of the set at {@code key} (none if absent), with the set's context. */
  public CompletableFuture<SetMembers> setMembers(byte[] key, ReadOptions options) {
    SetMembersRequest request =
        SetMembersRequest.newBuilder()
            .setKey(ProtoMapping.bytes(Objects.requireNonNull(key, "key")))
            .setConsistency(ProtoMapping.consistency(readLevel(options.consistency())))
            .setKeyspace(keyspace(options.keyspace()))
            .build();
    return failover
        .<SetMembersResponse>run(
            false,
            timeout(options.timeout()),
            (node, callOptions, call) ->
                Failover.unary(node, callOptions, call, KVGrpc.getSetMembersMethod(), request))
        .thenApply(
            response ->
                new SetMembers(
                    response.getMembersList().stream().map(ByteString::toByteArray).toList(),
                    response.getCausalContext().toByteArray()));
  }

  /** The keyspaces the node answering knows, by name. */
  public CompletableFuture<List<Keyspace>> keyspaces() {
    return failover
        .<ListKeyspacesResponse>run(
            false,
            defaultTimeout,
            (node, callOptions, call) ->
                Failover.unary(
                    node,
                    callOptions,
                    call,
                    KeyspaceAdminGrpc.getListKeyspacesMethod(),
                    ListKeyspacesRequest.getDefaultInstance()))
        .thenApply(
            response -> response.getKeyspacesList().stream().map(ProtoMapping::keyspace).toList());
  }

  /**
   * Creates {@code keyspace}, or changes the one of its name; answers it as applied, every field
   * set. A write: retried on another node only when nothing was attempted.
   */
  public CompletableFuture<Keyspace> putKeyspace(Keyspace keyspace) {
    PutKeyspaceRequest request =
        PutKeyspaceRequest.newBuilder()
            .setKeyspace(ProtoMapping.keyspace(Objects.requireNonNull(keyspace, "keyspace")))
            .build();
    return failover
        .<PutKeyspaceResponse>run(
            true,
            defaultTimeout,
            (node, callOptions, call) ->
                Failover.unary(
                    node, callOptions, call, KeyspaceAdminGrpc.getPutKeyspaceMethod(), request))
        .thenApply(response -> ProtoMapping.keyspace(response.getKeyspace()));
  }

  /** Drops the keyspace {@code name} and, in time, its data. */
  public CompletableFuture<Void> dropKeyspace(String name) {
    DropKeyspaceRequest request =
        DropKeyspaceRequest.newBuilder().setName(Objects.requireNonNull(name, "name")).build();
    return failover
        .<DropKeyspaceResponse>run(
            true,
            defaultTimeout,
            (node, callOptions, call) ->
                Failover.unary(
                    node, callOptions, call, KeyspaceAdminGrpc.getDropKeyspaceMethod(), request))
        .thenApply(response -> null);
  }

  private String keyspace(String name) {
    return name != null ? name : defaultKeyspace;
  }

  private void learn(Value value) {
    learn(value.timestamp());
  }

  private WriteResult learn(WriteResult result) {
    learn(result.timestamp());
    return result;
  }

  /**
   * Keeps the highest timestamp seen. A coordinator stamps each write with its own hybrid logical
   * clock; without this, a write sent through a coordinator whose clock is a little behind the one
   * that took this client's previous write could be stamped lower and silently lose to it
   * (last-write-wins). Sending the highest timestamp seen makes the coordinator stamp above it.
   */
  private void learn(long timestamp) {
    if (sessionTimestamps && timestamp > 0) {
      sessionTimestamp.accumulateAndGet(timestamp, Math::max);
    }
  }

  private ConsistencyLevel readLevel(ConsistencyLevel level) {
    return level != null ? level : defaultReadConsistency;
  }

  private ConsistencyLevel writeLevel(ConsistencyLevel level) {
    return level != null ? level : defaultWriteConsistency;
  }

  private Duration timeout(Duration timeout) {
    return timeout != null ? timeout : defaultTimeout;
  }
}
