package io.ringkv.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/**
 * The one Jackson configuration of the HTTP API. Strict where leniency would hide mistakes (unknown
 * fields, duplicate fields and trailing content are errors) and exact where clients expect their
 * JSON back (decimals keep their digits and scale: {@code 1.10} stays {@code 1.10}).
 *
 * <p>Thread-safe: an {@link ObjectMapper} may be shared once configured.
 */
final class HttpJson {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private HttpJson() {}

  /** {@code value} as compact JSON text in UTF-8. */
  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // Only our own maps, lists, strings, numbers and trees reach here; they always serialize.
      throw new UncheckedIOException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static byte[] write(JsonNode value) {
    return write((Object) value);
  }
}
