package io.ringkv.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What happened in one simulated run, one line per event ({@code <time> <what>}): every line is
 * folded into a running SHA-256, the trace hash, so that two runs of one seed can be compared
 * without keeping their traces; the last {@link #TAIL_LINES_MAX} lines are kept for the report of a
 * failing seed; and, when replaying one seed, every line can go to a sink as well.
 *
 * <p>Invariant: the hash covers exactly the lines added, in order, with their times. Lines must be
 * built from stable text only (sorted maps, fixed number formats), never from hash codes of objects
 * without a specified {@code hashCode} or from {@code HashMap} order.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class Trace {
  /** Lines kept for a failure report. */
  public static final int TAIL_LINES_MAX = 400;

  private final MessageDigest sha256;
  private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL_LINES_MAX);
  private final Consumer<String> sink;
  private long lineCount;

  /** A trace that keeps only its hash and tail. */
  public Trace() {
    this(line -> {});
  }

  /** A trace that also hands every line to {@code sink} (for replaying one seed). */
  public Trace(Consumer<String> sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Appends {@code what} at simulated time {@code nowNanos}. */
  public void add(long nowNanos, String what) {
    String line = SimTime.format(nowNanos) + " " + what;
    sha256.update(line.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) '\n');
    lineCount++;
    if (tail.size() == TAIL_LINES_MAX) {
      tail.removeFirst();
    }
    tail.addLast(line);
    sink.accept(line);
  }

  /** The SHA-256 of every line so far, in hex; the trace goes on. */
  public String hash() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
    }
  }

  /** The last lines, oldest first (at most {@link #TAIL_LINES_MAX}). */
  public List<String> tail() {
    return new ArrayList<>(tail);
  }

  public long lineCount() {
    return lineCount;
  }
}
