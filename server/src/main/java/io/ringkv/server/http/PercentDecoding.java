package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;

/**
 * Percent-decoding (RFC 3986 §2.1) of a key written in a URL path, to bytes: {@code %XX} is the
 * byte XX, any other character is itself. So a key is any byte string: UTF-8 text is
 * percent-encoded as its UTF-8 bytes (what every URL library does), and a binary key is
 * percent-encoded byte by byte. Unlike form decoding, {@code +} stays {@code +}.
 *
 * <p>Netty hands the request line over with each byte as one char (ISO-8859-1), so a raw byte that
 * a client failed to encode is kept as that byte too.
 */
final class PercentDecoding {
  private PercentDecoding() {}

  /**
   * Decodes {@code raw}.
   *
   * @throws ProblemException naming the offset of a truncated or non-hexadecimal escape
   */
  static byte[] decode(String raw) {
    int length = raw.length();
    byte[] out = new byte[length];
    int size = 0;
    for (int i = 0; i < length; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= length) {
          throw malformed(raw, i, "truncated percent-escape");
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw malformed(
              raw, i, "percent-escape '" + raw.substring(i, i + 3) + "' is not hexadecimal");
        }
        out[size++] = (byte) (high << 4 | low);
        i += 2;
      } else if (c > 0xFF) {
        throw malformed(
            raw, i, "character U+" + Integer.toHexString(c) + " must be percent-encoded");
      } else {
        out[size++] = (byte) c;
      }
    }
    return size == length ? out : Arrays.copyOf(out, size);
  }

  private static ProblemException malformed(String raw, int offset, String what) {
    return Problem.of(
            HttpResponseStatus.BAD_REQUEST,
            ProblemType.INVALID_PARAMETER,
            "malformed key in path: " + what + " at offset " + offset)
        .toException();
  }
}
