package io.ringkv.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * How a JSON value is stored as bytes, and how stored bytes are shown as JSON: the one mapping
 * behind {@code POST /api/v1/put}, {@code GET /api/v1/get}, the JSON envelope of {@code /v1/kv} and
 * the listing. The store itself holds only bytes; the mapping is chosen so that
 *
 * <ul>
 *   <li>every JSON value written comes back as the same JSON: {@code decode(encode(v))} equals
 *       {@code v} (numbers keep their digits: {@code 1.10} stays {@code 1.10});
 *   <li>a string is stored as its plain UTF-8 bytes, so {@code redis-cli GET} and the raw REST
 *       route see {@code hello}, not {@code "hello"}, whenever that is unambiguous; and
 *   <li>any bytes at all, however they were written (raw REST, Redis protocol, gRPC), have a JSON
 *       view.
 * </ul>
 *
 * <p>Encoding: a string whose UTF-8 bytes are not themselves a JSON document is stored as those
 * bytes. Every other value (objects, arrays, numbers, booleans, null, and strings such as {@code
 * "42"}, {@code "true"} or {@code "[1]"} whose plain bytes would read back as something else) is
 * stored as its compact JSON text, e.g. {@code {"a":[1,2]}} or {@code "42"} with the quotes.
 *
 * <p>Decoding: bytes that are one complete, strictly valid JSON document (no duplicate fields, no
 * trailing content, at most 1000 levels deep) are that document; all other bytes are a JSON string
 * of their UTF-8 text, with each malformed UTF-8 sequence replaced by U+FFFD (so only non-UTF-8
 * values are shown lossily; the raw route and {@code encoding=base64} give exact bytes).
 *
 * <p>Strings with an unpaired UTF-16 surrogate ({@code "\ud800"}) are not Unicode text and have no
 * UTF-8 form; {@link #encode} refuses them rather than store a different value. Thread-safe.
 */
final class JsonView {
  private JsonView() {}

  /**
   * The bytes that store {@code value}.
   *
   * @param field the body field the value came from, for the error message
   * @throws ProblemException if a string in {@code value} holds an unpaired surrogate
   */
  static byte[] encode(JsonNode value, String field) {
    String badPointer = unpairedSurrogate(value);
    if (badPointer != null) {
      throw Problem.badBody(
              "field '"
                  + field
                  + "' holds a string with an unpaired UTF-16 surrogate"
                  + (badPointer.isEmpty() ? "" : " at " + badPointer)
                  + ", which is not Unicode text")
          .toException();
    }
    if (value.isTextual()) {
      byte[] plain = value.textValue().getBytes(StandardCharsets.UTF_8);
      if (parseOrNull(plain) == null) {
        return plain;
      }
    }
    return HttpJson.write(value);
  }

  /** The JSON that {@code stored} shows as. */
  static JsonNode decode(byte[] stored) {
    JsonNode parsed = parseOrNull(stored);
    return parsed != null ? parsed : TextNode.valueOf(text(stored));
  }

  /** {@code bytes} as UTF-8 text, each malformed sequence replaced by U+FFFD. */
  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Whether {@code text} is well-formed UTF-16: every surrogate is part of a pair. */
  static boolean wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The document {@code bytes} hold, or null if they are not exactly one strict JSON document. */
  private static JsonNode parseOrNull(byte[] bytes) {
    if (!mayStartJson(bytes)) {
      return null;
    }
    try {
      JsonNode node = HttpJson.MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode() || unpairedSurrogate(node) != null) {
        return null;
      }
      return node;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A cheap test that skips the parser for most plain text: JSON starts, after whitespace, with
   * one of {@code { [ " - 0-9 t f n}.
   */
  private static boolean mayStartJson(byte[] bytes) {
    for (byte b : bytes) {
      switch (b) {
        case ' ', '\t', '\n', '\r' -> {}
        case '{', '[', '"', '-', 't', 'f', 'n' -> {
          return true;
        }
        default -> {
          return b >= '0' && b <= '9';
        }
      }
    }
    return false;
  }

  /**
   * Where the first string (or field name) with an unpaired surrogate is, as a JSON Pointer ("" for
   * the value itself), or null if there is none. Builds the pointer only on the way out of a
   * failure, so a clean value costs no allocation.
   */
  private static String unpairedSurrogate(JsonNode node) {
    if (node.isTextual()) {
      return wellFormed(node.textValue()) ? null : "";
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String inner = unpairedSurrogate(node.get(i));
        if (inner != null) {
          return "/" + i + inner;
        }
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!wellFormed(field.getKey())) {
          return "/" + pointerEscape(field.getKey());
        }
        String inner = unpairedSurrogate(field.getValue());
        if (inner != null) {
          return "/" + pointerEscape(field.getKey()) + inner;
        }
      }
    }
    return null;
  }

  private static String pointerEscape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
