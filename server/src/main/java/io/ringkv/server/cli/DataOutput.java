package io.ringkv.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * How the data commands print keys and values, which are arbitrary bytes.
 *
 * <ul>
 *   <li>JSON ({@code --json}): one object per line. Bytes that are valid UTF-8 appear as strings
 *       under {@code key} / {@code value}; other bytes appear as base64 under {@code key_base64} /
 *       {@code value_base64}, so nothing is lost.
 *   <li>Plain: a value alone ({@code get}) is printed as is when it is valid UTF-8; anything else,
 *       and keys and values in line-oriented output ({@code scan}), is escaped the way redis-cli
 *       does: backslash, tab, newline, carriage return and other control or non-UTF-8 bytes as
 *       {@code \\}, {@code \t}, {@code \n}, {@code \r}, {@code \xHH}.
 * </ul>
 *
 * <p>Static helpers; thread-safe.
 */
final class DataOutput {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DataOutput() {}

  /** The bytes as text, or null if they are not valid UTF-8. */
  static String utf8OrNull(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Puts {@code bytes} under {@code name}, or under {@code name_base64} if not UTF-8. */
  static void putBytes(Map<String, Object> object, String name, byte[] bytes) {
    String text = utf8OrNull(bytes);
    if (text != null) {
      object.put(name, text);
    } else {
      object.put(name + "_base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  /**
   * A causal context as text: base64url without padding, as every text protocol shows it; what
   * {@code --context} takes back.
   */
  static String context(byte[] context) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(context);
  }

  /** Puts a non-empty causal context under {@code context}; an empty one is left out. */
  static void putContext(Map<String, Object> object, byte[] context) {
    if (context.length > 0) {
      object.put("context", context(context));
    }
  }

  static void printJson(PrintWriter out, Map<String, Object> object) {
    try {
      out.println(JSON.writeValueAsString(object));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers must serialize", e);
    }
  }

  /** One line's worth of {@code bytes}: printable UTF-8 stays, the rest is escaped. */
  static String escaped(byte[] bytes) {
    String text = utf8OrNull(bytes);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    if (text != null) {
      text.codePoints().forEach(c -> appendEscaped(out, c));
      return out.toString();
    }
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 0x80) {
        out.append(String.format("\\x%02x", c));
      } else {
        appendEscaped(out, c);
      }
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, int c) {
    switch (c) {
      case '\\' -> out.append("\\\\");
      case '\t' -> out.append("\\t");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      default -> {
        if (c < 0x20 || c == 0x7f) {
          out.append(String.format("\\x%02x", c));
        } else {
          out.appendCodePoint(c);
        }
      }
    }
  }
}
