package io.ringkv.cluster.ring;

import io.ringkv.storage.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a node stores a user key of a keyspace in its engine so that the engine's key order is token
 * order and keyspaces are separate namespaces: the stored key is the key's token as 8 big-endian
 * bytes with the sign bit flipped, then the keyspace's 4-byte tag, then the user key's bytes.
 *
 * <pre>
 *   stored key = be64(token XOR 0x8000_0000_0000_0000) ++ be32(keyspace tag) ++ user key
 * </pre>
 *
 * <p>Why the token first: the engine orders keys by unsigned bytes. Flipping the sign bit makes the
 * unsigned order of the 8-byte prefix the signed order of tokens ({@code MIN} becomes {@code
 * 00..00}, {@code -1} becomes {@code 7F..FF}, {@code 0} becomes {@code 80..00}), so stored keys
 * sort by (token, tag, user key) and every token range is one contiguous scan of the engine (two
 * for a range that wraps around) holding the keys of every keyspace. Merkle trees, streaming, hints
 * and read repair move stored keys opaquely and rest on this alone. The token is the user key's own
 * whatever the keyspace, so a key is placed on the same replicas in every keyspace.
 *
 * <p>Why the tag: the same user key in two keyspaces must be two stored objects (an LWW write and a
 * causal object of one user key must not meet in one merge). The tag of {@code default} is 0; any
 * other keyspace's is the first 32 bits of the Murmur3 hash of its UTF-8 name, mapped away from 0
 * ({@link #tag(String)}). Two keyspaces with one tag would share their keys, so creating a keyspace
 * whose tag another keyspace has is refused (the keyspace admin and the metadata state machine
 * check it). A keyspace's scan walks the token ranges and skips the stored keys of other tags.
 *
 * <p>The stored key is {@link #PREFIX_BYTES} longer than the user key; the engine's {@code
 * key_bytes_max} must leave room for it. The engine's data keys are all encoded this way: an open
 * upper bound in {@link #keyRanges} relies on no other keys living beside them. The layout is
 * recorded per node (docs/decisions/009-keyspace-in-stored-keys.md); a data directory of the
 * earlier token-then-key layout is refused at start.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyCodec {
  /** The length of the token prefix of every stored key. */
  public static final int TOKEN_BYTES = 8;

  /** The length of the keyspace tag that follows the token. */
  public static final int TAG_BYTES = 4;

  /** The length of the token and tag before the user key. */
  public static final int PREFIX_BYTES = TOKEN_BYTES + TAG_BYTES;

  /** The tag of the {@code default} keyspace. */
  public static final int DEFAULT_TAG = 0;

  /** The name of the keyspace whose tag is {@link #DEFAULT_TAG}. */
  private static final String DEFAULT_KEYSPACE = "default";

  private KeyCodec() {}

  /**
   * The tag of keyspace {@code keyspaceName}: 0 for {@code default}, otherwise the first 32 bits of
   * the Murmur3 hash of its UTF-8 name, 1 where that is 0. Stable: it is part of every stored key.
   */
  public static int tag(String keyspaceName) {
    if (keyspaceName.equals(DEFAULT_KEYSPACE)) {
      return DEFAULT_TAG;
    }
    int hash = (int) (Murmur3.hash128(keyspaceName.getBytes(StandardCharsets.UTF_8))[0] >>> 32);
    return hash == DEFAULT_TAG ? 1 : hash;
  }

  /** The stored key of {@code userKey} in the keyspace tagged {@code keyspaceTag}. */
  public static byte[] encode(int keyspaceTag, byte[] userKey) {
    return encode(Token.forKey(userKey), keyspaceTag, userKey);
  }

  /**
   * The stored key of {@code userKey} under {@code token}. For tests, tools and the simulator's
   * precomputed tokens; data keys use {@link #encode(int, byte[])} or the key's own token.
   */
  public static byte[] encode(Token token, int keyspaceTag, byte[] userKey) {
    byte[] stored = new byte[PREFIX_BYTES + userKey.length];
    writePrefix(token, stored);
    writeTag(keyspaceTag, stored, TOKEN_BYTES);
    System.arraycopy(userKey, 0, stored, PREFIX_BYTES, userKey.length);
    return stored;
  }

  /** The keyspace tag inside a stored key. */
  public static int tagOf(byte[] storedKey) {
    checkLength(storedKey);
    int tag = 0;
    for (int i = TOKEN_BYTES; i < PREFIX_BYTES; i++) {
      tag = (tag << 8) | (storedKey[i] & 0xFF);
    }
    return tag;
  }

  /**
   * The smallest stored key with {@code token} and {@code keyspaceTag}: the prefix alone, the
   * position where a keyspace's keys of one token begin.
   */
  public static byte[] tagPrefix(Token token, int keyspaceTag) {
    byte[] prefix = new byte[PREFIX_BYTES];
    writePrefix(token, prefix);
    writeTag(keyspaceTag, prefix, TOKEN_BYTES);
    return prefix;
  }

  /** The user key inside a stored key. */
  public static byte[] decodeUserKey(byte[] storedKey) {
    checkLength(storedKey);
    return Arrays.copyOfRange(storedKey, PREFIX_BYTES, storedKey.length);
  }

  /** The token inside a stored key (or any key of at least {@link #TOKEN_BYTES}). */
  public static Token tokenOf(byte[] storedKey) {
    if (storedKey.length < TOKEN_BYTES) {
      throw new IllegalArgumentException(
          "stored key of "
              + storedKey.length
              + " bytes is shorter than its "
              + TOKEN_BYTES
              + "-byte token prefix");
    }
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

  private static void writeTag(int tag, byte[] into, int offset) {
    into[offset] = (byte) (tag >>> 24);
    into[offset + 1] = (byte) (tag >>> 16);
    into[offset + 2] = (byte) (tag >>> 8);
    into[offset + 3] = (byte) tag;
  }

  private static void checkLength(byte[] storedKey) {
    if (storedKey.length < PREFIX_BYTES) {
      throw new IllegalArgumentException(
          "stored key of "
              + storedKey.length
              + " bytes is shorter than its "
              + PREFIX_BYTES
              + "-byte prefix (token "
              + TOKEN_BYTES
              + " bytes, keyspace tag "
              + TAG_BYTES
              + " bytes)");
    }
  }
}
