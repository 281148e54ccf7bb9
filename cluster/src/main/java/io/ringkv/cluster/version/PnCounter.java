package io.ringkv.cluster.version;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A counter that concurrent increments through any replica never lose or double (a state-based
 * PN-counter, Shapiro et al., "A comprehensive study of CRDTs", 2011), merged on the server, never
 * siblings.
 *
 * <p>Each actor owns one entry: its sequence (how many increments it applied), its net sum (the P
 * and N parts of a PN-counter collapse into one signed total, since the merge takes the entry with
 * the higher sequence rather than the maximum of each part), and the idempotency keys of its last
 * {@link #IDEMPOTENCY_WINDOW} increments. Only the actor's replica changes its entry, one increment
 * at a time under its key lock, so an actor's entries form one line and "higher sequence wins" is a
 * join: commutative, associative, idempotent. The value is the sum of the nets.
 *
 * <p>Retries: an increment with an idempotency key that any actor's window holds is not applied
 * again ({@link #increment} returns {@link Increment.Duplicate}). The window is per actor and
 * bounded ({@link #IDEMPOTENCY_WINDOW} keys of at most {@link #IDEMPOTENCY_KEY_BYTES_MAX} bytes),
 * so a retry is recognised if it reaches a replica that holds the first attempt and comes before
 * that actor applied {@link #IDEMPOTENCY_WINDOW} more keyed increments (docs/design/causal.md,
 * "Counters").
 *
 * <p>Overflow: an increment that would take the actor's net or the counter's value outside a {@code
 * long} is refused, as Redis refuses it. Immutable and thread-safe; pure.
 */
public final class PnCounter {
  /** Idempotency keys remembered per actor. */
  public static final int IDEMPOTENCY_WINDOW = 64;

  /** The longest idempotency key. */
  public static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  private static final PnCounter EMPTY = new PnCounter(new TreeMap<>());

  /**
   * One actor's part.
   *
   * @param sequence increments applied by the actor, 1 or more
   * @param net their sum
   * @param recentKeys idempotency keys of its last keyed increments, oldest first, at most {@link
   *     #IDEMPOTENCY_WINDOW}
   */
  public record Entry(long sequence, long net, List<byte[]> recentKeys) {
    public Entry {
      recentKeys = List.copyOf(recentKeys);
      if (sequence < 1) {
        throw new IllegalArgumentException("counter entry sequence must be >= 1, was " + sequence);
      }
      if (recentKeys.size() > IDEMPOTENCY_WINDOW) {
        throw new IllegalArgumentException(
            "counter entry holds "
                + recentKeys.size()
                + " idempotency keys, above the window of "
                + IDEMPOTENCY_WINDOW);
      }
      for (byte[] key : recentKeys) {
        checkKey(key);
      }
    }

    boolean sameAs(Entry other) {
      if (sequence != other.sequence || net != other.net) {
        return false;
      }
      if (recentKeys.size() != other.recentKeys.size()) {
        return false;
      }
      for (int i = 0; i < recentKeys.size(); i++) {
        if (!Arrays.equals(recentKeys.get(i), other.recentKeys.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  /** What {@link #increment} did. */
  public sealed interface Increment {
    /** Applied; {@code counter} is the new state. */
    record Applied(PnCounter counter) implements Increment {}

    /** The idempotency key was seen: not applied again; {@code counter} is unchanged. */
    record Duplicate(PnCounter counter) implements Increment {}

    /** Refused: the value or the actor's net would leave the range of a long. */
    record Overflow(String message) implements Increment {}
  }

  private final NavigableMap<Actor, Entry> entries;

  private PnCounter(NavigableMap<Actor, Entry> entries) {
    this.entries = entries;
  }

  public static PnCounter empty() {
    return EMPTY;
  }

  /** A counter of {@code entries}, for decoders. */
  public static PnCounter of(Map<Actor, Entry> entries) {
    return entries.isEmpty() ? EMPTY : new PnCounter(new TreeMap<>(entries));
  }

  /** The entries in actor order; unmodifiable. */
  public NavigableMap<Actor, Entry> entries() {
    return Collections.unmodifiableNavigableMap(entries);
  }

  /**
   * Adds {@code delta} as {@code actor} (at its replica), unless {@code idempotencyKey} (null:
   * none) was applied already.
   */
  public Increment increment(Actor actor, long delta, byte[] idempotencyKey) {
    Objects.requireNonNull(actor, "actor");
    if (idempotencyKey != null) {
      checkKey(idempotencyKey);
      if (seen(idempotencyKey)) {
        return new Increment.Duplicate(this);
      }
    }
    Entry own = entries.get(actor);
    long net = own == null ? 0 : own.net();
    long value = value();
    long newNet;
    try {
      newNet = Math.addExact(net, delta);
      Math.addExact(value, delta);
    } catch (ArithmeticException e) {
      return new Increment.Overflow(
          "increment or decrement would overflow: value " + value + ", delta " + delta);
    }
    List<byte[]> keys = new ArrayList<>(own == null ? List.of() : own.recentKeys());
    if (idempotencyKey != null) {
      keys.add(idempotencyKey.clone());
      if (keys.size() > IDEMPOTENCY_WINDOW) {
        keys.remove(0);
      }
    }
    TreeMap<Actor, Entry> next = new TreeMap<>(entries);
    next.put(actor, new Entry(own == null ? 1 : own.sequence() + 1, newNet, keys));
    return new Increment.Applied(new PnCounter(next));
  }

  /** True if an increment with {@code idempotencyKey} is known to have been applied. */
  public boolean seen(byte[] idempotencyKey) {
    for (Entry entry : entries.values()) {
      for (byte[] key : entry.recentKeys()) {
        if (Arrays.equals(key, idempotencyKey)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The join: per actor, the entry with the higher sequence. */
  public PnCounter merge(PnCounter other) {
    return ActorEntries.join(this, other, value -> value.entries, PnCounter::later, PnCounter::new);
  }

  private static Entry later(Entry a, Entry b) {
    if (a.sequence() != b.sequence()) {
      return a.sequence() > b.sequence() ? a : b;
    }
    if (!a.sameAs(b)) {
      // Two different entries with one sequence: an actor reused a sequence (an incarnation was
      // not bumped after losing writes). Keep a deterministic one so replicas still converge.
      return Long.compare(a.net(), b.net()) >= 0 ? a : b;
    }
    return a;
  }

  /**
   * The counter's value: the sum of the actors' nets, clamped to the range of a long in the
   * unlikely case that concurrent increments through different replicas pushed it beyond.
   */
  public long value() {
    long sum = 0;
    try {
      for (Entry entry : entries.values()) {
        sum = Math.addExact(sum, entry.net());
      }
      return sum;
    } catch (ArithmeticException e) {
      BigInteger exact = BigInteger.ZERO;
      for (Entry entry : entries.values()) {
        exact = exact.add(BigInteger.valueOf(entry.net()));
      }
      return exact.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  static void checkKey(byte[] key) {
    Objects.requireNonNull(key, "idempotency key");
    if (key.length == 0 || key.length > IDEMPOTENCY_KEY_BYTES_MAX) {
      throw new IllegalArgumentException(
          "idempotency key must be 1 to "
              + IDEMPOTENCY_KEY_BYTES_MAX
              + " bytes, was "
              + key.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PnCounter other) || !entries.keySet().equals(other.entries.keySet())) {
      return false;
    }
    for (Map.Entry<Actor, Entry> entry : entries.entrySet()) {
      if (!entry.getValue().sameAs(other.entries.get(entry.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<Actor, Entry> entry : entries.entrySet()) {
      h = 31 * h + entry.getKey().hashCode();
      h = 31 * h + Long.hashCode(entry.getValue().sequence());
      h = 31 * h + Long.hashCode(entry.getValue().net());
    }
    return h;
  }

  @Override
  public String toString() {
    return "PnCounter{value=" + value() + ", actors=" + entries.size() + "}";
  }
}
