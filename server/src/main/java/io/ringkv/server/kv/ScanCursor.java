package io.ringkv.server.kv;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where a scan continues: after {@link #afterKey()} (exclusive), the last user key returned. The
 * scan's position is that key's stored key (its token prefix then the key, see {@code
 * io.ringkv.cluster.ring.KeyCodec}), which is a function of the user key alone, so a cursor resumes
 * exactly after the key it names in the engine's token order. Rendered for clients as an opaque
 * string ({@link #toToken()}): {@code "0"} starts and ends a scan as in Redis' SCAN; any other
 * token is {@code "k"} plus the hex of the last key returned.
 */
public record ScanCursor(byte[] afterKey, boolean end) {
  public static final ScanCursor START = new ScanCursor(null, false);
  public static final ScanCursor END = new ScanCursor(null, true);

  public static ScanCursor after(byte[] key) {
    return new ScanCursor(key.clone(), false);
  }

  public boolean isStart() {
    return afterKey == null && !end;
  }

  /** The client-facing token. */
  public String toToken() {
    if (afterKey == null) {
      return "0";
    }
    return "k" + HexFormat.of().formatHex(afterKey);
  }

  /**
   * Parses a token from {@link #toToken()}; "0" is the start.
   *
   * @throws IllegalArgumentException if the token is not one this service issued
   */
  public static ScanCursor parse(String token) {
    if (token.equals("0")) {
      return START;
    }
    if (token.length() < 1 || token.charAt(0) != 'k' || (token.length() - 1) % 2 != 0) {
      throw new IllegalArgumentException("invalid cursor '" + token + "'");
    }
    try {
      return after(HexFormat.of().parseHex(token, 1, token.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cursor '" + token + "'", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanCursor other
        && end == other.end
        && Arrays.equals(afterKey, other.afterKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(afterKey) * 31 + Boolean.hashCode(end);
  }

  @Override
  public String toString() {
    return end ? "ScanCursor{END}" : "ScanCursor{" + toToken() + "}";
  }
}
