package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.common.Clock;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.DeleteRequest;
import io.ringkv.proto.v1.DeleteResponse;
import io.ringkv.proto.v1.GetRequest;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.IncrementRequest;
import io.ringkv.proto.v1.IncrementResponse;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.MultiGetRequest;
import io.ringkv.proto.v1.MultiGetResponse;
import io.ringkv.proto.v1.PutRequest;
import io.ringkv.proto.v1.PutResponse;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.ScanResponse;
import io.ringkv.proto.v1.SetAddRequest;
import io.ringkv.proto.v1.SetChangeResponse;
import io.ringkv.proto.v1.SetMembersRequest;
import io.ringkv.proto.v1.SetMembersResponse;
import io.ringkv.proto.v1.SetRemoveRequest;
import io.ringkv.proto.v1.Value;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOutcome;
import io.ringkv.server.metrics.NodeMetrics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code ringkv.v1.KV} service: checks each request at the edge ({@link RequestChecks}), calls
 * the {@link KeyValueService}, and answers from the service future's callback, so no gRPC thread
 * ever waits on a future. Each call is timed into {@link NodeMetrics} as front end {@code grpc},
 * operation {@code get}, {@code put}, {@code delete}, {@code multi_get}, {@code scan}, {@code
 * increment}, {@code set_add}, {@code set_remove} or {@code set_members}.
 *
 * <p><b>Keyspaces.</b> A request naming no keyspace goes to {@code default} (last write wins) on
 * exactly the paths it always took. In a keyspace whose {@code conflicts} is causal, Get reads
 * through {@link KeyValueService#readCausal} (context and siblings), and a Put or Delete without an
 * expiry, a condition or return_previous writes through {@link KeyValueService#writeCausal} with
 * the request's context, so its answer carries the new context; one with them goes through the
 * plain write, where the service reads the winner and writes with its context (a client context
 * cannot be combined with them: refused). Which mode a keyspace has is read from the service's
 * {@link io.ringkv.server.kv.KeyspaceAdmin} list; a keyspace missing from it takes the plain path,
 * whose service call answers NO_SUCH_KEYSPACE. Counters and sets always go through writeCausal and
 * readCausal: the service refuses them in a last-write-wins keyspace.
 *
 * <p>Relative expiries ({@code ttl_ms}) are made absolute with this node's {@link Clock} when the
 * request arrives. Response values wrap the service's arrays without copying: the service never
 * changes an array it has returned.
 *
 * <p>Thread-safe: holds no per-call state (Scan's lives in a {@link ScanStreamer}).
 */
final class KvGrpcService extends KVGrpc.KVImplBase {
  static final String FRONT_END = "grpc";

  /**
   * Installed on every unary call: with a cancel handler set, answering a call the client has
   * already abandoned (deadline, disconnect) is a silent no-op instead of an exception.
   */
  private static final Runnable IGNORE_CANCEL = () -> {};

  /** Scan messages are cut at this size, so that no client needs a large inbound limit. */
  private static final int SCAN_MESSAGE_BYTES_TARGET = 1 << 20;

  private final KeyValueService service;
  private final LimitsConfig limits;
  private final RequestChecks checks;
  private final NodeMetrics metrics;
  private final GrpcReplies replies;
  private final Clock clock;

  KvGrpcService(KeyValueService service, LimitsConfig limits, NodeMetrics metrics, Clock clock) {
    this.service = service;
    this.limits = limits;
    this.checks = new RequestChecks(limits);
    this.metrics = metrics;
    this.replies = new GrpcReplies(metrics);
    this.clock = clock;
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      byte[] key = checks.key(request.getKey(), "key");
      ReadOptions options =
          readOptions(
              request.getConsistencyValue(), request.getCausalContext(), request.getKeyspace());
      if (causal(options.keyspace())) {
        reply(
            "get",
            false,
            startNanos,
            observer,
            service.readCausal(key, options),
            CausalResponses::getResponse);
        return;
      }
      reply(
          "get",
          false,
          startNanos,
          observer,
          service.get(key, options),
          KvGrpcService::getResponse);
    } catch (RuntimeException e) {
      fail("get", false, startNanos, observer, e);
    }
  }

  @Override
  public void multiGet(MultiGetRequest request, StreamObserver<MultiGetResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    CompletableFuture<List<Versioned>> result;
    try {
      RequestChecks.multiGetKeys(request.getKeysCount());
      List<byte[]> keys = new ArrayList<>(request.getKeysCount());
      for (int i = 0; i < request.getKeysCount(); i++) {
        keys.add(checks.key(request.getKeys(i), "keys[" + i + "]"));
      }
      ReadOptions options =
          readOptions(
              request.getConsistencyValue(), request.getCausalContext(), request.getKeyspace());
      result = service.multiGet(keys, options);
    } catch (RuntimeException e) {
      fail("multi_get", false, startNanos, observer, e);
      return;
    }
    reply("multi_get", false, startNanos, observer, result, this::multiGetResponse);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    CompletableFuture<WriteOutcome> result;
    Expiry expiry;
    try {
      byte[] key = checks.key(request.getKey(), "key");
      byte[] value = checks.value(request.getValue());
      expiry = expiry(request);
      WriteOptions.Condition condition = RequestChecks.condition(request.getConditionValue());
      ConsistencyLevel level = RequestChecks.consistency(request.getConsistencyValue());
      RequestChecks.causalContext(request.getCausalContext());
      byte[] idempotencyKey = RequestChecks.idempotencyKey(request.getIdempotencyKeyBytes());
      String keyspace = RequestChecks.keyspace(request.getKeyspace());
      long sessionTimestamp = RequestChecks.sessionTimestamp(request.getSessionTimestamp());
      boolean plainOnly =
          !(expiry instanceof Expiry.None)
              || condition != WriteOptions.Condition.ALWAYS
              || request.getReturnPrevious();
      if (causal(keyspace)) {
        if (!plainOnly) {
          byte[] context = RequestChecks.causalContextForWrite(request.getCausalContext());
          WriteOptions options =
              new WriteOptions(level, null, false, sessionTimestamp, keyspace, idempotencyKey);
          replyCausal(
              "put",
              startNanos,
              observer,
              service.writeCausal(key, new CausalWrite.Put(value, context), options),
              outcome -> CausalResponses.putResponse(outcome, value));
          return;
        }
        refuseContextWith(request.getCausalContext(), "an expiry, a condition or return_previous");
      }
      // KEEPTTL needs the replaced value's expiry to report the written one; the service reads
      // that value under the key's lock anyway, so asking for it costs nothing.
      boolean previousNeeded = request.getReturnPrevious() || expiry instanceof Expiry.Keep;
      result =
          service.write(
              key,
              new Mutation.Put(value, expiry),
              new WriteOptions(
                  level, condition, previousNeeded, sessionTimestamp, keyspace, idempotencyKey));
    } catch (RuntimeException e) {
      fail("put", true, startNanos, observer, e);
      return;
    }
    boolean returnPrevious = request.getReturnPrevious();
    reply(
        "put",
        true,
        startNanos,
        observer,
        result,
        outcome -> putResponse(outcome, expiry, returnPrevious));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    CompletableFuture<WriteOutcome> result;
    try {
      byte[] key = checks.key(request.getKey(), "key");
      ConsistencyLevel level = RequestChecks.consistency(request.getConsistencyValue());
      RequestChecks.causalContext(request.getCausalContext());
      byte[] idempotencyKey = RequestChecks.idempotencyKey(request.getIdempotencyKeyBytes());
      String keyspace = RequestChecks.keyspace(request.getKeyspace());
      long sessionTimestamp = RequestChecks.sessionTimestamp(request.getSessionTimestamp());
      if (causal(keyspace)) {
        if (!request.getReturnPrevious()) {
          byte[] context = RequestChecks.causalContextForWrite(request.getCausalContext());
          WriteOptions options =
              new WriteOptions(level, null, false, sessionTimestamp, keyspace, idempotencyKey);
          replyCausal(
              "delete",
              startNanos,
              observer,
              service.writeCausal(key, new CausalWrite.Delete(context), options),
              CausalResponses::deleteResponse);
          return;
        }
        refuseContextWith(request.getCausalContext(), "return_previous");
      }
      result =
          service.write(
              key,
              Mutation.delete(),
              new WriteOptions(
                  level,
                  WriteOptions.Condition.ALWAYS,
                  request.getReturnPrevious(),
                  sessionTimestamp,
                  keyspace,
                  idempotencyKey));
    } catch (RuntimeException e) {
      fail("delete", true, startNanos, observer, e);
      return;
    }
    reply("delete", true, startNanos, observer, result, KvGrpcService::deleteResponse);
  }

  @Override
  public void scan(ScanRequest request, StreamObserver<ScanResponse> observer) {
    long startNanos = System.nanoTime();
    ServerCallStreamObserver<ScanResponse> call = (ServerCallStreamObserver<ScanResponse>) observer;
    ScanStreamer streamer;
    try {
      ScanCursor cursor = checks.cursor(request.getCursor());
      int pageSize = RequestChecks.pageSize(request.getPageSize());
      long limit =
          request.getLimit() == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(request.getLimit());
      ReadOptions options =
          readOptions(
              request.getConsistencyValue(), request.getCausalContext(), request.getKeyspace());
      streamer =
          new ScanStreamer(
              call,
              service,
              cursor,
              limit,
              pageSize,
              options,
              Math.min(SCAN_MESSAGE_BYTES_TARGET, limits.grpcMessageBytesMax()),
              error ->
                  metrics.recordRequest(FRONT_END, "scan", System.nanoTime() - startNanos, error));
    } catch (RuntimeException e) {
      ignoreCancellation(observer);
      fail("scan", false, startNanos, observer, e);
      return;
    }
    streamer.start();
  }

  @Override
  public void increment(IncrementRequest request, StreamObserver<IncrementResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      byte[] key = checks.key(request.getKey(), "key");
      WriteOptions options =
          causalWriteOptions(
              request.getConsistencyValue(),
              RequestChecks.idempotencyKey(request.getIdempotencyKeyBytes()),
              request.getKeyspace());
      replyCausal(
          "increment",
          startNanos,
          observer,
          service.writeCausal(key, increment(request), options),
          CausalResponses::incrementResponse);
    } catch (RuntimeException e) {
      fail("increment", true, startNanos, observer, e);
    }
  }

  /**
   * The increment an IncrementRequest asks for: {@code delta}, or the exact decimal {@code
   * decimal_delta} (INCRBYFLOAT) when that is set, checked at the edge.
   */
  private static CausalWrite increment(IncrementRequest request) {
    String decimalText = request.getDecimalDelta();
    if (decimalText.isEmpty()) {
      return new CausalWrite.Increment(request.getDelta());
    }
    if (request.getDelta() != 0) {
      throw GrpcErrors.invalid(
          "give delta or decimal_delta, not both: delta "
              + request.getDelta()
              + ", decimal_delta "
              + decimalText);
    }
    BigDecimal delta = null;
    if (DECIMAL_TEXT.matcher(decimalText).matches()) {
      try {
        delta = new BigDecimal(decimalText);
      } catch (NumberFormatException e) {
        delta = null; // an exponent past the range of an int
      }
    }
    if (delta == null) {
      throw GrpcErrors.invalid(
          "decimal_delta '"
              + decimalText
              + "' is not a decimal number (Redis' INCRBYFLOAT syntax: 10.5, -5.0e3, .5)");
    }
    // Its digits are checked by the service (INVALID_ARGUMENT naming the limit).
    return new CausalWrite.IncrementFloat(delta);
  }

  /** A decimal as Redis' INCRBYFLOAT reads one: sign, digits with at most one point, exponent. */
  private static final Pattern DECIMAL_TEXT =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  @Override
  public void setAdd(SetAddRequest request, StreamObserver<SetChangeResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      byte[] key = checks.key(request.getKey(), "key");
      List<byte[]> members = checks.members(request.getMembersList());
      WriteOptions options =
          causalWriteOptions(request.getConsistencyValue(), null, request.getKeyspace());
      replyCausal(
          "set_add",
          startNanos,
          observer,
          service.writeCausal(key, new CausalWrite.SetAdd(members), options),
          CausalResponses::setChangeResponse);
    } catch (RuntimeException e) {
      fail("set_add", true, startNanos, observer, e);
    }
  }

  @Override
  public void setRemove(SetRemoveRequest request, StreamObserver<SetChangeResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      byte[] key = checks.key(request.getKey(), "key");
      List<byte[]> members = checks.members(request.getMembersList());
      byte[] context = RequestChecks.causalContextForWrite(request.getCausalContext());
      WriteOptions options =
          causalWriteOptions(request.getConsistencyValue(), null, request.getKeyspace());
      replyCausal(
          "set_remove",
          startNanos,
          observer,
          service.writeCausal(key, new CausalWrite.SetRemove(members, context), options),
          CausalResponses::setChangeResponse);
    } catch (RuntimeException e) {
      fail("set_remove", true, startNanos, observer, e);
    }
  }

  @Override
  public void setMembers(SetMembersRequest request, StreamObserver<SetMembersResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      byte[] key = checks.key(request.getKey(), "key");
      ReadOptions options =
          readOptions(request.getConsistencyValue(), ByteString.EMPTY, request.getKeyspace());
      reply(
          "set_members",
          false,
          startNanos,
          observer,
          service.readCausal(key, options),
          this::setMembersResponse);
    } catch (RuntimeException e) {
      fail("set_members", false, startNanos, observer, e);
    }
  }

  private static ReadOptions readOptions(
      int consistencyNumber, ByteString causalContext, String keyspaceName) {
    ConsistencyLevel level = RequestChecks.readConsistency(consistencyNumber);
    RequestChecks.causalContext(causalContext);
    String keyspace = RequestChecks.keyspace(keyspaceName);
    if (keyspace == null) {
      return level == null ? ReadOptions.defaults() : new ReadOptions(level);
    }
    return new ReadOptions(level, keyspace);
  }

  private static WriteOptions causalWriteOptions(
      int consistencyNumber, byte[] idempotencyKey, String keyspaceName) {
    ConsistencyLevel level = RequestChecks.consistency(consistencyNumber);
    String keyspace = RequestChecks.keyspace(keyspaceName);
    return new WriteOptions(level, null, false, 0, keyspace, idempotencyKey);
  }

  /**
   * Whether {@code keyspace} (null: default, never causal) resolves conflicts causally, as this
   * node's keyspace list says. A name not in the list is not causal here: the plain call it then
   * takes fails NO_SUCH_KEYSPACE in the service, which owns that answer.
   */
  private boolean causal(String keyspace) {
    if (keyspace == null) {
      return false;
    }
    for (io.ringkv.cluster.metadata.Keyspace known : service.keyspaces().keyspaces()) {
      if (known.name().equals(keyspace)) {
        return known.causal();
      }
    }
    return false;
  }

  /**
   * A causal context cannot go with options that make the service read the winner and write with
   * that read's context: one write cannot follow two reads.
   */
  private static void refuseContextWith(ByteString context, String options) {
    if (!context.isEmpty()) {
      throw GrpcErrors.invalid(
          "causal_context cannot be combined with "
              + options
              + " in a causal keyspace (the node reads the key and writes with that read's"
              + " context); send one or the other");
    }
  }

  private SetMembersResponse setMembersResponse(CausalValue value) {
    SetMembersResponse response = CausalResponses.setMembersResponse(value);
    int bytes = response.getSerializedSize();
    if (bytes > limits.grpcMessageBytesMax()) {
      throw GrpcErrors.overLimit(
          "response of "
              + bytes
              + " bytes for the set's members exceeds limits.grpc_message_bytes_max ("
              + limits.grpcMessageBytesMax()
              + ")",
          "limits.grpc_message_bytes_max");
    }
    return response;
  }

  private Expiry expiry(PutRequest request) {
    return switch (request.getExpiryCase()) {
      case EXPIRY_NOT_SET -> Expiry.none();
      case KEEP_TTL -> request.getKeepTtl() ? Expiry.keep() : Expiry.none();
      case EXPIRES_AT_MS -> {
        long at = request.getExpiresAtMs();
        if (at <= 0) {
          throw GrpcErrors.invalid("expires_at_ms must be positive, was " + at);
        }
        yield Expiry.at(at);
      }
      case TTL_MS -> {
        long ttl = request.getTtlMs();
        if (ttl <= 0) {
          throw GrpcErrors.invalid("ttl_ms must be positive, was " + ttl);
        }
        long now = clock.epochMillis();
        if (ttl > Long.MAX_VALUE - now) {
          throw GrpcErrors.invalid("ttl_ms " + ttl + " is too large: the expiry would overflow");
        }
        yield Expiry.at(now + ttl);
      }
    };
  }

  private <T, R> void reply(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<R> observer,
      CompletableFuture<T> result,
      Function<T, R> toResponse) {
    replies.reply(operation, write, startNanos, observer, result, toResponse);
  }

  /** {@link #reply} for a causal write (timeouts and failures are indeterminate). */
  private <R> void replyCausal(
      String operation,
      long startNanos,
      StreamObserver<R> observer,
      CompletableFuture<CausalWriteOutcome> result,
      Function<CausalWriteOutcome, R> toResponse) {
    reply(operation, true, startNanos, observer, result, toResponse);
  }

  private void fail(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<?> observer,
      Throwable failure) {
    replies.fail(operation, write, startNanos, observer, failure);
  }

  private static void ignoreCancellation(StreamObserver<?> observer) {
    ((ServerCallStreamObserver<?>) observer).setOnCancelHandler(IGNORE_CANCEL);
  }

  /** A found value on the wire; the arrays are wrapped, not copied. */
  static Value value(Versioned versioned) {
    Value.Builder value =
        Value.newBuilder()
            .setData(UnsafeByteOperations.unsafeWrap(versioned.value()))
            .setTimestamp(versioned.timestamp());
    if (versioned.hasExpiry()) {
      value.setExpiresAtMs(versioned.expiresAtMillis());
    }
    if (versioned.context().length > 0) {
      value.setCausalContext(UnsafeByteOperations.unsafeWrap(versioned.context()));
    }
    return value.build();
  }

  private static GetResponse getResponse(Versioned versioned) {
    return versioned.isPresent()
        ? GetResponse.newBuilder().setValue(value(versioned)).build()
        : GetResponse.getDefaultInstance();
  }

  private MultiGetResponse multiGetResponse(List<Versioned> values) {
    MultiGetResponse.Builder response = MultiGetResponse.newBuilder();
    for (Versioned versioned : values) {
      response.addResults(getResponse(versioned));
    }
    MultiGetResponse built = response.build();
    int bytes = built.getSerializedSize();
    if (bytes > limits.grpcMessageBytesMax()) {
      throw GrpcErrors.overLimit(
          "response of "
              + bytes
              + " bytes for "
              + values.size()
              + " keys exceeds limits.grpc_message_bytes_max ("
              + limits.grpcMessageBytesMax()
              + "); ask for fewer keys",
          "limits.grpc_message_bytes_max");
    }
    return built;
  }

  private static PutResponse putResponse(
      WriteOutcome outcome, Expiry expiry, boolean returnPrevious) {
    PutResponse.Builder response =
        PutResponse.newBuilder().setApplied(outcome.applied()).setTimestamp(outcome.timestamp());
    if (outcome.applied()) {
      Versioned previous = outcome.previous();
      long expiresAt =
          switch (expiry) {
            case Expiry.None none -> 0;
            case Expiry.At at -> at.epochMillis();
            case Expiry.Keep keep ->
                previous.isPresent() && previous.hasExpiry() ? previous.expiresAtMillis() : 0;
          };
      response.setExpiresAtMs(expiresAt);
    }
    if (returnPrevious && outcome.previous().isPresent()) {
      response.setPrevious(value(outcome.previous()));
    }
    return response.build();
  }

  private static DeleteResponse deleteResponse(WriteOutcome outcome) {
    DeleteResponse.Builder response =
        DeleteResponse.newBuilder().setApplied(outcome.applied()).setTimestamp(outcome.timestamp());
    if (outcome.previous().isPresent()) {
      response.setPrevious(value(outcome.previous()));
    }
    return response.build();
  }
}
