package io.ringkv.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.cluster.version.PnCounter;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.WriteOptions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The CRDT routes of causal keyspaces (docs/design/causal.md, "Counters" and "Sets"): a PN-counter
 * ({@code POST /api/v1/counter/incr}, {@code GET /api/v1/counter}) and an observed-remove set
 * ({@code POST /api/v1/set/add}, {@code POST /api/v1/set/remove}, {@code GET /api/v1/set/members}),
 * the HTTP equivalents of Redis' INCRBY and SADD/SREM/SMEMBERS. The service merges them on the
 * server, so they never have siblings.
 *
 * <p>They exist only in causal keyspaces: in a last-write-wins keyspace they are a 400 naming the
 * keyspace and its mode, before the service is called. A key of another type is 409 {@code
 * wrong-type}. Each handler validates its input (key and member sizes, the increment's range, the
 * member count against {@link #SET_MEMBERS_PER_REQUEST_MAX}) before it calls the service. Stateless
 * apart from its collaborators; thread-safe.
 */
final class CrdtRoutes {
  /** Most members one set add or remove may name (Redis has none; a request is bounded here). */
  static final int SET_MEMBERS_PER_REQUEST_MAX = 1024;

  private final KeyValueService service;
  private final LimitsConfig limits;

  CrdtRoutes(KeyValueService service, LimitsConfig limits) {
    this.service = service;
    this.limits = limits;
  }

  /** {@code GET /api/v1/counter?key=K}: {@code {"key", "value"}}, 404 if never incremented. */
  CompletableFuture<HttpReply> counterGet(HttpExchange exchange) {
    byte[] key = queryKey(exchange, "GET /api/v1/counter?key=K");
    ConsistencyLevel level = KvRoutes.consistency(exchange, true);
    RequestKeyspace keyspace = causalKeyspace(exchange, "counters");
    ReadOptions options = new ReadOptions(level).withKeyspace(keyspace.name());
    return service
        .readCausal(key, options)
        .thenApply(
            value ->
                switch (value) {
                  case CausalValue.Counter counter ->
                      CausalHeaders.withEntityTag(counterReply(key, counter), counter.context());
                  case CausalValue.Absent absent -> KvRoutes.notFound(exchange, key);
                  case CausalValue.Register register ->
                      CausalRoutes.wrongType(exchange, key, value, "a counter");
                  case CausalValue.Set set ->
                      CausalRoutes.wrongType(exchange, key, value, "a counter");
                });
  }

  /**
   * {@code POST /api/v1/counter/incr} with {@code {"key", "by"}}: {@code {"key", "value"}}, the
   * counter's value after the increment at its dot replica. An integer {@code by} is INCRBY; a
   * number with a fraction or an exponent ({@code 1.5}, {@code 2.0}, {@code 1e3}) is INCRBYFLOAT,
   * an exact decimal increment.
   */
  CompletableFuture<HttpReply> counterIncrement(HttpExchange exchange) {
    String shape = JsonBodies.CounterIncrementBody.SHAPE;
    JsonBodies.CounterIncrementBody body =
        JsonBodies.read(exchange.body(), JsonBodies.CounterIncrementBody.class, shape);
    String keyText = JsonBodies.requiredText(body.key(), "key", shape);
    byte[] key = keyText.getBytes(StandardCharsets.UTF_8);
    KvRoutes.checkKey(key, limits);
    CausalWrite increment =
        JsonBodies.absent(body.by())
            ? new CausalWrite.Increment(1)
            : body.by().isFloatingPointNumber()
                ? new CausalWrite.IncrementFloat(decimalIncrement(body.by()))
                : new CausalWrite.Increment(increment(body.by()));
    byte[] bodyIdempotencyKey = null;
    if (!JsonBodies.absent(body.idempotencyKey())) {
      bodyIdempotencyKey =
          CausalHeaders.checkIdempotencyKey(
              JsonBodies.text(body.idempotencyKey(), "idempotencyKey", shape)
                  .getBytes(StandardCharsets.UTF_8),
              "field 'idempotencyKey'",
              "idempotencyKey",
              true);
    }
    RequestKeyspace keyspace = causalKeyspace(exchange, "counters");
    WriteOptions options = KvRoutes.writeOptions(exchange, keyspace);
    if (bodyIdempotencyKey != null) {
      if (options.idempotencyKey() != null
          && !Arrays.equals(options.idempotencyKey(), bodyIdempotencyKey)) {
        throw Problem.badBody(
                "the field 'idempotencyKey' and the header "
                    + CausalHeaders.IDEMPOTENCY_KEY
                    + " disagree; give one")
            .with("field", "idempotencyKey")
            .toException();
      }
      options = options.withIdempotencyKey(bodyIdempotencyKey);
    }
    return service
        .writeCausal(key, increment, options)
        .handle(
            (outcome, failure) -> {
              if (failure != null) {
                return ServiceFailures.reply(incrementFailure(failure), exchange.rawPath());
              }
              if (!(outcome.state() instanceof CausalValue.Counter counter)) {
                throw unexpected(outcome, "a counter");
              }
              return CausalHeaders.withEntityTag(counterReply(key, counter), counter.context());
            });
  }

  /**
   * The problem of a failed increment. Unlike a put, an increment is not idempotent: after a
   * timeout or failure, repeating it without an idempotency key may count it twice, so the detail
   * says so rather than the generic advice to repeat the write.
   */
  static Problem incrementFailure(Throwable failure) {
    Problem problem = ServiceFailures.problem(failure, false);
    if (problem.type() != ProblemType.TIMEOUT && problem.type() != ProblemType.INTERNAL) {
      return problem;
    }
    return new Problem(
        problem.status(),
        problem.type(),
        problem.detail()
            + "; the increment may or may not have been applied: repeat it with the same "
            + CausalHeaders.IDEMPOTENCY_KEY
            + " to count it at most once (a repeat without one may count twice)",
        problem.extensions());
  }

  /** {@code POST /api/v1/set/add} with {@code {"key", "members"}}: {@code {"key", "changed"}}. */
  CompletableFuture<HttpReply> setAdd(HttpExchange exchange) {
    return setWrite(exchange, false);
  }

  /**
   * {@code POST /api/v1/set/remove} with {@code {"key", "members"}}: {@code {"key", "changed"}}. An
   * {@code If-Match} with the context of {@code GET /api/v1/set/members} removes only the adds that
   * read saw (an add it did not see survives); without, what the dot replica holds.
   */
  CompletableFuture<HttpReply> setRemove(HttpExchange exchange) {
    return setWrite(exchange, true);
  }

  private CompletableFuture<HttpReply> setWrite(HttpExchange exchange, boolean remove) {
    String shape = JsonBodies.SetMembersBody.SHAPE;
    JsonBodies.SetMembersBody body =
        JsonBodies.read(exchange.body(), JsonBodies.SetMembersBody.class, shape);
    String keyText = JsonBodies.requiredText(body.key(), "key", shape);
    byte[] key = keyText.getBytes(StandardCharsets.UTF_8);
    KvRoutes.checkKey(key, limits);
    List<byte[]> members = members(JsonBodies.required(body.members(), "members", shape), shape);
    RequestKeyspace keyspace = causalKeyspace(exchange, "sets");
    WriteOptions options = KvRoutes.writeOptions(exchange, keyspace);
    byte[] context = CausalHeaders.ifMatch(exchange);
    if (context != null && !remove) {
      throw Problem.badParameter(
              "header "
                  + CausalHeaders.IF_MATCH
                  + " applies to /api/v1/set/remove only: an add needs no context")
          .with("parameter", CausalHeaders.IF_MATCH)
          .toException();
    }
    CausalWrite write =
        remove ? new CausalWrite.SetRemove(members, context) : new CausalWrite.SetAdd(members);
    return service
        .writeCausal(key, write, options)
        .thenApply(
            outcome -> {
              ObjectNode reply = HttpJson.MAPPER.createObjectNode();
              reply.put("key", keyText);
              reply.put("changed", outcome.changedMembers());
              return CausalHeaders.withEntityTag(
                  HttpReply.json(HttpResponseStatus.OK, reply), outcome.state().context());
            });
  }

  /**
   * {@code GET /api/v1/set/members?key=K}: {@code {"key", "members", "context"}}, members in byte
   * order; a key never added to is the empty set (as Redis' SMEMBERS).
   */
  CompletableFuture<HttpReply> setMembers(HttpExchange exchange) {
    byte[] key = queryKey(exchange, "GET /api/v1/set/members?key=K");
    ConsistencyLevel level = KvRoutes.consistency(exchange, true);
    RequestKeyspace keyspace = causalKeyspace(exchange, "sets");
    ReadOptions options = new ReadOptions(level).withKeyspace(keyspace.name());
    return service
        .readCausal(key, options)
        .thenApply(
            value ->
                switch (value) {
                  case CausalValue.Set set -> membersReply(key, set.members(), set.context());
                  case CausalValue.Absent absent -> membersReply(key, List.of(), absent.context());
                  case CausalValue.Register register ->
                      CausalRoutes.wrongType(exchange, key, value, "a set");
                  case CausalValue.Counter counter ->
                      CausalRoutes.wrongType(exchange, key, value, "a set");
                });
  }

  /**
   * {@code {"key", "value"}}: an integer counter's value as a JSON integer (as before decimals); a
   * value with a fraction (or past 64 bits) as an exact JSON number in plain digits, never an
   * exponent and never rounded through a double ({@code 10.5}, {@code -0.25}).
   */
  private static HttpReply counterReply(byte[] key, CausalValue.Counter counter) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.put("key", JsonView.text(key));
    if (counter.integral() && counter.exact().compareTo(BigDecimal.valueOf(counter.value())) == 0) {
      body.put("value", counter.value());
    } else {
      body.putRawValue("value", new RawValue(counter.text()));
    }
    return HttpReply.json(HttpResponseStatus.OK, body);
  }

  private static HttpReply membersReply(byte[] key, List<byte[]> members, byte[] context) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.put("key", JsonView.text(key));
    ArrayNode array = body.putArray("members");
    for (byte[] member : members) {
      array.add(JsonView.text(member));
    }
    body.put("context", CausalHeaders.text(context));
    return CausalHeaders.withEntityTag(HttpReply.json(HttpResponseStatus.OK, body), context);
  }

  /** The keyspace of a CRDT request, which must be causal. */
  private RequestKeyspace causalKeyspace(HttpExchange exchange, String what) {
    RequestKeyspace keyspace = RequestKeyspace.of(exchange, service.keyspaces());
    if (!keyspace.causal()) {
      throw Problem.of(
              HttpResponseStatus.BAD_REQUEST,
              ProblemType.INVALID_REQUEST,
              "keyspace "
                  + keyspace.displayName()
                  + " is conflicts: lww; "
                  + what
                  + " need a causal keyspace (name one with ?keyspace= or X-Keyspace; create one"
                  + " with PUT /v1/keyspaces/{name})")
          .with("parameter", RequestKeyspace.PARAMETER)
          .toException();
    }
    return keyspace;
  }

  private byte[] queryKey(HttpExchange exchange, String usage) {
    byte[] key = exchange.parameterBytes("key");
    if (key == null) {
      throw Problem.badParameter("missing query parameter 'key'; use " + usage)
          .with("parameter", "key")
          .toException();
    }
    KvRoutes.checkKey(key, limits);
    return key;
  }

  /** The field {@code by}: a JSON integer that fits a signed 64-bit integer. */
  private static long increment(JsonNode by) {
    if (!by.isIntegralNumber() || !by.canConvertToLong()) {
      throw Problem.badBody(
              "field 'by' must be a JSON integer from "
                  + Long.MIN_VALUE
                  + " to "
                  + Long.MAX_VALUE
                  + ", was "
                  + (by.isNumber() ? by.asText() : JsonBodies.describe(by)))
          .with("field", "by")
          .toException();
    }
    return by.longValue();
  }

  /**
   * A JSON number with a fraction or an exponent in the field {@code by}: an exact decimal
   * increment (INCRBYFLOAT), at most {@link PnCounter#DECIMAL_SCALE_MAX} digits after the point and
   * {@link PnCounter#DECIMAL_INTEGER_DIGITS_MAX} before it.
   */
  private static BigDecimal decimalIncrement(JsonNode by) {
    BigDecimal delta = by.decimalValue();
    BigDecimal stripped = delta.stripTrailingZeros();
    long integerDigits =
        stripped.signum() == 0 ? 0 : Math.max(0, (long) stripped.precision() - stripped.scale());
    if (integerDigits > PnCounter.DECIMAL_INTEGER_DIGITS_MAX
        || stripped.scale() > PnCounter.DECIMAL_SCALE_MAX) {
      throw Problem.badBody(
              "field 'by' must be a number with at most "
                  + PnCounter.DECIMAL_INTEGER_DIGITS_MAX
                  + " digits before the point and "
                  + PnCounter.DECIMAL_SCALE_MAX
                  + " after it, was "
                  + by.asText())
          .with("field", "by")
          .toException();
    }
    return delta;
  }

  /** The field {@code members}: 1 to {@link #SET_MEMBERS_PER_REQUEST_MAX} strings. */
  private List<byte[]> members(JsonNode node, String shape) {
    if (!node.isArray() || node.isEmpty()) {
      throw Problem.badBody(
              "field 'members' must be a non-empty JSON array of strings, was "
                  + (node.isArray() ? "an empty array" : JsonBodies.describe(node))
                  + "; "
                  + shape)
          .with("field", "members")
          .toException();
    }
    if (node.size() > SET_MEMBERS_PER_REQUEST_MAX) {
      throw Problem.badBody(
              "field 'members' holds "
                  + node.size()
                  + " members, more than "
                  + SET_MEMBERS_PER_REQUEST_MAX
                  + " per request; send them in several requests")
          .with("field", "members")
          .with("max", SET_MEMBERS_PER_REQUEST_MAX)
          .toException();
    }
    List<byte[]> members = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String text = JsonBodies.text(node.get(i), "members/" + i, shape);
      byte[] member = text.getBytes(StandardCharsets.UTF_8);
      KvRoutes.checkValue(member, limits);
      members.add(member);
    }
    return members;
  }

  private static IllegalStateException unexpected(CausalWriteOutcome outcome, String wanted) {
    return new IllegalStateException(
        "the service answered a write of "
            + wanted
            + " with "
            + outcome.state().getClass().getSimpleName());
  }
}
