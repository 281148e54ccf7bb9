package io.ringkv.cluster.ring;

/**
 * A position on the token ring: a signed 64-bit value. Tokens compare as signed longs; the ring
 * wraps from {@link #MAX} to {@link #MIN}.
 *
 * <p>{@link #MIN} is reserved: it is the ring's minimum, no key hashes to it ({@link
 * Murmur3#token}), and no node may own it, so that a range {@code (MIN, t]} holds every key with a
 * token of at most {@code t}. A key's token is the first half of its MurmurHash3 x64 128 hash.
 *
 * <p>Immutable value.
 */
public record Token(long value) implements Comparable<Token> {
  /** The reserved minimum: the ring starts just after it. */
  public static final Token MIN = new Token(Long.MIN_VALUE);

  /** The largest token; the next one clockwise is {@link #MIN}. */
  public static final Token MAX = new Token(Long.MAX_VALUE);

  /** The token of {@code value}. */
  public static Token of(long value) {
    return new Token(value);
  }

  /**
   * The token of a user key: MurmurHash3 x64 128 with seed 0, first 64 bits, never {@link #MIN}.
   */
  public static Token forKey(byte[] userKey) {
    return new Token(Murmur3.token(userKey));
  }

  /** True for the reserved minimum token. */
  public boolean isMinimum() {
    return value == Long.MIN_VALUE;
  }

  /**
   * The number of clockwise steps from this token to {@code other}, as an unsigned 64-bit value
   * ({@code 0} when they are equal).
   */
  public long distanceTo(Token other) {
    return other.value - value;
  }

  /** The next token clockwise ({@link #MIN} after {@link #MAX}). */
  public Token next() {
    return new Token(value + 1);
  }

  @Override
  public int compareTo(Token other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
