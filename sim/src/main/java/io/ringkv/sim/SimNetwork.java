package io.ringkv.sim;

import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A simulated network between named nodes, for any message type {@code M}. Each message sent is
 * dropped with the link's loss probability, or delivered once, or twice (a duplicate), each copy
 * after its own random delay within the configured range; since delays are independent, messages
 * overtake each other (reordering falls out). Links are directed and can be cut one way ({@code A
 * -> B} cut while {@code B -> A} works) or both (a partition is a set of cuts); a cut loses what is
 * sent over it and what is in flight on it when it arrives. A directed link can also be made lossy
 * on top of the network-wide loss.
 *
 * <p>Arrival is the receiving side's business ({@link Endpoints#arrive}): delivered, held (a frozen
 * process whose socket still accepts), lost (a machine that is off), or refused (the machine is up
 * but nothing listens: a TCP reset). A refusal reaches the sender, after a return delay and if the
 * way back is not cut, with probability {@link Faults#refusedProbability()}; otherwise the attempt
 * just times out, which the sender does not hear of.
 *
 * <p>Every send and every fate goes to the {@link Trace} with a message number, so that a replay
 * shows where each message went.
 *
 * <p>Bounds: at most {@link #IN_FLIGHT_MESSAGES_MAX} messages in flight (more are dropped and
 * counted: a runaway sender). Not thread-safe: owned by the simulation's one thread.
 */
public final class SimNetwork<M> {
  /** The most messages in flight at once. */
  public static final int IN_FLIGHT_MESSAGES_MAX = 100_000;

  /** What became of a message that reached its destination's machine. */
  public enum Arrival {
    /** The process took it. */
    DELIVERED,
    /** The process is paused; the message waits in its socket and is taken later. */
    HELD,
    /** Nothing listens: the machine answers with a reset. */
    REFUSED,
    /** The machine does not answer at all. */
    LOST
  }

  /** The nodes' side: taking messages, and hearing of refusals. */
  public interface Endpoints<M> {
    /** {@code message} from {@code from} arrives at {@code to}, now. */
    Arrival arrive(String from, String to, M message);

    /**
     * A connection from {@code sender} to {@code destination}, attempted at true time {@code
     * attemptNanos} (when the message was sent), was refused, as heard now.
     */
    void refused(String sender, String destination, long attemptNanos);
  }

  /** Hears of every change to a link's cut or loss. */
  public interface LinkListener {
    void onLinkChanged(String from, String to);
  }

  /**
   * Network-wide fault settings.
   *
   * @param delayMinNanos the shortest one-way delay
   * @param delayMaxNanos the longest one-way delay
   * @param dropProbability the chance that a message is lost on any link
   * @param duplicateProbability the chance that a message not lost is delivered twice
   * @param refusedProbability the chance that a refused connection is reported to the sender
   */
  public record Faults(
      long delayMinNanos,
      long delayMaxNanos,
      double dropProbability,
      double duplicateProbability,
      double refusedProbability) {
    public Faults {
      if (delayMinNanos <= 0 || delayMaxNanos < delayMinNanos) {
        throw new IllegalArgumentException(
            "delays must satisfy 0 < delayMinNanos <= delayMaxNanos, were "
                + delayMinNanos
                + " and "
                + delayMaxNanos);
      }
      checkProbability("dropProbability", dropProbability);
      checkProbability("duplicateProbability", duplicateProbability);
      checkProbability("refusedProbability", refusedProbability);
    }

    /** A healthy LAN: 100 to 500 microseconds, nothing lost, refusals always heard. */
    public static Faults none() {
      return new Faults(100 * SimTime.MICROSECOND_NANOS, 500 * SimTime.MICROSECOND_NANOS, 0, 0, 1);
    }

    /** These settings without loss. */
    public Faults withoutLoss() {
      return new Faults(delayMinNanos, delayMaxNanos, 0, duplicateProbability, refusedProbability);
    }

    /** These settings with another chance that a refused connection is reported. */
    public Faults withRefusedProbability(double probability) {
      return new Faults(
          delayMinNanos, delayMaxNanos, dropProbability, duplicateProbability, probability);
    }

    /** These settings with another loss probability. */
    public Faults withDropProbability(double probability) {
      return new Faults(
          delayMinNanos, delayMaxNanos, probability, duplicateProbability, refusedProbability);
    }

    private static void checkProbability(String field, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException(field + " must be in [0, 1], was " + value);
      }
    }
  }

  /**
   * Counts since the network was built.
   *
   * @param sent messages handed to the network
   * @param dropped lost to the loss probability
   * @param duplicated delivered twice
   * @param lostToCuts sent over, or arriving on, a cut link
   * @param delivered taken by the receiving process (held messages included when taken)
   * @param held waited in a paused process's socket
   * @param refusals refused connections reported to senders
   * @param unanswered arrivals at a machine that was off or whose reset was not heard
   * @param overflowed dropped because {@link #IN_FLIGHT_MESSAGES_MAX} were in flight
   */
  public record Stats(
      long sent,
      long dropped,
      long duplicated,
      long lostToCuts,
      long delivered,
      long held,
      long refusals,
      long unanswered,
      long overflowed) {}

  private final Simulation simulation;
  private final Rng rng;
  private final Endpoints<M> endpoints;
  private final Function<M, String> describe;
  private final TreeMap<String, Integer> indexes = new TreeMap<>();
  private final List<String> names;
  private final int[][] cuts;
  private final double[][] linkLoss;
  private final List<LinkListener> listeners = new ArrayList<>();
  private Faults faults;
  private long messageNumber;
  private int inFlight;

  private long sent;
  private long dropped;
  private long duplicated;
  private long lostToCuts;
  private long delivered;
  private long held;
  private long refusals;
  private long unanswered;
  private long overflowed;

  /**
   * A network between {@code names}.
   *
   * @param describe a message's one-line text for the trace (stable text only)
   */
  public SimNetwork(
      Simulation simulation,
      List<String> names,
      Faults faults,
      Endpoints<M> endpoints,
      Function<M, String> describe) {
    this.simulation = Objects.requireNonNull(simulation, "simulation");
    this.rng = simulation.rng().fork();
    this.faults = Objects.requireNonNull(faults, "faults");
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.describe = Objects.requireNonNull(describe, "describe");
    this.names = List.copyOf(names);
    for (String name : this.names) {
      if (indexes.put(name, indexes.size()) != null) {
        throw new IllegalArgumentException("node " + name + " is named twice");
      }
    }
    cuts = new int[names.size()][names.size()];
    linkLoss = new double[names.size()][names.size()];
  }

  public void addListener(LinkListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public Faults faults() {
    return faults;
  }

  /** Changes the network-wide settings from now on (messages in flight keep their delays). */
  public void setFaults(Faults newFaults) {
    this.faults = Objects.requireNonNull(newFaults, "faults");
    for (String from : names) {
      for (String to : names) {
        if (!from.equals(to)) {
          notifyListeners(from, to);
        }
      }
    }
  }

  /** The node names, in the order given. */
  public List<String> names() {
    return names;
  }

  // --- links ---

  /** Cuts {@code from -> to} (cuts nest: each must be {@link #restore restored}). */
  public void cut(String from, String to) {
    cuts[index(from)][index(to)]++;
    notifyListeners(from, to);
  }

  /** Undoes one {@link #cut} of {@code from -> to}. */
  public void restore(String from, String to) {
    int[] row = cuts[index(from)];
    int column = index(to);
    if (row[column] == 0) {
      throw new IllegalStateException(from + " -> " + to + " is not cut");
    }
    row[column]--;
    notifyListeners(from, to);
  }

  /** Whether {@code from -> to} is cut. */
  public boolean isCut(String from, String to) {
    return cuts[index(from)][index(to)] > 0;
  }

  /** Makes {@code from -> to} lose {@code probability} of its messages on top of the network's. */
  public void setLinkLoss(String from, String to, double probability) {
    Faults.checkProbability("link loss", probability);
    linkLoss[index(from)][index(to)] = probability;
    notifyListeners(from, to);
  }

  /** The chance that a message sent {@code from -> to} is lost, when the link is not cut. */
  public double lossProbability(String from, String to) {
    return 1 - (1 - faults.dropProbability()) * (1 - linkLoss[index(from)][index(to)]);
  }

  /** Restores every link and removes every link's own loss. */
  public void healAll() {
    for (int from = 0; from < names.size(); from++) {
      for (int to = 0; to < names.size(); to++) {
        if (cuts[from][to] != 0 || linkLoss[from][to] != 0) {
          cuts[from][to] = 0;
          linkLoss[from][to] = 0;
          notifyListeners(names.get(from), names.get(to));
        }
      }
    }
  }

  // --- messages ---

  /** Sends {@code message} from {@code from} to {@code to}, now. */
  public void send(String from, String to, M message) {
    long number = ++messageNumber;
    sent++;
    long sentAtNanos = simulation.nowNanos();
    simulation.trace("send #" + number + " " + describe.apply(message));
    if (isCut(from, to)) {
      lostToCuts++;
      simulation.trace("cut #" + number);
      return;
    }
    if (rng.chance(lossProbability(from, to))) {
      dropped++;
      simulation.trace("drop #" + number);
      return;
    }
    int copies = rng.chance(faults.duplicateProbability()) ? 2 : 1;
    if (copies == 2) {
      duplicated++;
      simulation.trace("dup #" + number);
    }
    for (int i = 0; i < copies; i++) {
      if (inFlight >= IN_FLIGHT_MESSAGES_MAX) {
        overflowed++;
        simulation.trace("overflow #" + number);
        continue;
      }
      inFlight++;
      simulation.after(delay(), () -> arrive(number, sentAtNanos, from, to, message));
    }
  }

  public Stats stats() {
    return new Stats(
        sent, dropped, duplicated, lostToCuts, delivered, held, refusals, unanswered, overflowed);
  }

  private void arrive(long number, long sentAtNanos, String from, String to, M message) {
    inFlight--;
    if (isCut(from, to)) {
      lostToCuts++;
      simulation.trace("cut #" + number);
      return;
    }
    simulation.trace("arrive #" + number);
    Arrival arrival = endpoints.arrive(from, to, message);
    switch (arrival) {
      case DELIVERED -> delivered++;
      case HELD -> {
        held++;
        simulation.trace("held #" + number);
      }
      case LOST -> {
        unanswered++;
        simulation.trace("lost #" + number);
      }
      case REFUSED -> {
        if (rng.chance(faults.refusedProbability())) {
          simulation.trace("refused #" + number);
          simulation.after(
              delay(),
              () -> {
                if (isCut(to, from)) {
                  unanswered++;
                  simulation.trace("reset lost #" + number);
                } else {
                  refusals++;
                  endpoints.refused(from, to, sentAtNanos);
                }
              });
        } else {
          unanswered++;
          simulation.trace("timeout #" + number);
        }
      }
    }
  }

  /** Counts a message taken later by a process that held it (see {@link Arrival#HELD}). */
  public void deliveredLate() {
    delivered++;
  }

  private long delay() {
    return faults.delayMinNanos()
        + rng.nextLong(faults.delayMaxNanos() - faults.delayMinNanos() + 1);
  }

  private int index(String name) {
    Integer index = indexes.get(name);
    if (index == null) {
      throw new IllegalArgumentException("no node named " + name + " in " + names);
    }
    return index;
  }

  private void notifyListeners(String from, String to) {
    for (LinkListener listener : listeners) {
      listener.onLinkChanged(from, to);
    }
  }
}
