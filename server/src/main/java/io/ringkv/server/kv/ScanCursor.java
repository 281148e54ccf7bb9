package io.ringkv.server.kv;

import io.ringkv.cluster.ring.KeyCodec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where a scan continues, one of two kinds:
 *
 * <ul>
 *   <li>after {@link #afterKey()} (exclusive), the last user key of the scanned keyspace examined.
 *       The scan's position is that key's stored key in the keyspace (its token, the keyspace's
 *       tag, then the key, see {@link KeyCodec}), which is a function of the user key and the
 *       keyspace alone, so a cursor resumes exactly after the key it names in the engine's token
 *       order;
 *   <li>from {@link #fromPosition()} (inclusive), a token and a keyspace tag ({@link
 *       KeyCodec#PREFIX_BYTES} bytes): where a scan resumes when the last key it examined was
 *       another keyspace's, which the cursor must not reveal.
 * </ul>
 *
 * <p>Rendered for clients as an opaque string ({@link #toToken()}): {@code "0"} starts and ends a
 * scan as in Redis' SCAN; {@code "k"} plus the hex of the last key examined, or {@code "p"} plus
 * the hex of the position.
 */
public record ScanCursor(byte[] afterKey, byte[] fromPosition, boolean end) {
  public static final ScanCursor START = new ScanCursor(null, null, false);
  public static final ScanCursor END = new ScanCursor(null, null, true);

  public static ScanCursor after(byte[] key) {
    return new ScanCursor(key.clone(), null, false);
  }

  /**
   * A cursor resuming from {@code position}, a token and keyspace tag ({@link KeyCodec#tagPrefix}).
   */
  public static ScanCursor from(byte[] position) {
    if (position.length != KeyCodec.PREFIX_BYTES) {
      throw new IllegalArgumentException(
          "cursor position of "
              + position.length
              + " bytes; a position is "
              + KeyCodec.PREFIX_BYTES
              + " bytes (token and keyspace tag)");
    }
    return new ScanCursor(null, position.clone(), false);
  }

  public boolean isStart() {
    return afterKey == null && fromPosition == null && !end;
  }

  /** The client-facing token. */
  public String toToken() {
    if (fromPosition != null) {
      return "p" + HexFormat.of().formatHex(fromPosition);
    }
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
    if (token.length() < 1
        || (token.charAt(0) != 'k' && token.charAt(0) != 'p')
        || (token.length() - 1) % 2 != 0) {
      throw new IllegalArgumentException("invalid cursor '" + token + "'");
    }
    try {
      byte[] bytes = HexFormat.of().parseHex(token, 1, token.length());
      return token.charAt(0) == 'k' ? after(bytes) : from(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cursor '" + token + "'", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScanCursor other
        && end == other.end
        && Arrays.equals(afterKey, other.afterKey)
        && Arrays.equals(fromPosition, other.fromPosition);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(afterKey) * 31 + Arrays.hashCode(fromPosition)) * 31
        + Boolean.hashCode(end);
  }

  @Override
  public String toString() {
    return end ? "ScanCursor{END}" : "ScanCursor{" + toToken() + "}";
  }
}
