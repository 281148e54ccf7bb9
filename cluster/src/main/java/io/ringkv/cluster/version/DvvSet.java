package io.ringkv.cluster.version;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The causal state of one key in causal mode: a dotted version vector set (Almeida, Baquero,
 * Gonçalves, Preguiça, Fonte, "Scalable and Accurate Causality Tracking for Eventually Consistent
 * Stores", DAIS 2014; Riak 2.x's {@code dvvset}). It holds, per actor, a counter {@code n} and the
 * values of that actor's dots still alive, newest first: with {@code k} values, their dots are
 * {@code n, n-1, …, n-k+1}, and the dots {@code 1..n-k} are known and superseded. The join of the
 * counters is the key's causal context ({@link #context()}); the values are its siblings.
 *
 * <p>How it changes:
 *
 * <ul>
 *   <li>{@link #update}: a write at the coordinating replica, carrying the context the client read.
 *       It supersedes exactly the siblings the context covers, keeps the others as siblings, and
 *       adds the new value with the next dot of the replica's actor. A write with no context (a
 *       blind write) takes this replica's own context, so it supersedes everything the replica has
 *       seen and adds no sibling unless another replica holds a concurrent one. A write whose value
 *       equals a sibling it did not cover (a retried write that did apply, or the same value
 *       written concurrently) adds nothing: the sibling already stands for it.
 *   <li>{@link #sync}: the join, used by every other replica, read repair and hints. A value
 *       survives iff every side either holds it or has not seen its dot. Commutative, associative,
 *       idempotent: replicas that received the same states in any order, any number of times, hold
 *       equal clocks.
 * </ul>
 *
 * <p>The sibling cap is enforced by {@link #tryUpdate} only: a write that would leave more than
 * {@code siblingsMax} siblings is refused (Riak's {@code max_siblings} does the same), and the
 * client must resolve by writing with the context of a read. The join never drops a sibling: a join
 * that dropped values would stop being associative (docs/design/causal.md, "The sibling cap"). Each
 * actor's live values are capped at its replica, so a key holds at most (actors) × siblingsMax
 * siblings, in practice RF × siblingsMax.
 *
 * <p>There are no anonymous (dotless) values as in Riak's {@code dvvset}: every write goes through
 * {@link #update} at a replica, which always assigns a dot.
 *
 * <p>Immutable and thread-safe; pure.
 */
public final class DvvSet {
  /** The default sibling cap of a register write. */
  public static final int SIBLINGS_MAX_DEFAULT = 32;

  private static final DvvSet EMPTY = new DvvSet(new TreeMap<>());

  /**
   * One actor's part: its counter and the values of its last dots, newest first.
   *
   * @param counter the actor's highest dot seen on this key
   * @param values the values of dots {@code counter, counter-1, …}; never more than {@code counter}
   */
  record Entry(long counter, List<Version> values) {
    Entry {
      values = List.copyOf(values);
      if (counter < values.size()) {
        throw new IllegalArgumentException(
            "entry counter " + counter + " is below its value count " + values.size());
      }
    }
  }

  /** A value without its dot (the dot follows from its position in its {@link Entry}). */
  record Version(long timestamp, byte[] value) {}

  private final NavigableMap<Actor, Entry> entries;

  private DvvSet(NavigableMap<Actor, Entry> entries) {
    this.entries = entries;
  }

  /** The state of a key never written. */
  public static DvvSet empty() {
    return EMPTY;
  }

  /** A clock from its parts, for decoders: per actor, its counter and values newest first. */
  static DvvSet of(NavigableMap<Actor, Entry> entries) {
    return entries.isEmpty() ? EMPTY : new DvvSet(new TreeMap<>(entries));
  }

  NavigableMap<Actor, Entry> entries() {
    return Collections.unmodifiableNavigableMap(entries);
  }

  /** What {@link #tryUpdate} did. */
  public sealed interface UpdateResult {
    /**
     * The write was taken.
     *
     * @param clock the new state
     * @param dot the new value's dot, or empty when an equal sibling already stood for it
     */
    record Updated(DvvSet clock, Optional<Dot> dot) implements UpdateResult {}

    /**
     * The write would leave more than {@code siblingsMax} siblings; nothing changed.
     *
     * @param siblings how many it would leave
     */
    record TooManySiblings(int siblings, int siblingsMax) implements UpdateResult {
      public String message() {
        return "the write would leave "
            + siblings
            + " siblings, above the cap of "
            + siblingsMax
            + "; read the key and write with its context to resolve them";
      }
    }
  }

  /**
   * A write at this replica, as {@code actor}, of {@code value} (null: a causal delete) stamped
   * {@code timestamp}, that read {@code context} (null: a blind write, which read this replica's
   * own context). No cap.
   */
  public DvvSet update(VersionVector context, Actor actor, long timestamp, byte[] value) {
    return ((UpdateResult.Updated) tryUpdate(context, actor, timestamp, value, Integer.MAX_VALUE))
        .clock();
  }

  /** {@link #update}, refused if it would leave more than {@code siblingsMax} siblings. */
  public UpdateResult tryUpdate(
      VersionVector context, Actor actor, long timestamp, byte[] value, int siblingsMax) {
    Objects.requireNonNull(actor, "actor");
    if (siblingsMax < 1) {
      throw new IllegalArgumentException("siblingsMax must be >= 1, was " + siblingsMax);
    }
    VersionVector read = context == null ? context() : context;
    DvvSet synced = syncContext(read);
    for (Sibling sibling : synced.siblings()) {
      if (sibling.sameContents(value)) {
        return new UpdateResult.Updated(synced, Optional.empty());
      }
    }
    int siblings = synced.siblingCount() + 1;
    if (siblings > siblingsMax) {
      return new UpdateResult.TooManySiblings(siblings, siblingsMax);
    }
    TreeMap<Actor, Entry> next = new TreeMap<>(synced.entries);
    Entry own = next.get(actor);
    long counter = own == null ? 1 : own.counter() + 1;
    List<Version> values = new ArrayList<>(own == null ? 1 : own.values().size() + 1);
    values.add(new Version(timestamp, value));
    if (own != null) {
      values.addAll(own.values());
    }
    next.put(actor, new Entry(counter, values));
    return new UpdateResult.Updated(new DvvSet(next), Optional.of(new Dot(actor, counter)));
  }

  /** The join: the siblings neither side has superseded, and both sides' contexts. */
  public DvvSet sync(DvvSet other) {
    return ActorEntries.join(
        this, other, value -> value.entries, DvvSet::mergeEntries, DvvSet::new);
  }

  /** This with every sibling whose dot {@code context} covers dropped, and the context joined. */
  public DvvSet syncContext(VersionVector context) {
    TreeMap<Actor, Entry> contextEntries = new TreeMap<>();
    context
        .counters()
        .forEach((actor, counter) -> contextEntries.put(actor, new Entry(counter, List.of())));
    return sync(contextEntries.isEmpty() ? EMPTY : new DvvSet(contextEntries));
  }

  /**
   * Riak's {@code dvvset:merge/5}: the side with the higher counter keeps its values that the other
   * side has either not seen or still holds (same dot, same value).
   */
  private static Entry mergeEntries(Entry a, Entry b) {
    if (a.counter() < b.counter()) {
      Entry swap = a;
      a = b;
      b = swap;
    }
    long aFloor = a.counter() - a.values().size();
    long bFloor = b.counter() - b.values().size();
    if (aFloor >= bFloor) {
      return a;
    }
    // b superseded dots above aFloor: keep a's values with dots above bFloor only.
    int keep = (int) (a.counter() - bFloor);
    return new Entry(a.counter(), a.values().subList(0, keep));
  }

  /** The causal context: every dot this state has seen. A read hands it to the client. */
  public VersionVector context() {
    TreeMap<Actor, Long> counters = new TreeMap<>();
    entries.forEach((actor, entry) -> counters.put(actor, entry.counter()));
    return VersionVector.of(counters);
  }

  /** The siblings, in actor order, newest dot first within an actor. */
  public List<Sibling> siblings() {
    List<Sibling> siblings = new ArrayList<>();
    for (Map.Entry<Actor, Entry> entry : entries.entrySet()) {
      long counter = entry.getValue().counter();
      for (Version version : entry.getValue().values()) {
        siblings.add(
            new Sibling(new Dot(entry.getKey(), counter--), version.timestamp(), version.value()));
      }
    }
    return siblings;
  }

  public int siblingCount() {
    int count = 0;
    for (Entry entry : entries.values()) {
      count += entry.values().size();
    }
    return count;
  }

  /** The sibling a plain GET returns ({@link Sibling#WINNER_ORDER}); empty if none. */
  public Optional<Sibling> winner() {
    return siblings().stream().max(Sibling.WINNER_ORDER);
  }

  /** The highest timestamp of any sibling, 0 if none: the cell's timestamp on a replica. */
  public long maxTimestamp() {
    long max = 0;
    for (Entry entry : entries.values()) {
      for (Version version : entry.values()) {
        max = Math.max(max, version.timestamp());
      }
    }
    return max;
  }

  /** True if every sibling is a tombstone (or there is none): the key reads as absent. */
  public boolean isDeleted() {
    for (Entry entry : entries.values()) {
      for (Version version : entry.values()) {
        if (version.value() != null) {
          return false;
        }
      }
    }
    return true;
  }

  /** True if this holds everything {@code other} does: joining it changes nothing. */
  public boolean descends(DvvSet other) {
    return sync(other).equals(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DvvSet other && siblingsAndContextEqual(other);
  }

  private boolean siblingsAndContextEqual(DvvSet other) {
    return context().equals(other.context()) && siblings().equals(other.siblings());
  }

  @Override
  public int hashCode() {
    return 31 * context().hashCode() + siblings().hashCode();
  }

  @Override
  public String toString() {
    return "DvvSet{context=" + context() + ", siblings=" + siblings() + "}";
  }
}
