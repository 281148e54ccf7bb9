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
import java.util.TreeSet;

/**
 * A counter that concurrent increments through any replica never lose or double (a state-based
 * PN-counter, Shapiro et al., "A comprehensive study of CRDTs", 2011), merged on the server, never
 * siblings; and whose increments with an idempotency key count once even when a retry was applied
 * by a second dot replica that had not seen the first attempt (docs/design/causal.md, "Counters").
 *
 * <p><b>Entries.</b> Each actor owns one entry: its sequence (how many increments it applied), its
 * net (their sum, corrected by the duplicates it retired, below; the P and N parts of a PN-counter
 * collapse into one signed total, since the join takes the entry with the higher sequence rather
 * than the maximum of each part), and its <em>keyed increments</em>: the idempotency key and delta
 * of the keyed increments it applied and still keeps, oldest first. Only the actor's replica
 * changes its entry, one increment at a time under its key lock, so an actor's entries form one
 * line and "higher sequence wins" is a join: commutative, associative, idempotent, whatever the
 * entries hold. Every rule below that drops a keyed increment runs only there, at the owner, so
 * none of them has to be deterministic under the join.
 *
 * <p><b>Value.</b> The sum of the nets, minus every kept keyed increment whose key an actor with a
 * smaller id also keeps: of the actors that applied one key, the least one's counts, the others are
 * duplicates. The value is a function of the joined state, so every replica that holds the same
 * state shows the same value.
 *
 * <p><b>Retirement</b> (at the owner, in {@link #increment}), keeping the value unchanged:
 *
 * <ul>
 *   <li>a keyed increment whose key a smaller actor keeps is a duplicate: the owner drops it and
 *       takes its delta out of its net. Any state holding the new entry holds the smaller actor's
 *       entry that applied the key (the owner saw it), so the key still counts once;
 *   <li>otherwise, beyond the newest {@link #IDEMPOTENCY_WINDOW}, the oldest ones are dropped and
 *       stay in the net (counted), except a <em>pinned</em> one, whose key a greater actor keeps:
 *       dropping it would make the greater one's count too, so it stays until that actor has
 *       dropped its own.
 * </ul>
 *
 * <p><b>Exactness window.</b> A key applied by two actors counts once if the two applications meet
 * in one state (any replica's join) before the lesser actor dropped its own, which it does only
 * after {@link #IDEMPOTENCY_WINDOW} newer keyed increments of its own and never while it sees the
 * other. Beyond that the key counts twice, never zero times. Bytes: per actor at most {@link
 * #IDEMPOTENCY_WINDOW} unpinned keyed increments of at most {@link #IDEMPOTENCY_KEY_BYTES_MAX}
 * bytes each plus the pinned ones (one per key of a greater actor's, rare); the object's byte bound
 * ({@link CausalCells#OBJECT_BYTES_MAX_DEFAULT}) caps the rest.
 *
 * <p>Overflow: an increment that would take the actor's net or the counter's value outside a {@code
 * long} is refused, as Redis refuses it. Immutable and thread-safe; pure.
 */
public final class PnCounter {
  /** Keyed increments an actor keeps beyond the pinned ones: the window of retry recognition. */
  public static final int IDEMPOTENCY_WINDOW = 256;

  /** The longest idempotency key. */
  public static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  private static final PnCounter EMPTY = new PnCounter(new TreeMap<>());

  /**
   * One keyed increment an actor applied and keeps.
   *
   * @param idempotencyKey 1 to {@link #IDEMPOTENCY_KEY_BYTES_MAX} bytes (not copied)
   * @param delta what it added (0 for keys decoded from format version 1, which held no delta)
   */
  public record KeyedIncrement(byte[] idempotencyKey, long delta) {
    public KeyedIncrement {
      checkKey(idempotencyKey);
    }

    boolean sameAs(KeyedIncrement other) {
      return delta == other.delta && Arrays.equals(idempotencyKey, other.idempotencyKey);
    }

    int compareTo(KeyedIncrement other) {
      int byKey = Arrays.compareUnsigned(idempotencyKey, other.idempotencyKey);
      return byKey != 0 ? byKey : Long.compare(delta, other.delta);
    }
  }

  /**
   * One actor's part.
   *
   * @param sequence increments applied by the actor, 1 or more
   * @param net their sum, less the duplicates it retired
   * @param keyed its kept keyed increments, oldest first, keys distinct
   */
  public record Entry(long sequence, long net, List<KeyedIncrement> keyed) {
    public Entry {
      keyed = List.copyOf(keyed);
      if (sequence < 1) {
        throw new IllegalArgumentException("counter entry sequence must be >= 1, was " + sequence);
      }
      if (keyed.size() > sequence) {
        throw new IllegalArgumentException(
            "counter entry holds "
                + keyed.size()
                + " keyed increments, above its sequence "
                + sequence);
      }
    }

    /** The idempotency keys it keeps, oldest first. */
    public List<byte[]> recentKeys() {
      List<byte[]> keys = new ArrayList<>(keyed.size());
      for (KeyedIncrement increment : keyed) {
        keys.add(increment.idempotencyKey());
      }
      return keys;
    }

    boolean sameAs(Entry other) {
      return compareTo(other) == 0;
    }

    /**
     * A total order on entries of one sequence, so that a conflict resolves the same everywhere.
     */
    int compareTo(Entry other) {
      if (sequence != other.sequence) {
        return Long.compare(sequence, other.sequence);
      }
      if (net != other.net) {
        return Long.compare(net, other.net);
      }
      if (keyed.size() != other.keyed.size()) {
        return Integer.compare(keyed.size(), other.keyed.size());
      }
      for (int i = 0; i < keyed.size(); i++) {
        int byIncrement = keyed.get(i).compareTo(other.keyed.get(i));
        if (byIncrement != 0) {
          return byIncrement;
        }
      }
      return 0;
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
   * none) was applied already; retires the actor's duplicates and its keyed increments beyond the
   * window (see the class comment).
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
    long value = value();
    long newValue;
    long net = own == null ? 0 : own.net();
    try {
      newValue = Math.addExact(value, delta);
      net = Math.addExact(net, delta);
    } catch (ArithmeticException e) {
      return overflow(value, delta);
    }
    List<KeyedIncrement> kept = new ArrayList<>();
    if (own != null && !own.keyed().isEmpty()) {
      TreeSet<byte[]> heldBySmaller = keysOf(entries.headMap(actor, false));
      for (KeyedIncrement keyed : own.keyed()) {
        if (heldBySmaller.contains(keyed.idempotencyKey())) {
          try {
            net = Math.subtractExact(net, keyed.delta());
          } catch (ArithmeticException e) {
            return overflow(value, delta);
          }
        } else {
          kept.add(keyed);
        }
      }
    }
    if (idempotencyKey != null) {
      kept.add(new KeyedIncrement(idempotencyKey.clone(), delta));
    }
    retireBeyondWindow(actor, kept);
    TreeMap<Actor, Entry> next = new TreeMap<>(entries);
    next.put(actor, new Entry(own == null ? 1 : own.sequence() + 1, net, kept));
    PnCounter counter = new PnCounter(next);
    if (counter.value() != newValue) {
      throw new AssertionError(
          "counter increment by " + delta + " moved the value " + value + " to " + counter.value());
    }
    return new Increment.Applied(counter);
  }

  private static Increment.Overflow overflow(long value, long delta) {
    return new Increment.Overflow(
        "increment or decrement would overflow: value " + value + ", delta " + delta);
  }

  /**
   * Drops the oldest of {@code kept} until at most {@link #IDEMPOTENCY_WINDOW} are not pinned (a
   * greater actor keeps the key). None has a smaller holder, so each dropped one stays counted.
   */
  private void retireBeyondWindow(Actor actor, List<KeyedIncrement> kept) {
    if (kept.size() <= IDEMPOTENCY_WINDOW) {
      return;
    }
    TreeSet<byte[]> heldByGreater = keysOf(entries.tailMap(actor, false));
    int unpinned = 0;
    boolean[] pinned = new boolean[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      pinned[i] = heldByGreater.contains(kept.get(i).idempotencyKey());
      unpinned += pinned[i] ? 0 : 1;
    }
    int excess = unpinned - IDEMPOTENCY_WINDOW;
    List<KeyedIncrement> survivors = new ArrayList<>(kept.size());
    for (int i = 0; i < kept.size(); i++) {
      if (!pinned[i] && excess > 0) {
        excess--;
      } else {
        survivors.add(kept.get(i));
      }
    }
    kept.clear();
    kept.addAll(survivors);
  }

  /** The idempotency keys {@code entries} keep, by content. */
  private static TreeSet<byte[]> keysOf(Map<Actor, Entry> entries) {
    TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    for (Entry entry : entries.values()) {
      for (KeyedIncrement keyed : entry.keyed()) {
        keys.add(keyed.idempotencyKey());
      }
    }
    return keys;
  }

  /** True if an increment with {@code idempotencyKey} is known to have been applied. */
  public boolean seen(byte[] idempotencyKey) {
    for (Entry entry : entries.values()) {
      for (KeyedIncrement keyed : entry.keyed()) {
        if (Arrays.equals(keyed.idempotencyKey(), idempotencyKey)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * How many kept keyed increments are duplicates: their key is also kept by a smaller actor, so
   * the value does not count them.
   */
  public int duplicates() {
    int duplicates = 0;
    TreeSet<byte[]> counted = new TreeSet<>(Arrays::compareUnsigned);
    for (Entry entry : entries.values()) {
      for (KeyedIncrement keyed : entry.keyed()) {
        duplicates += counted.add(keyed.idempotencyKey()) ? 0 : 1;
      }
    }
    return duplicates;
  }

  /** The join: per actor, the entry with the higher sequence. */
  public PnCounter merge(PnCounter other) {
    return ActorEntries.join(this, other, value -> value.entries, PnCounter::later, PnCounter::new);
  }

  private static Entry later(Entry a, Entry b) {
    // Two different entries with one sequence mean an actor reused a sequence (an incarnation was
    // not bumped after losing writes); the total order still picks the same one on every replica.
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * The counter's value: the sum of the actors' nets less the duplicates (see the class comment),
   * clamped to the range of a long in the unlikely case that concurrent increments through
   * different replicas pushed it beyond.
   */
  public long value() {
    BigInteger exact = BigInteger.ZERO;
    TreeSet<byte[]> counted = new TreeSet<>(Arrays::compareUnsigned);
    long sum = 0;
    boolean overflowed = false;
    for (Entry entry : entries.values()) {
      exact = overflowed ? exact.add(BigInteger.valueOf(entry.net())) : exact;
      try {
        sum = overflowed ? sum : Math.addExact(sum, entry.net());
      } catch (ArithmeticException e) {
        overflowed = true;
        exact = exact.add(BigInteger.valueOf(sum)).add(BigInteger.valueOf(entry.net()));
      }
      for (KeyedIncrement keyed : entry.keyed()) {
        // Actors come in increasing order: the first to keep a key is its least holder.
        if (!counted.add(keyed.idempotencyKey())) {
          exact = overflowed ? exact.subtract(BigInteger.valueOf(keyed.delta())) : exact;
          try {
            sum = overflowed ? sum : Math.subtractExact(sum, keyed.delta());
          } catch (ArithmeticException e) {
            overflowed = true;
            exact = exact.add(BigInteger.valueOf(sum)).subtract(BigInteger.valueOf(keyed.delta()));
          }
        }
      }
    }
    if (!overflowed) {
      return sum;
    }
    if (exact.bitLength() < Long.SIZE) {
      return exact.longValue();
    }
    return exact.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
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
