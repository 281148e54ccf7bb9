package io.ringkv.cluster.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An add-wins observed-remove set without tombstones (the ORSWOT of Bieniusa et al., "An optimized
 * conflict-free replicated set", 2012; Riak's {@code riak_dt_orswot}), merged on the server, never
 * siblings.
 *
 * <p>State: a causal context (a {@link VersionVector}: every add dot this state has seen) and, per
 * present element, the dots of the adds that put it there. An add at a replica takes the actor's
 * next dot and replaces the element's dots (it observed them). A remove drops the element's dots;
 * they stay covered by the context, which is what removes them elsewhere. The join keeps a dot iff
 * both sides hold it or the side without it has not seen it: an add concurrent with a remove (not
 * seen by it) survives, so adds win.
 *
 * <p>Compaction: removed elements leave nothing behind (no tombstones); the context is a vector,
 * not a dot cloud ({@link VersionVector} says why that is exact); an element holds at most one dot
 * per actor (an actor's newer add replaces its older dot, and the join drops an older dot the other
 * side has seen). So the size is O(elements × concurrent adders + actors).
 *
 * <p>Immutable and thread-safe; pure.
 */
public final class OrSet {
  private static final OrSet EMPTY = new OrSet(VersionVector.empty(), new TreeMap<>());

  /** An element: bytes, compared unsigned. */
  private record Element(byte[] bytes) implements Comparable<Element> {
    @Override
    public int compareTo(Element other) {
      return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Element other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  private final VersionVector context;
  private final NavigableMap<Element, NavigableSet<Dot>> entries;

  private OrSet(VersionVector context, NavigableMap<Element, NavigableSet<Dot>> entries) {
    this.context = context;
    this.entries = entries;
  }

  public static OrSet empty() {
    return EMPTY;
  }

  /**
   * A set from its parts, for decoders: every dot must be covered by {@code context} and every
   * element must have at least one dot.
   */
  public static OrSet of(VersionVector context, Map<byte[], ? extends Iterable<Dot>> elements) {
    Objects.requireNonNull(context, "context");
    TreeMap<Element, NavigableSet<Dot>> entries = new TreeMap<>();
    for (Map.Entry<byte[], ? extends Iterable<Dot>> entry : elements.entrySet()) {
      TreeSet<Dot> dots = new TreeSet<>();
      for (Dot dot : entry.getValue()) {
        if (!context.covers(dot)) {
          throw new IllegalArgumentException(
              "set element dot " + dot + " is not covered by the set's context " + context);
        }
        dots.add(dot);
      }
      if (dots.isEmpty()) {
        throw new IllegalArgumentException("set element without dots");
      }
      if (entries.put(new Element(entry.getKey().clone()), dots) != null) {
        throw new IllegalArgumentException("set element given twice");
      }
    }
    return new OrSet(context, entries);
  }

  /**
   * Adds {@code element} as {@code actor} (at its replica): a new dot replaces the observed ones.
   */
  public OrSet add(Actor actor, byte[] element) {
    Objects.requireNonNull(element, "element");
    Dot dot = new Dot(actor, context.get(actor) + 1);
    TreeMap<Element, NavigableSet<Dot>> next = new TreeMap<>(entries);
    TreeSet<Dot> dots = new TreeSet<>();
    dots.add(dot);
    next.put(new Element(element.clone()), dots);
    return new OrSet(context.with(actor, dot.counter()), next);
  }

  /** Removes {@code element} as observed here; this if absent. */
  public OrSet remove(byte[] element) {
    Element key = new Element(element);
    if (!entries.containsKey(key)) {
      return this;
    }
    TreeMap<Element, NavigableSet<Dot>> next = new TreeMap<>(entries);
    next.remove(key);
    return new OrSet(context, next);
  }

  /**
   * Removes only the adds of {@code element} that {@code observed} covers (a remove carrying the
   * context a client read): adds it did not see stay.
   */
  public OrSet remove(byte[] element, VersionVector observed) {
    Element key = new Element(element);
    NavigableSet<Dot> dots = entries.get(key);
    if (dots == null) {
      return this;
    }
    TreeSet<Dot> left = new TreeSet<>();
    for (Dot dot : dots) {
      if (!observed.covers(dot)) {
        left.add(dot);
      }
    }
    TreeMap<Element, NavigableSet<Dot>> next = new TreeMap<>(entries);
    if (left.isEmpty()) {
      next.remove(key);
    } else {
      next.put(key, left);
    }
    return new OrSet(context, next);
  }

  /** The join (see the class comment). */
  public OrSet merge(OrSet other) {
    if (other == this || other.context.isEmpty() && other.entries.isEmpty()) {
      return this;
    }
    TreeMap<Element, NavigableSet<Dot>> joined = new TreeMap<>();
    NavigableSet<Dot> none = Collections.emptyNavigableSet();
    for (Map.Entry<Element, NavigableSet<Dot>> entry : entries.entrySet()) {
      NavigableSet<Dot> theirs = other.entries.getOrDefault(entry.getKey(), none);
      keep(joined, entry.getKey(), entry.getValue(), context, theirs, other.context);
    }
    for (Map.Entry<Element, NavigableSet<Dot>> entry : other.entries.entrySet()) {
      if (!entries.containsKey(entry.getKey())) {
        keep(joined, entry.getKey(), none, context, entry.getValue(), other.context);
      }
    }
    return new OrSet(context.join(other.context), joined);
  }

  /** Keeps the dots both sides hold, and those one side holds that the other has not seen. */
  private static void keep(
      TreeMap<Element, NavigableSet<Dot>> joined,
      Element element,
      NavigableSet<Dot> ours,
      VersionVector ourContext,
      NavigableSet<Dot> theirs,
      VersionVector theirContext) {
    TreeSet<Dot> kept = new TreeSet<>();
    for (Dot dot : ours) {
      if (theirs.contains(dot) || !theirContext.covers(dot)) {
        kept.add(dot);
      }
    }
    for (Dot dot : theirs) {
      if (!ours.contains(dot) && !ourContext.covers(dot)) {
        kept.add(dot);
      }
    }
    if (!kept.isEmpty()) {
      joined.put(element, kept);
    }
  }

  public VersionVector context() {
    return context;
  }

  public boolean contains(byte[] element) {
    return entries.containsKey(new Element(element));
  }

  public int size() {
    return entries.size();
  }

  /** The elements in unsigned byte order; copies. */
  public List<byte[]> members() {
    List<byte[]> members = new ArrayList<>(entries.size());
    for (Element element : entries.keySet()) {
      members.add(element.bytes().clone());
    }
    return members;
  }

  /** The add dots of each element, in element order; for encoders. */
  public List<Map.Entry<byte[], NavigableSet<Dot>>> dots() {
    List<Map.Entry<byte[], NavigableSet<Dot>>> dots = new ArrayList<>(entries.size());
    for (Map.Entry<Element, NavigableSet<Dot>> entry : entries.entrySet()) {
      dots.add(
          Map.entry(
              entry.getKey().bytes(), Collections.unmodifiableNavigableSet(entry.getValue())));
    }
    return dots;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrSet other
        && context.equals(other.context)
        && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return 31 * context.hashCode() + entries.hashCode();
  }

  @Override
  public String toString() {
    return "OrSet{size=" + entries.size() + ", context=" + context + "}";
  }
}
