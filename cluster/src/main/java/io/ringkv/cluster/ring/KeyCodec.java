package io.ringkv.cluster.ring;

import io.ringkv.storage.KeyRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a node stores a user key in its engine so that the engine's key order is token order: the
 * stored key is the key's token as 8 big-endian bytes with the sign bit flipped, followed by the
 * user key's bytes.
 *
 * <pre>
 *   stored key = be64(token XOR 0x8000_0000_0000_0000) ++ user key
 * </pre>
 *
 * <p>Why: the engine orders keys by unsigned bytes. Flipping the sign bit makes the unsigned order
 * of the 8-byte prefix the signed order of tokens ({@code MIN} becomes {@code 00..00}, {@code -1}
 * becomes {@code 7F..FF}, {@code 0} becomes {@code 80..00}), so stored keys sort by (token, user
 * key) and every token range is one contiguous scan of the engine (two for a range that wraps
 * around). Merkle trees and streaming of a range rest on this. The same user key always has the
 * same token, so the prefix adds no ambiguity: decoding drops it.
 *
 * <p>The stored key is 8 bytes longer than the user key; the engine's {@code key_bytes_max} must
 * leave room for it. The engine's data keys are all encoded this way: an open upper bound in {@link
 * #keyRanges} relies on no other keys living beside them.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyCodec {
  /** The length of the token prefix of every stored key. */
  public static final int TOKEN_BYTES = 8;

  private KeyCodec() {}

  /** The stored key of {@code userKey}: its token's prefix, then the key. */
  public static byte[] encode(byte[] userKey) {
    return encode(Token.forKey(userKey), userKey);
  }

  /**
   * The stored key of {@code userKey} under {@code token}. For tests and tools; data keys always
   * use {@link #encode(byte[])} so that the token is the key's own.
   */
  public static byte[] encode(Token token, byte[] userKey) {
    byte[] stored = new byte[TOKEN_BYTES + userKey.length];
    writePrefix(token, stored);
    System.arraycopy(userKey, 0, stored, TOKEN_BYTES, userKey.length);
    return stored;
  }

  /** The user key inside a stored key. */
  public static byte[] decodeUserKey(byte[] storedKey) {
    checkLength(storedKey);
    return Arrays.copyOfRange(storedKey, TOKEN_BYTES, storedKey.length);
  }

  /** The token inside a stored key. */
  public static Token tokenOf(byte[] storedKey) {
    checkLength(storedKey);
    long flipped = 0;
    for (int i = 0; i < TOKEN_BYTES; i++) {
      flipped = (flipped << 8) | (storedKey[i] & 0xFFL);
    }
    return Token.of(flipped ^ Long.MIN_VALUE);
  }

  /** The smallest stored key with {@code token}: its 8-byte prefix alone. */
  public static byte[] tokenPrefix(Token token) {
    byte[] prefix = new byte[TOKEN_BYTES];
    writePrefix(token, prefix);
    return prefix;
  }

  /**
   * The engine ranges that hold exactly the stored keys whose token lies in {@code range}: one
   * range, or two for a range that wraps around, in ring order from the range's start (the piece up
   * to {@link Token#MAX} first, then the piece from {@link Token#MIN}). A piece {@code [lo, hi]} of
   * tokens is the keys from {@code prefix(lo)} (inclusive) to {@code prefix(hi + 1)} (exclusive),
   * open above when {@code hi} is {@code MAX}.
   */
  public static List<KeyRange> keyRanges(TokenRange range) {
    List<long[]> intervals = range.closedIntervals();
    List<KeyRange> result = new ArrayList<>(intervals.size());
    for (long[] interval : intervals) {
      byte[] from = tokenPrefix(Token.of(interval[0]));
      byte[] to = interval[1] == Long.MAX_VALUE ? null : tokenPrefix(Token.of(interval[1] + 1));
      result.add(new KeyRange(from, to));
    }
    return List.copyOf(result);
  }

  private static void writePrefix(Token token, byte[] into) {
    long flipped = token.value() ^ Long.MIN_VALUE;
    for (int i = TOKEN_BYTES - 1; i >= 0; i--) {
      into[i] = (byte) flipped;
      flipped >>>= 8;
    }
  }

  private static void checkLength(byte[] storedKey) {
    if (storedKey.length < TOKEN_BYTES) {
      throw new IllegalArgumentException(
          "stored key of "
              + storedKey.length
              + " bytes is shorter than its "
              + TOKEN_BYTES
              + "-byte token prefix");
    }
  }
}
