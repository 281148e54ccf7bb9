package io.ringkv.sim.raft;

import io.ringkv.raft.Entry;

/**
 * The 64-bit hashes the checkers compare: of an entry's content, and running hashes over applied
 * entries. Fixed functions (no {@code Object.hashCode}), so a hash means the same on every run.
 *
 * <p>Stateless and thread-safe.
 */
final class Hashes {
  private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

  private Hashes() {}

  /** Mixes {@code value} into {@code hash} (a SplitMix64-style finalizer over both). */
  static long mix(long hash, long value) {
    long z = (hash ^ value) * MULTIPLIER + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The hash of an entry's type and data (not its index or term). */
  static long content(Entry entry) {
    long hash = mix(entry.type().ordinal() + 1L, entry.data().length);
    byte[] data = entry.data();
    int i = 0;
    for (; i + 8 <= data.length; i += 8) {
      long word = 0;
      for (int b = 0; b < 8; b++) {
        word = (word << 8) | (data[i + b] & 0xFF);
      }
      hash = mix(hash, word);
    }
    long last = 0;
    for (; i < data.length; i++) {
      last = (last << 8) | (data[i] & 0xFF);
    }
    return mix(hash, last);
  }

  /**
   * The running hash after applying {@code entry} to a state machine whose hash was {@code hash}.
   */
  static long chain(long hash, Entry entry) {
    return mix(mix(mix(hash, entry.index()), entry.term()), content(entry));
  }
}
