package io.ringkv.server.http;

import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.CausalFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The headers of causal mode (docs/design/causal.md, "APIs"): a key's causal context travels out as
 * {@code ETag: "<context>"} and back as {@code If-Match: "<context>"}, the context's bytes in
 * base64url without padding; a write's idempotency key comes in {@code Idempotency-Key} (or {@code
 * X-Idempotency-Key}).
 *
 * <p>Contexts are opaque to clients but not to the node: an {@code If-Match} is decoded here with
 * {@link CausalCodec#decodeContext}, whose CRC catches a damaged or made-up context, so that the
 * 400 names the header instead of surfacing from deep in the write path. Stateless.
 */
final class CausalHeaders {
  static final String ETAG = "ETag";
  static final String IF_MATCH = "If-Match";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String X_IDEMPOTENCY_KEY = "X-Idempotency-Key";

  /** Longest idempotency key, in bytes (the counters' window keeps keys of at most this size). */
  static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  /** An entity tag as this API writes it: base64url characters between double quotes. */
  private static final Pattern STRONG_TAG = Pattern.compile("\"[A-Za-z0-9_-]*\"");

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private CausalHeaders() {}

  /** The context as the text of an ETag, quotes included. */
  static String entityTag(byte[] context) {
    return '"' + text(context) + '"';
  }

  /** The context as text in a JSON body: base64url without padding. */
  static String text(byte[] context) {
    return ENCODER.encodeToString(context);
  }

  /** {@code reply} with the ETag of {@code context}, or as it is when the context is empty. */
  static HttpReply withEntityTag(HttpReply reply, byte[] context) {
    return context.length == 0 ? reply : reply.withHeader(ETAG, entityTag(context));
  }

  /**
   * The context of the request's {@code If-Match}, or null if it has none (a blind write); {@code
   * ""} is the empty context, also blind.
   *
   * @throws ProblemException 400 naming If-Match for anything but one strong tag holding a context
   *     this API gave out
   */
  static byte[] ifMatch(HttpExchange exchange) {
    List<String> values = exchange.headers(IF_MATCH);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw badIfMatch("is given " + values.size() + " times; give the one ETag of the last read");
    }
    String text = values.getFirst().strip();
    if (!STRONG_TAG.matcher(text).matches()) {
      throw badIfMatch(
          "must be one ETag from a read of the key, in double quotes (\"...\", base64url; no W/,"
              + " no *, no list), was '"
              + cut(text)
              + "'");
    }
    byte[] context;
    try {
      context = DECODER.decode(text.substring(1, text.length() - 1));
    } catch (IllegalArgumentException e) {
      throw badIfMatch("is not base64url: " + e.getMessage());
    }
    if (context.length == 0) {
      return context;
    }
    try {
      CausalCodec.decodeContext(context);
    } catch (CausalFormatException e) {
      throw badIfMatch(
          "is not a causal context this database gave out (damaged or made up: "
              + e.getMessage()
              + "); read the key again and send its ETag");
    }
    return context;
  }

  private static ProblemException badIfMatch(String what) {
    return Problem.badParameter("header " + IF_MATCH + " " + what)
        .with("parameter", IF_MATCH)
        .toException();
  }

  /**
   * The request's idempotency key as the bytes sent (header values are octets), or null if it has
   * none.
   *
   * @throws ProblemException 400 naming the header for an empty key, one over {@link
   *     #IDEMPOTENCY_KEY_BYTES_MAX} bytes, or both headers given with different keys
   */
  static byte[] idempotencyKey(HttpExchange exchange) {
    String plain = exchange.header(IDEMPOTENCY_KEY);
    String prefixed = exchange.header(X_IDEMPOTENCY_KEY);
    if (plain != null && prefixed != null && !plain.equals(prefixed)) {
      throw Problem.badParameter(
              "the headers "
                  + IDEMPOTENCY_KEY
                  + " and "
                  + X_IDEMPOTENCY_KEY
                  + " disagree; give one")
          .with("parameter", IDEMPOTENCY_KEY)
          .toException();
    }
    String text = plain != null ? plain : prefixed;
    if (text == null) {
      return null;
    }
    return checkIdempotencyKey(
        text.getBytes(StandardCharsets.ISO_8859_1),
        "header " + (plain != null ? IDEMPOTENCY_KEY : X_IDEMPOTENCY_KEY),
        plain != null ? IDEMPOTENCY_KEY : X_IDEMPOTENCY_KEY,
        false);
  }

  /**
   * Checks an idempotency key's length: 1 to {@link #IDEMPOTENCY_KEY_BYTES_MAX} bytes.
   *
   * @param source how it was given, for the message
   * @param name the {@code parameter} (or {@code field}) member of the problem
   * @param field whether it came in the body (an invalid-body problem) rather than a header
   */
  static byte[] checkIdempotencyKey(byte[] key, String source, String name, boolean field) {
    if (key.length >= 1 && key.length <= IDEMPOTENCY_KEY_BYTES_MAX) {
      return key;
    }
    String detail =
        source
            + " must be 1 to "
            + IDEMPOTENCY_KEY_BYTES_MAX
            + " bytes, was "
            + key.length
            + " bytes";
    Problem problem = field ? Problem.badBody(detail) : Problem.badParameter(detail);
    throw problem
        .with(field ? "field" : "parameter", name)
        .with("max", IDEMPOTENCY_KEY_BYTES_MAX)
        .toException();
  }

  private static String cut(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }
}
