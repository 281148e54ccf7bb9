package io.ringkv.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.WriteOptions;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The register routes ({@code /api/v1/get}, {@code /api/v1/put}, {@code /v1/kv/{key}}) in a causal
 * keyspace (docs/design/causal.md, "APIs"): reads through {@link KeyValueService#readCausal},
 * writes through {@link KeyValueService#writeCausal}, the context as ETag and If-Match ({@link
 * CausalHeaders}).
 *
 * <p>A read with one sibling answers 200 as the route answers in a last-write-wins keyspace, plus
 * the ETag; a read with several answers 300 Multiple Choices with every sibling (deleted ones too:
 * a delete concurrent with a write is a conflict the client resolves like any other), unless {@code
 * ?siblings=winner} asks for the one a plain read shows (the newest). A key that holds nothing live
 * (no siblings, or only deletes), or whose winner is a delete when only the winner is asked for, is
 * 404, with the ETag when its context is not empty, so that a client can write over a delete it has
 * seen. A counter or a set on these routes is 409 {@code wrong-type}. Stateless apart from the
 * service; thread-safe.
 */
final class CausalRoutes {
  /** The query parameter that picks all siblings (the default) or only the winner. */
  static final String SIBLINGS_PARAMETER = "siblings";

  /**
   * The Redis error text a command on a key of another type gets, which HTTP's detail starts with.
   */
  static final String WRONG_TYPE_MESSAGE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";

  private final KeyValueService service;

  CausalRoutes(KeyValueService service) {
    this.service = service;
  }

  /**
   * Whether {@code ?siblings=} asks for the winner only ({@code winner}) rather than every sibling
   * ({@code all}, the default).
   */
  static boolean winnerOnly(HttpExchange exchange) {
    String text = exchange.parameter(SIBLINGS_PARAMETER);
    if (text == null) {
      return false;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "all" -> false;
      case "winner" -> true;
      default ->
          throw Problem.badParameter(
                  "query parameter '"
                      + SIBLINGS_PARAMETER
                      + "' must be all or winner, was '"
                      + text
                      + "'")
              .with("parameter", SIBLINGS_PARAMETER)
              .toException();
    };
  }

  /**
   * Reads the register {@code key}.
   *
   * @param encoding how the 300 body shows the key and the values (the route's JSON rendering)
   * @param single the route's 200 for one live sibling, before the ETag is added
   */
  CompletableFuture<HttpReply> read(
      HttpExchange exchange,
      byte[] key,
      ReadOptions options,
      KvRoutes.Encoding encoding,
      boolean winnerOnly,
      Function<CausalValue.Sibling, HttpReply> single) {
    return service
        .readCausal(key, options)
        .thenApply(
            value ->
                switch (value) {
                  case CausalValue.Absent absent ->
                      CausalHeaders.withEntityTag(
                          KvRoutes.notFound(exchange, key), absent.context());
                  case CausalValue.Register register ->
                      register(exchange, key, register, encoding, winnerOnly, single);
                  case CausalValue.Counter counter -> wrongType(exchange, key, value, "a register");
                  case CausalValue.Set set -> wrongType(exchange, key, value, "a register");
                });
  }

  private static HttpReply register(
      HttpExchange exchange,
      byte[] key,
      CausalValue.Register register,
      KvRoutes.Encoding encoding,
      boolean winnerOnly,
      Function<CausalValue.Sibling, HttpReply> single) {
    byte[] context = register.context();
    if (register.siblings().stream().allMatch(CausalValue.Sibling::isDeleted)) {
      // Only deletes (or nothing): the key reads as absent, as the service's plain get says.
      return CausalHeaders.withEntityTag(KvRoutes.notFound(exchange, key), context);
    }
    if (winnerOnly || register.siblings().size() == 1) {
      CausalValue.Sibling winner = register.winner();
      HttpReply reply =
          winner.isDeleted() ? KvRoutes.notFound(exchange, key) : single.apply(winner);
      return CausalHeaders.withEntityTag(reply, context);
    }
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.set("key", encoding.key(key));
    body.put("context", CausalHeaders.text(context));
    ArrayNode siblings = body.putArray("siblings");
    for (CausalValue.Sibling sibling : register.siblings()) {
      ObjectNode item = siblings.addObject();
      if (sibling.isDeleted()) {
        item.put("deleted", true);
      } else {
        item.set("value", encoding.value(sibling.value()));
      }
      item.put("timestamp", sibling.timestamp());
    }
    return CausalHeaders.withEntityTag(
        HttpReply.json(HttpResponseStatus.MULTIPLE_CHOICES, body), context);
  }

  /** Applies {@code write}; the caller renders the outcome. */
  CompletableFuture<CausalWriteOutcome> write(byte[] key, CausalWrite write, WriteOptions options) {
    return service.writeCausal(key, write, options);
  }

  /**
   * The timestamp of a write that put {@code value} (null: a delete), as its outcome shows it: the
   * newest sibling holding that value, else the newest sibling, else 0 (nothing live is left, as
   * after a delete that covered everything).
   */
  static long timestampOf(CausalValue state, byte[] value) {
    if (!(state instanceof CausalValue.Register register) || register.siblings().isEmpty()) {
      return 0;
    }
    long newest = 0;
    boolean found = false;
    for (CausalValue.Sibling sibling : register.siblings()) {
      boolean same = value == null ? sibling.isDeleted() : Arrays.equals(value, sibling.value());
      if (same && (!found || sibling.timestamp() > newest)) {
        newest = sibling.timestamp();
        found = true;
      }
    }
    return found ? newest : register.winner().timestamp();
  }

  /** The 409 for a key that holds {@code held} when the route needs {@code wanted}. */
  static HttpReply wrongType(HttpExchange exchange, byte[] key, CausalValue held, String wanted) {
    return HttpReply.problem(wrongTypeProblem(key, held, wanted), exchange.rawPath());
  }

  static Problem wrongTypeProblem(byte[] key, CausalValue held, String wanted) {
    return Problem.of(
        HttpResponseStatus.CONFLICT,
        ProblemType.WRONG_TYPE,
        WRONG_TYPE_MESSAGE
            + ": key '"
            + KvRoutes.quote(key)
            + "' holds "
            + describe(held)
            + ", this route needs "
            + wanted
            + "; "
            + routeFor(held));
  }

  private static String describe(CausalValue value) {
    return switch (value) {
      case CausalValue.Absent absent -> "nothing";
      case CausalValue.Register register -> "a register";
      case CausalValue.Counter counter -> "a counter";
      case CausalValue.Set set -> "a set";
    };
  }

  private static String routeFor(CausalValue value) {
    return switch (value) {
      case CausalValue.Absent absent -> "any route may write it";
      case CausalValue.Register register -> "read it with GET /api/v1/get?key=";
      case CausalValue.Counter counter -> "read it with GET /api/v1/counter?key=";
      case CausalValue.Set set -> "read it with GET /api/v1/set/members?key=";
    };
  }
}
