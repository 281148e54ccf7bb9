package io.ringkv.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.common.Clock;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The key-value routes: the seed's JSON API ({@code GET /api/v1/get}, {@code POST /api/v1/put}) and
 * the REST routes under {@code /v1/kv}, in the keyspace each request names ({@link
 * RequestKeyspace}). In a last-write-wins keyspace they call the service's plain get, write and
 * scan; in a causal keyspace the register routes go through {@link CausalRoutes} (contexts as ETag
 * and If-Match, siblings as 300), while the listing stays a plain scan. Each handler validates its
 * input against the limits before it calls the {@link KeyValueService} (an invalid request never
 * reaches the store), then maps the service's answer to a reply; failures of the service itself are
 * mapped by the connection handler ({@link ServiceFailures}).
 *
 * <p>How JSON values and bytes correspond is {@link JsonView}'s contract; docs/api/http.md is the
 * client-facing description. Stateless apart from its collaborators; thread-safe.
 */
final class KvRoutes {
  /** The header that carries a request's consistency level (or the query parameter below). */
  static final String CONSISTENCY_HEADER = "X-Consistency-Level";

  /** The query parameter that carries a request's consistency level. */
  static final String CONSISTENCY_PARAMETER = "consistency";

  /**
   * The header that carries a write's session timestamp: the highest {@link #TIMESTAMP_HEADER} (or
   * JSON {@code timestamp}) the client has been told of, so that a coordinator whose clock is
   * behind still stamps the client's write above its earlier ones (docs/design/replication.md,
   * "Sessions").
   */
  static final String SESSION_TIMESTAMP_HEADER = "X-Session-Timestamp";

  static final String TIMESTAMP_HEADER = "X-Ringkv-Timestamp";
  static final String EXPIRES_AT_HEADER = "X-Ringkv-Expires-At";

  /** Listing page size when {@code limit} is not given. */
  static final int LIST_LIMIT_DEFAULT = 100;

  /** Largest {@code limit} a listing accepts. */
  static final int LIST_LIMIT_MAX = 1000;

  /**
   * Key and value bytes after which a listing page ends early (its cursor continues after the last
   * item shown), so a page of large values stays a bounded response. A page always holds at least
   * one item.
   */
  static final int LIST_PAGE_BYTES_MAX = 4 << 20;

  /** Longest time to live accepted: 100 years, far below overflow of epoch milliseconds. */
  static final long TTL_MILLIS_MAX = 100L * 365 * 24 * 3600 * 1000;

  /** Characters of a key quoted in an error message; longer keys are cut. */
  private static final int KEY_QUOTE_CHARS_MAX = 100;

  private static final String ALLOWED_LEVELS =
      String.join(", ", Arrays.stream(ConsistencyLevel.values()).map(Enum::name).toList());

  private static final String READ_LEVELS =
      String.join(
          ", ",
          Arrays.stream(ConsistencyLevel.values())
              .filter(ConsistencyLevel::allowsReads)
              .map(Enum::name)
              .toList());

  private final KeyValueService service;
  private final CausalRoutes causal;
  private final LimitsConfig limits;
  private final Clock clock;

  KvRoutes(KeyValueService service, LimitsConfig limits, Clock clock) {
    this.service = service;
    this.causal = new CausalRoutes(service);
    this.limits = limits;
    this.clock = clock;
  }

  /** {@code GET /api/v1/get?key=K}: {@code {"key": K, "value": <JSON>}} or 404. */
  CompletableFuture<HttpReply> apiGet(HttpExchange exchange) {
    byte[] key = exchange.parameterBytes("key");
    if (key == null) {
      throw Problem.badParameter("missing query parameter 'key'; use GET /api/v1/get?key=K")
          .with("parameter", "key")
          .toException();
    }
    checkKey(key);
    ConsistencyLevel level = consistency(exchange, true);
    RequestKeyspace keyspace = keyspace(exchange);
    ReadOptions options = new ReadOptions(level).withKeyspace(keyspace.name());
    if (keyspace.causal()) {
      return causal.read(
          exchange,
          key,
          options,
          Encoding.JSON,
          CausalRoutes.winnerOnly(exchange),
          sibling -> apiGetReply(key, sibling.value()));
    }
    return service
        .get(key, options)
        .thenApply(
            value -> value.isPresent() ? apiGetReply(key, value.value()) : notFound(exchange, key));
  }

  private static HttpReply apiGetReply(byte[] key, byte[] value) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.put("key", JsonView.text(key));
    body.set("value", JsonView.decode(value));
    return HttpReply.json(HttpResponseStatus.OK, body);
  }

  /** {@code POST /api/v1/put} with {@code {"key": K, "value": V}}: {@code {"key", "timestamp"}}. */
  CompletableFuture<HttpReply> apiPut(HttpExchange exchange) {
    String shape = JsonBodies.PutBody.SHAPE;
    JsonBodies.PutBody body = JsonBodies.read(exchange.body(), JsonBodies.PutBody.class, shape);
    JsonNode keyNode = JsonBodies.required(body.key(), "key", shape);
    if (!keyNode.isTextual()) {
      throw Problem.badBody(
              "field 'key' must be a JSON string, was "
                  + JsonBodies.describe(keyNode)
                  + "; "
                  + shape)
          .with("field", "key")
          .toException();
    }
    String keyText = keyNode.textValue();
    if (!JsonView.wellFormed(keyText)) {
      throw Problem.badBody(
              "field 'key' holds an unpaired UTF-16 surrogate, which is not Unicode text")
          .with("field", "key")
          .toException();
    }
    byte[] key = keyText.getBytes(StandardCharsets.UTF_8);
    checkKey(key);
    byte[] value = JsonView.encode(JsonBodies.required(body.value(), "value", shape), "value");
    checkValue(value);
    RequestKeyspace keyspace = keyspace(exchange);
    WriteOptions options = writeOptions(exchange, keyspace);
    byte[] context = context(exchange, keyspace);
    if (keyspace.causal()) {
      return causal
          .write(key, new CausalWrite.Put(value, context), options)
          .thenApply(
              outcome ->
                  CausalHeaders.withEntityTag(
                      apiPutReply(keyText, CausalRoutes.timestampOf(outcome.state(), value)),
                      outcome.state().context()));
    }
    return service
        .write(key, Mutation.put(value), options)
        .thenApply(outcome -> apiPutReply(keyText, outcome.timestamp()));
  }

  private static HttpReply apiPutReply(String keyText, long timestamp) {
    ObjectNode reply = HttpJson.MAPPER.createObjectNode();
    reply.put("key", keyText);
    reply.put("timestamp", timestamp);
    return HttpReply.json(HttpResponseStatus.OK, reply);
  }

  /**
   * {@code GET /v1/kv/{key}}: the raw bytes as {@code application/octet-stream}, or with {@code
   * Accept: application/json} the envelope {@code {"key", "value", "timestamp", "expiresAt"}}.
   */
  CompletableFuture<HttpReply> kvGet(HttpExchange exchange) {
    byte[] key = pathKey(exchange);
    boolean envelope = accepts(exchange.header(HttpHeaderNames.ACCEPT), HttpReply.JSON);
    Encoding encoding = encoding(exchange);
    ConsistencyLevel level = consistency(exchange, true);
    RequestKeyspace keyspace = keyspace(exchange);
    ReadOptions options = new ReadOptions(level).withKeyspace(keyspace.name());
    if (keyspace.causal()) {
      return causal.read(
          exchange,
          key,
          options,
          encoding,
          CausalRoutes.winnerOnly(exchange),
          sibling ->
              kvGetReply(
                  key,
                  Versioned.of(sibling.value(), sibling.timestamp(), Cell.NO_EXPIRY),
                  envelope,
                  encoding));
    }
    return service
        .get(key, options)
        .thenApply(
            value ->
                value.isPresent()
                    ? kvGetReply(key, value, envelope, encoding)
                    : notFound(exchange, key));
  }

  private static HttpReply kvGetReply(
      byte[] key, Versioned value, boolean envelope, Encoding encoding) {
    if (!envelope) {
      HttpReply reply =
          HttpReply.ok(HttpReply.OCTET_STREAM, value.value())
              .withHeader(TIMESTAMP_HEADER, Long.toString(value.timestamp()));
      return value.hasExpiry()
          ? reply.withHeader(EXPIRES_AT_HEADER, Long.toString(value.expiresAtMillis()))
          : reply;
    }
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.set("key", encoding.key(key));
    body.set("value", encoding.value(value.value()));
    body.put("timestamp", value.timestamp());
    putExpiresAt(body, value);
    return HttpReply.json(HttpResponseStatus.OK, body);
  }

  /**
   * {@code PUT /v1/kv/{key}}: the body's bytes as they are, or with {@code Content-Type:
   * application/json} the envelope {@code {"value": any JSON, "ttlMillis": n}}; optional {@code
   * ?ttl=seconds}.
   */
  CompletableFuture<HttpReply> kvPut(HttpExchange exchange) {
    byte[] key = pathKey(exchange);
    Long ttlMillis = ttlParameter(exchange);
    byte[] value;
    if (isMediaType(exchange.header(HttpHeaderNames.CONTENT_TYPE), HttpReply.JSON)) {
      String shape = JsonBodies.PutEnvelope.SHAPE;
      JsonBodies.PutEnvelope envelope =
          JsonBodies.read(exchange.body(), JsonBodies.PutEnvelope.class, shape);
      value = JsonView.encode(JsonBodies.required(envelope.value(), "value", shape), "value");
      if (envelope.ttlMillis() != null && !envelope.ttlMillis().isNull()) {
        if (ttlMillis != null) {
          throw Problem.badParameter(
                  "give the time to live once: both the query parameter 'ttl' and the field"
                      + " 'ttlMillis' are set")
              .toException();
        }
        ttlMillis = ttlMillisField(envelope.ttlMillis());
      }
    } else {
      value = exchange.body();
    }
    checkValue(value);
    RequestKeyspace keyspace = keyspace(exchange);
    WriteOptions options = writeOptions(exchange, keyspace);
    byte[] context = context(exchange, keyspace);
    if (keyspace.causal()) {
      if (ttlMillis != null) {
        throw Problem.badParameter(
                "keyspace "
                    + keyspace.displayName()
                    + " is conflicts: causal, whose values do not expire; write without 'ttl' and"
                    + " 'ttlMillis'")
            .with("parameter", "ttl")
            .toException();
      }
      byte[] written = value;
      return causal
          .write(key, new CausalWrite.Put(value, context), options)
          .thenApply(
              outcome ->
                  CausalHeaders.withEntityTag(
                      kvPutReply(
                          key, CausalRoutes.timestampOf(outcome.state(), written), Expiry.none()),
                      outcome.state().context()));
    }
    Expiry expiry = ttlMillis == null ? Expiry.none() : Expiry.at(clock.epochMillis() + ttlMillis);
    return service
        .write(key, new Mutation.Put(value, expiry), options)
        .thenApply(outcome -> kvPutReply(key, outcome.timestamp(), expiry));
  }

  private static HttpReply kvPutReply(byte[] key, long timestamp, Expiry expiry) {
    ObjectNode reply = HttpJson.MAPPER.createObjectNode();
    reply.put("key", JsonView.text(key));
    reply.put("timestamp", timestamp);
    if (expiry instanceof Expiry.At at) {
      reply.put("expiresAt", at.epochMillis());
    } else {
      reply.putNull("expiresAt");
    }
    return HttpReply.json(HttpResponseStatus.OK, reply);
  }

  /**
   * {@code DELETE /v1/kv/{key}}: 204 whether or not the key had a value (idempotent), with the
   * tombstone's timestamp in {@link #TIMESTAMP_HEADER}.
   */
  CompletableFuture<HttpReply> kvDelete(HttpExchange exchange) {
    byte[] key = pathKey(exchange);
    RequestKeyspace keyspace = keyspace(exchange);
    WriteOptions options = writeOptions(exchange, keyspace);
    byte[] context = context(exchange, keyspace);
    if (keyspace.causal()) {
      return causal
          .write(key, new CausalWrite.Delete(context), options)
          .thenApply(
              outcome -> {
                long timestamp = CausalRoutes.timestampOf(outcome.state(), null);
                HttpReply reply = HttpReply.noContent();
                if (timestamp != 0) {
                  reply = reply.withHeader(TIMESTAMP_HEADER, Long.toString(timestamp));
                }
                return CausalHeaders.withEntityTag(reply, outcome.state().context());
              });
    }
    return service
        .write(key, Mutation.delete(), options)
        .thenApply(
            outcome ->
                HttpReply.noContent()
                    .withHeader(TIMESTAMP_HEADER, Long.toString(outcome.timestamp())));
  }

  /**
   * {@code GET /v1/kv?cursor=C&limit=N}: {@code {"items": [{"key", "value"}...], "cursor": next}},
   * {@code cursor} null after the last page.
   */
  CompletableFuture<HttpReply> kvList(HttpExchange exchange) {
    String cursorText = exchange.parameter("cursor");
    ScanCursor cursor;
    try {
      cursor =
          cursorText == null || cursorText.isEmpty()
              ? ScanCursor.START
              : ScanCursor.parse(cursorText);
    } catch (IllegalArgumentException e) {
      throw Problem.badParameter(
              "query parameter 'cursor': "
                  + e.getMessage()
                  + "; pass the 'cursor' of the previous page, or omit it to start")
          .with("parameter", "cursor")
          .toException();
    }
    int limit = listLimit(exchange.parameter("limit"));
    Encoding encoding = encoding(exchange);
    ConsistencyLevel level = consistency(exchange, true);
    RequestKeyspace keyspace = keyspace(exchange);
    ReadOptions options = new ReadOptions(level).withKeyspace(keyspace.name());
    return service
        .scan(cursor, limit, options)
        .thenApply(page -> HttpReply.json(HttpResponseStatus.OK, listing(page, encoding)));
  }

  private static ObjectNode listing(ScanPage page, Encoding encoding) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    ArrayNode items = body.putArray("items");
    long bytes = 0;
    byte[] lastKey = null;
    List<ScanPage.Entry> entries = page.entries();
    for (ScanPage.Entry entry : entries) {
      long size = (long) entry.key().length + entry.value().value().length;
      if (lastKey != null && bytes + size > LIST_PAGE_BYTES_MAX) {
        body.put("cursor", ScanCursor.after(lastKey).toToken());
        return body;
      }
      ObjectNode item = items.addObject();
      item.set("key", encoding.key(entry.key()));
      item.set("value", encoding.value(entry.value().value()));
      bytes += size;
      lastKey = entry.key();
    }
    if (page.next().end()) {
      body.putNull("cursor");
    } else {
      body.put("cursor", page.next().toToken());
    }
    return body;
  }

  private static int listLimit(String text) {
    if (text == null) {
      return LIST_LIMIT_DEFAULT;
    }
    int limit;
    try {
      limit = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > LIST_LIMIT_MAX) {
      throw Problem.badParameter(
              "query parameter 'limit' must be an integer from 1 to "
                  + LIST_LIMIT_MAX
                  + ", was '"
                  + text
                  + "'")
          .with("parameter", "limit")
          .with("max", LIST_LIMIT_MAX)
          .toException();
    }
    return limit;
  }

  /** The key of a {@code /v1/kv/{key}} route: the rest of the path, percent-decoded to bytes. */
  private byte[] pathKey(HttpExchange exchange) {
    String raw = exchange.pathParameter();
    if (raw == null || raw.isEmpty()) {
      throw Problem.badParameter(
              "the path names no key: /v1/kv/ needs a key after the slash (the empty key is"
                  + " reachable only through /api/v1/get?key= and /api/v1/put)")
          .with("parameter", "key")
          .toException();
    }
    byte[] key = PercentDecoding.decode(raw);
    checkKey(key);
    return key;
  }

  private void checkKey(byte[] key) {
    checkKey(key, limits);
  }

  /** Refuses a key over {@code key_bytes_max} with a 400 naming the limit. */
  static void checkKey(byte[] key, LimitsConfig limits) {
    if (key.length > limits.keyBytesMax()) {
      throw Problem.limit(
              HttpResponseStatus.BAD_REQUEST,
              "key_bytes_max",
              limits.keyBytesMax(),
              "the key is "
                  + key.length
                  + " bytes, more than key_bytes_max ("
                  + limits.keyBytesMax()
                  + " bytes)")
          .toException();
    }
  }

  private void checkValue(byte[] value) {
    checkValue(value, limits);
  }

  /** Refuses a value over {@code value_bytes_max} with a 413 naming the limit. */
  static void checkValue(byte[] value, LimitsConfig limits) {
    if (value.length > limits.valueBytesMax()) {
      throw Problem.limit(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              "value_bytes_max",
              limits.valueBytesMax(),
              "the value is "
                  + value.length
                  + " bytes, more than value_bytes_max ("
                  + limits.valueBytesMax()
                  + " bytes)")
          .toException();
    }
  }

  static HttpReply notFound(HttpExchange exchange, byte[] key) {
    return HttpReply.problem(
        Problem.of(
            HttpResponseStatus.NOT_FOUND,
            ProblemType.KEY_NOT_FOUND,
            "no value for key '" + quote(key) + "'"),
        exchange.rawPath());
  }

  /** The key as text for a message, cut to {@link #KEY_QUOTE_CHARS_MAX} characters. */
  static String quote(byte[] key) {
    String text = JsonView.text(key);
    return text.length() <= KEY_QUOTE_CHARS_MAX
        ? text
        : text.substring(0, KEY_QUOTE_CHARS_MAX) + "... (" + key.length + " bytes)";
  }

  /**
   * A write's options: its consistency level, session timestamp, keyspace and idempotency key
   * ({@link CausalHeaders#idempotencyKey}).
   */
  static WriteOptions writeOptions(HttpExchange exchange, RequestKeyspace keyspace) {
    return WriteOptions.defaults()
        .withConsistency(consistency(exchange, false))
        .withSessionTimestamp(sessionTimestamp(exchange))
        .withKeyspace(keyspace.name())
        .withIdempotencyKey(CausalHeaders.idempotencyKey(exchange));
  }

  /** The keyspace the request names, looked up in the service's keyspaces. */
  RequestKeyspace keyspace(HttpExchange exchange) {
    return RequestKeyspace.of(exchange, service.keyspaces());
  }

  /**
   * The causal context of a write's {@code If-Match}, or null for none (a blind write). A
   * last-write-wins keyspace has no contexts: an If-Match there is a 400 rather than a precondition
   * silently ignored.
   */
  static byte[] context(HttpExchange exchange, RequestKeyspace keyspace) {
    byte[] context = CausalHeaders.ifMatch(exchange);
    if (context != null && !keyspace.causal()) {
      throw Problem.badParameter(
              "header "
                  + CausalHeaders.IF_MATCH
                  + ": keyspace "
                  + keyspace.displayName()
                  + " is conflicts: lww, which has no causal contexts (the newest write wins);"
                  + " send no If-Match")
          .with("parameter", CausalHeaders.IF_MATCH)
          .toException();
    }
    return context;
  }

  /**
   * The {@code X-Session-Timestamp} header: a decimal hybrid logical clock value, 0 (or no header)
   * for none. Anything else is a 400 naming the header.
   */
  static long sessionTimestamp(HttpExchange exchange) {
    String text = exchange.header(SESSION_TIMESTAMP_HEADER);
    if (text == null) {
      return 0;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      timestamp = -1;
    }
    if (timestamp < 0) {
      throw Problem.badParameter(
              "header "
                  + SESSION_TIMESTAMP_HEADER
                  + " must be a timestamp from a response (a decimal integer, 0 for none), was '"
                  + text
                  + "'")
          .with("parameter", SESSION_TIMESTAMP_HEADER)
          .toException();
    }
    return timestamp;
  }

  /**
   * The consistency level asked for by {@code ?consistency=} or the {@code X-Consistency-Level}
   * header (both may be given if they agree), or null for the keyspace's default. A bad level, or
   * ANY for a read, is a 400 naming the levels allowed.
   */
  static ConsistencyLevel consistency(HttpExchange exchange, boolean read) {
    String fromQuery = exchange.parameter(CONSISTENCY_PARAMETER);
    String fromHeader = exchange.header(CONSISTENCY_HEADER);
    ConsistencyLevel level = null;
    if (fromQuery != null) {
      level = parseLevel(fromQuery, "query parameter 'consistency'");
    }
    if (fromHeader != null) {
      ConsistencyLevel headerLevel = parseLevel(fromHeader, "header " + CONSISTENCY_HEADER);
      if (level != null && level != headerLevel) {
        throw Problem.badParameter(
                "the query parameter 'consistency' ("
                    + level
                    + ") and the header "
                    + CONSISTENCY_HEADER
                    + " ("
                    + headerLevel
                    + ") disagree; give one")
            .with("parameter", CONSISTENCY_PARAMETER)
            .toException();
      }
      level = headerLevel;
    }
    if (read && level != null && !level.allowsReads()) {
      throw Problem.badParameter(
              "consistency level " + level + " is for writes only; reads allow " + READ_LEVELS)
          .with("parameter", CONSISTENCY_PARAMETER)
          .with("allowed", READ_LEVELS)
          .toException();
    }
    return level;
  }

  private static ConsistencyLevel parseLevel(String text, String source) {
    try {
      return ConsistencyLevel.parse(text);
    } catch (IllegalArgumentException e) {
      throw Problem.badParameter(source + ": " + e.getMessage())
          .with("parameter", CONSISTENCY_PARAMETER)
          .with("allowed", ALLOWED_LEVELS)
          .toException();
    }
  }

  private static Long ttlParameter(HttpExchange exchange) {
    String text = exchange.parameter("ttl");
    if (text == null) {
      return null;
    }
    long seconds;
    try {
      seconds = Long.parseLong(text);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 1 || seconds > TTL_MILLIS_MAX / 1000) {
      throw Problem.badParameter(
              "query parameter 'ttl' must be a whole number of seconds from 1 to "
                  + TTL_MILLIS_MAX / 1000
                  + ", was '"
                  + text
                  + "'")
          .with("parameter", "ttl")
          .toException();
    }
    return seconds * 1000;
  }

  private static long ttlMillisField(JsonNode node) {
    if (!node.canConvertToExactIntegral()
        || !node.canConvertToLong()
        || node.asLong() < 1
        || node.asLong() > TTL_MILLIS_MAX) {
      throw Problem.badBody(
              "field 'ttlMillis' must be a whole number of milliseconds from 1 to "
                  + TTL_MILLIS_MAX
                  + ", was "
                  + (node.isNumber() ? node.asText() : JsonBodies.describe(node)))
          .with("field", "ttlMillis")
          .toException();
    }
    return node.asLong();
  }

  private static void putExpiresAt(ObjectNode body, Versioned value) {
    if (value.hasExpiry()) {
      body.put("expiresAt", value.expiresAtMillis());
    } else {
      body.putNull("expiresAt");
    }
  }

  /** Whether an Accept header lists {@code mediaType} (parameters and case ignored). */
  static boolean accepts(String accept, String mediaType) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      if (isMediaType(range, mediaType)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a Content-Type (or Accept range) is {@code mediaType}, parameters and case ignored. */
  static boolean isMediaType(String header, String mediaType) {
    if (header == null) {
      return false;
    }
    int semicolon = header.indexOf(';');
    String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase(mediaType);
  }

  private static Encoding encoding(HttpExchange exchange) {
    String text = exchange.parameter("encoding");
    if (text == null) {
      return Encoding.JSON;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "json" -> Encoding.JSON;
      case "base64" -> Encoding.BASE64;
      default ->
          throw Problem.badParameter(
                  "query parameter 'encoding' must be json or base64, was '" + text + "'")
              .with("parameter", "encoding")
              .toException();
    };
  }

  /**
   * How keys and values appear in JSON responses: as text and {@link JsonView} (the default), or as
   * standard base64 of the exact bytes (binary keys and values).
   */
  enum Encoding {
    JSON {
      @Override
      JsonNode key(byte[] key) {
        return HttpJson.MAPPER.getNodeFactory().textNode(JsonView.text(key));
      }

      @Override
      JsonNode value(byte[] value) {
        return JsonView.decode(value);
      }
    },
    BASE64 {
      @Override
      JsonNode key(byte[] key) {
        return HttpJson.MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(key));
      }

      @Override
      JsonNode value(byte[] value) {
        return key(value);
      }
    };

    abstract JsonNode key(byte[] key);

    abstract JsonNode value(byte[] value);
  }
}
