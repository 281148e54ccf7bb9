package io.ringkv.cluster.version;

import java.math.BigDecimal;
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
 * <p><b>Decimals</b> ({@code INCRBYFLOAT}). Beside its integer net, each entry holds an exact
 * decimal net ({@link BigDecimal}, at most {@link #DECIMAL_SCALE_MAX} digits after the point, as
 * Redis prints, and at most {@link #DECIMAL_INTEGER_DIGITS_MAX} before it), and a keyed increment
 * its decimal delta; the value is the integer sum plus the decimal sum, less the duplicates of
 * both. Decimal arithmetic is exact, so the value never depends on the order of increments, and the
 * join is untouched. A counter whose value has a fraction refuses integer increments ("value is not
 * an integer or out of range", as Redis refuses INCR on "1.5").
 *
 * <p>Overflow: an increment that would take the actor's net or the counter's value outside a {@code
 * long} is refused, as Redis refuses it; a decimal increment that would take a decimal net or the
 * value past {@link #DECIMAL_INTEGER_DIGITS_MAX} digits before the point is refused too. Immutable
 * and thread-safe; pure.
 */
public final class PnCounter {
  /** Keyed increments an actor keeps beyond the pinned ones: the window of retry recognition. */
  public static final int IDEMPOTENCY_WINDOW = 256;

  /** The longest idempotency key. */
  public static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  /** The most digits after the point of a decimal increment, net or value (as Redis prints). */
  public static final int DECIMAL_SCALE_MAX = 17;

  /** The most digits before the point of a decimal increment, net or value. */
  public static final int DECIMAL_INTEGER_DIGITS_MAX = 38;

  private static final PnCounter EMPTY = new PnCounter(new TreeMap<>());

  /**
   * One keyed increment an actor applied and keeps.
   *
   * @param idempotencyKey 1 to {@link #IDEMPOTENCY_KEY_BYTES_MAX} bytes (not copied)
   * @param delta what it added (0 for keys decoded from format version 1, which held no delta)
   * @param decimalDelta what a decimal increment added (zero for an integer one); kept canonical
   */
  public record KeyedIncrement(byte[] idempotencyKey, long delta, BigDecimal decimalDelta) {
    public KeyedIncrement {
      checkKey(idempotencyKey);
      decimalDelta = checkDecimal("keyed increment decimal delta", decimalDelta);
    }

    /** An integer keyed increment. */
    public KeyedIncrement(byte[] idempotencyKey, long delta) {
      this(idempotencyKey, delta, BigDecimal.ZERO);
    }

    boolean sameAs(KeyedIncrement other) {
      return compareTo(other) == 0;
    }

    int compareTo(KeyedIncrement other) {
      int byKey = Arrays.compareUnsigned(idempotencyKey, other.idempotencyKey);
      if (byKey != 0) {
        return byKey;
      }
      int byDelta = Long.compare(delta, other.delta);
      return byDelta != 0 ? byDelta : decimalDelta.compareTo(other.decimalDelta);
    }
  }

  /**
   * One actor's part.
   *
   * @param sequence increments applied by the actor, 1 or more
   * @param net their sum, less the duplicates it retired
   * @param keyed its kept keyed increments, oldest first, keys distinct
   * @param decimalNet the sum of its decimal increments, less the duplicates it retired; kept
   *     canonical (no trailing zeros, scale 0 to {@link #DECIMAL_SCALE_MAX})
   */
  public record Entry(long sequence, long net, List<KeyedIncrement> keyed, BigDecimal decimalNet) {
    /** An entry without decimal increments. */
    public Entry(long sequence, long net, List<KeyedIncrement> keyed) {
      this(sequence, net, keyed, BigDecimal.ZERO);
    }

    public Entry {
      keyed = List.copyOf(keyed);
      decimalNet = checkDecimal("counter entry decimal net", decimalNet);
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
      int byDecimal = decimalNet.compareTo(other.decimalNet);
      if (byDecimal != 0) {
        return byDecimal;
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

    /**
     * Refused: the value or the actor's net would leave its range (a long, or {@link
     * #DECIMAL_INTEGER_DIGITS_MAX} digits for decimals), or an integer increment met a value that
     * is not an integer. {@code message} starts with Redis' wording for the case.
     */
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
   * window (see the class comment). Refused if the value is not an integer (a decimal increment
   * left a fraction) or the result leaves the range of a long.
   */
  public Increment increment(Actor actor, long delta, byte[] idempotencyKey) {
    Objects.requireNonNull(actor, "actor");
    if (idempotencyKey != null) {
      checkKey(idempotencyKey);
      if (seen(idempotencyKey)) {
        return new Increment.Duplicate(this);
      }
    }
    BigDecimal exact = exactValue();
    if (exact.scale() > 0 || exact.compareTo(LONG_MIN) < 0 || exact.compareTo(LONG_MAX) > 0) {
      return new Increment.Overflow(
          "value is not an integer or out of range: the counter holds "
              + format(exact)
              + ", an integer increment needs an integer value within 64 bits");
    }
    long value = exact.longValueExact();
    try {
      Math.addExact(value, delta);
    } catch (ArithmeticException e) {
      return overflow(value, delta);
    }
    return apply(actor, delta, BigDecimal.ZERO, idempotencyKey, exact);
  }

  /**
   * Adds the decimal {@code delta} as {@code actor} (INCRBYFLOAT), as {@link #increment} adds an
   * integer one. Refused if the new value or the actor's decimal net would need more than {@link
   * #DECIMAL_INTEGER_DIGITS_MAX} digits before the point.
   *
   * @param delta at most {@link #DECIMAL_SCALE_MAX} digits after the point and {@link
   *     #DECIMAL_INTEGER_DIGITS_MAX} before it
   * @throws IllegalArgumentException if {@code delta} has more digits
   */
  public Increment incrementDecimal(Actor actor, BigDecimal delta, byte[] idempotencyKey) {
    Objects.requireNonNull(actor, "actor");
    delta = checkDecimal("decimal increment", delta);
    if (idempotencyKey != null) {
      checkKey(idempotencyKey);
      if (seen(idempotencyKey)) {
        return new Increment.Duplicate(this);
      }
    }
    BigDecimal exact = exactValue();
    BigDecimal newValue = exact.add(delta);
    Entry own = entries.get(actor);
    BigDecimal newNet = (own == null ? BigDecimal.ZERO : own.decimalNet()).add(delta);
    if (integerDigits(newValue) > DECIMAL_INTEGER_DIGITS_MAX
        || integerDigits(newNet) > DECIMAL_INTEGER_DIGITS_MAX) {
      return new Increment.Overflow(
          "increment would produce NaN or Infinity: value "
              + format(exact)
              + ", increment "
              + format(delta)
              + ", a counter holds at most "
              + DECIMAL_INTEGER_DIGITS_MAX
              + " digits before the point");
    }
    return apply(actor, 0, delta, idempotencyKey, exact);
  }

  /**
   * Applies a checked increment of {@code delta + decimalDelta} to a counter worth {@code exact}.
   */
  private Increment apply(
      Actor actor, long delta, BigDecimal decimalDelta, byte[] idempotencyKey, BigDecimal exact) {
    Entry own = entries.get(actor);
    long net = own == null ? 0 : own.net();
    BigDecimal decimalNet = (own == null ? BigDecimal.ZERO : own.decimalNet()).add(decimalDelta);
    long value = value();
    try {
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
          decimalNet = decimalNet.subtract(keyed.decimalDelta());
        } else {
          kept.add(keyed);
        }
      }
    }
    if (integerDigits(decimalNet) > DECIMAL_INTEGER_DIGITS_MAX) {
      return new Increment.Overflow(
          "increment would produce NaN or Infinity: the decimal net of "
              + actor
              + " would pass "
              + DECIMAL_INTEGER_DIGITS_MAX
              + " digits before the point");
    }
    if (idempotencyKey != null) {
      kept.add(new KeyedIncrement(idempotencyKey.clone(), delta, decimalDelta));
    }
    retireBeyondWindow(actor, kept);
    TreeMap<Actor, Entry> next = new TreeMap<>(entries);
    next.put(actor, new Entry(own == null ? 1 : own.sequence() + 1, net, kept, decimalNet));
    PnCounter counter = new PnCounter(next);
    BigDecimal expected = exact.add(BigDecimal.valueOf(delta)).add(decimalDelta);
    if (counter.exactValue().compareTo(expected) != 0) {
      throw new AssertionError(
          "counter increment by "
              + delta
              + " and "
              + decimalDelta.toPlainString()
              + " moved the value "
              + format(exact)
              + " to "
              + format(counter.exactValue()));
    }
    return new Increment.Applied(counter);
  }

  private static Increment.Overflow overflow(long value, long delta) {
    return new Increment.Overflow(
        "increment or decrement would overflow: value " + value + ", delta " + delta);
  }

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

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
   * The counter's value as a long: the sum of the actors' nets less the duplicates (see the class
   * comment), clamped to the range of a long in the unlikely case that concurrent increments
   * through different replicas pushed it beyond. A counter with decimal increments answers its
   * {@link #exactValue()} rounded toward zero (and clamped): callers that show a value to a client
   * must show {@link #exactValue()} instead.
   */
  public long value() {
    BigDecimal decimals = decimalSum();
    if (decimals.signum() == 0) {
      return integerValue();
    }
    BigInteger whole = exactValue().toBigInteger();
    if (whole.bitLength() < Long.SIZE) {
      return whole.longValue();
    }
    return whole.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /**
   * The counter's exact value: the integer sum plus the decimal sum, less the duplicates of both,
   * canonical (no trailing zeros, never an exponent: scale 0 to {@link #DECIMAL_SCALE_MAX}).
   */
  public BigDecimal exactValue() {
    return canonical(new BigDecimal(integerSum()).add(decimalSum()));
  }

  /** True if the value has no fraction (integer increments are taken). */
  public boolean integral() {
    return exactValue().scale() == 0;
  }

  /** The value as Redis prints an INCRBYFLOAT result: plain digits, no trailing zeros. */
  public static String format(BigDecimal value) {
    return canonical(value).toPlainString();
  }

  private long integerValue() {
    BigInteger exact = integerSum();
    if (exact.bitLength() < Long.SIZE) {
      return exact.longValue();
    }
    return exact.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /** The sum of the integer nets less the integer deltas of the duplicates, exactly. */
  private BigInteger integerSum() {
    BigInteger exact = BigInteger.ZERO;
    TreeSet<byte[]> counted = new TreeSet<>(Arrays::compareUnsigned);
    long sum = 0;
    for (Entry entry : entries.values()) {
      try {
        sum = Math.addExact(sum, entry.net());
      } catch (ArithmeticException e) {
        exact = exact.add(BigInteger.valueOf(sum)).add(BigInteger.valueOf(entry.net()));
        sum = 0;
      }
      for (KeyedIncrement keyed : entry.keyed()) {
        // Actors come in increasing order: the first to keep a key is its least holder.
        if (!counted.add(keyed.idempotencyKey())) {
          long delta = keyed.delta();
          try {
            sum = Math.subtractExact(sum, delta);
          } catch (ArithmeticException e) {
            exact = exact.add(BigInteger.valueOf(sum)).subtract(BigInteger.valueOf(delta));
            sum = 0;
          }
        }
      }
    }
    return exact.add(BigInteger.valueOf(sum));
  }

  /** The sum of the decimal nets less the decimal deltas of the duplicates. */
  private BigDecimal decimalSum() {
    BigDecimal sum = BigDecimal.ZERO;
    TreeSet<byte[]> counted = null;
    for (Entry entry : entries.values()) {
      sum = sum.add(entry.decimalNet());
      for (KeyedIncrement keyed : entry.keyed()) {
        counted = counted == null ? new TreeSet<>(Arrays::compareUnsigned) : counted;
        if (!counted.add(keyed.idempotencyKey())) {
          sum = sum.subtract(keyed.decimalDelta());
        }
      }
    }
    return sum;
  }

  /** Digits before the point of {@code value} (0 for a value below one in magnitude). */
  private static long integerDigits(BigDecimal value) {
    return value.signum() == 0 ? 0 : Math.max(0, (long) value.precision() - value.scale());
  }

  /** {@code value} without trailing zeros and with a scale of at least 0. */
  static BigDecimal canonical(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  /**
   * {@code value} made canonical, after checking its digits (before the point first, so that an
   * exponent is never expanded).
   *
   * @throws IllegalArgumentException naming {@code field}, the value and the limit
   */
  static BigDecimal checkDecimal(String field, BigDecimal value) {
    Objects.requireNonNull(value, field);
    if (integerDigits(value) > DECIMAL_INTEGER_DIGITS_MAX) {
      throw new IllegalArgumentException(
          field
              + " has "
              + integerDigits(value)
              + " digits before the point, at most "
              + DECIMAL_INTEGER_DIGITS_MAX);
    }
    BigDecimal canonical = canonical(value);
    if (canonical.scale() > DECIMAL_SCALE_MAX) {
      throw new IllegalArgumentException(
          field
              + " "
              + canonical.toPlainString()
              + " has "
              + canonical.scale()
              + " digits after the point, at most "
              + DECIMAL_SCALE_MAX);
    }
    return canonical;
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
      h = 31 * h + entry.getValue().decimalNet().hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    return "PnCounter{value=" + format(exactValue()) + ", actors=" + entries.size() + "}";
  }
}
