package io.ringkv.cluster.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The phi accrual failure detector (Hayashibara, Défago, Yared and Katayama, "The φ Accrual Failure
 * Detector", SRDS 2004), in the exponential form Cassandra uses. Instead of a yes/no verdict it
 * gives, per endpoint, a suspicion level phi that grows the longer no heartbeat arrives; the caller
 * turns it into up/down by a threshold.
 *
 * <p>Model. Phi is {@code -log10(P(no heartbeat for t))} where t is the time since the last
 * arrival. Modelling arrivals as a Poisson process, {@code P = exp(-t / mean)}, so {@code phi = t /
 * mean × log10(e)}: phi 8 means "if the endpoint were alive, a silence this long would happen with
 * probability 10^-8", reached after about 18.4 mean intervals. The paper (and Akka) use a normal
 * distribution instead, fitted to the mean and standard deviation of the window. We use the
 * exponential because our heartbeats are not sent directly at a fixed period: they are relayed by
 * gossip to a random peer each round, possibly through other nodes, so their arrivals are irregular
 * and skewed with a long tail, which a normal distribution with a small deviation would read as a
 * failure (false positives, flapping). The exponential needs only the mean, is pessimistic in the
 * right direction for such arrivals, and degrades gracefully when the window is small.
 *
 * <p>Window. Per endpoint, the last {@link FailureDetectorConfig#windowSamplesMax()} inter-arrival
 * times, starting with one high bootstrap sample; intervals longer than {@link
 * FailureDetectorConfig#intervalMaxNanos()} are outages and are left out; the mean has a floor
 * {@link FailureDetectorConfig#meanIntervalMinNanos()}.
 *
 * <p>Pauses of the observer. If {@link #interpret} was not called for longer than {@link
 * FailureDetectorConfig#localPauseMaxNanos()}, the observer itself was stopped (a GC pause, a
 * frozen VM, the simulator freezing the node); heartbeats that did arrive meanwhile were not
 * processed, so every endpoint would look silent. The rule, Cassandra's: after such a gap no
 * endpoint is convicted for another {@code localPauseMaxNanos}, time enough for a few gossip rounds
 * to bring fresh heartbeats. Up transitions are never held back.
 *
 * <p>Invariants: endpoints are held in sorted order, so {@link #interpret} reports transitions in
 * endpoint order; at most {@link FailureDetectorConfig#endpointsMax()} endpoints are tracked; an
 * endpoint is reported up only after at least one arrival.
 *
 * <p>Pure and not thread-safe: time is an argument, and the object is owned by one node loop.
 */
public final class PhiAccrualFailureDetector {
  /** log10(e) = 1 / ln(10): turns {@code t / mean} into phi. */
  public static final double PHI_FACTOR = 1.0 / Math.log(10.0);

  /**
   * One endpoint's change of verdict.
   *
   * @param endpoint the endpoint
   * @param up true if it is now considered alive, false if convicted
   * @param phi its phi when the verdict changed
   */
  public record Transition(String endpoint, boolean up, double phi) {
    public Transition {
      Objects.requireNonNull(endpoint, "endpoint");
    }
  }

  private final FailureDetectorConfig config;
  private final TreeMap<String, ArrivalWindow> windows = new TreeMap<>();
  private boolean interpreted;
  private long lastInterpretNanos;
  private long convictionsResumeNanos = Long.MIN_VALUE;
  private long localPauses;

  public PhiAccrualFailureDetector(FailureDetectorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public FailureDetectorConfig config() {
    return config;
  }

  /**
   * Records a heartbeat of {@code endpoint} arriving at {@code nowNanos}.
   *
   * @return false, and nothing recorded, if the endpoint is new and {@link
   *     FailureDetectorConfig#endpointsMax()} endpoints are already tracked
   */
  public boolean report(String endpoint, long nowNanos) {
    ArrivalWindow window = windows.get(endpoint);
    if (window == null) {
      if (windows.size() >= config.endpointsMax()) {
        return false;
      }
      window = new ArrivalWindow(config.windowSamplesMax());
      windows.put(endpoint, window);
    }
    window.arrive(nowNanos, config.bootstrapIntervalNanos(), config.intervalMaxNanos());
    return true;
  }

  /**
   * Forgets the arrival history of {@code endpoint} but keeps its verdict: used when it restarted
   * (a new process has a new rhythm, and the downtime is not a sample). Its next {@link #report}
   * starts a fresh window.
   */
  public void resetHistory(String endpoint) {
    ArrivalWindow window = windows.get(endpoint);
    if (window != null) {
      window.clearHistory();
    }
  }

  /**
   * Convicts {@code endpoint} at once on direct evidence that nothing runs there: a connection to
   * it was refused (no process listens on its port), which says more than any silence. It stays
   * down until a heartbeat arrives later than {@code nowNanos + holdNanos}, or its history is reset
   * because it restarted. The hold covers the heartbeats its process sent before it died, which may
   * still be spreading through gossip and would otherwise bring it back up for a while.
   *
   * @return the transition if the endpoint was up, empty if it was already down or is unknown
   */
  public Optional<Transition> convict(String endpoint, long nowNanos, long holdNanos) {
    ArrivalWindow window = windows.get(endpoint);
    if (window == null || !window.hasArrival()) {
      return Optional.empty();
    }
    window.holdDown(nowNanos + Math.max(0, holdNanos));
    if (!window.isUp()) {
      return Optional.empty();
    }
    window.setUp(false);
    return Optional.of(new Transition(endpoint, false, phi(window, nowNanos)));
  }

  /** Stops tracking {@code endpoint}. */
  public void remove(String endpoint) {
    windows.remove(endpoint);
  }

  /**
   * The suspicion level of {@code endpoint} at {@code nowNanos}: {@code (now - lastArrival) / mean
   * × log10(e)}, or 0 if it has no arrival.
   */
  public double phi(String endpoint, long nowNanos) {
    ArrivalWindow window = windows.get(endpoint);
    return window == null ? 0.0 : phi(window, nowNanos);
  }

  /** Whether {@code endpoint} is currently considered alive (as of the last {@link #interpret}). */
  public boolean isUp(String endpoint) {
    ArrivalWindow window = windows.get(endpoint);
    return window != null && window.isUp();
  }

  /** The endpoints tracked, sorted. */
  public SortedSet<String> endpoints() {
    return new TreeSet<>(windows.keySet());
  }

  /** How many pauses of the observer itself were detected (each suspended convictions). */
  public long localPauses() {
    return localPauses;
  }

  /** How many samples the window of {@code endpoint} holds (0 if unknown); for tests and status. */
  public int sampleCount(String endpoint) {
    ArrivalWindow window = windows.get(endpoint);
    return window == null ? 0 : window.sampleCount();
  }

  /**
   * Re-evaluates every endpoint at {@code nowNanos} and returns the verdicts that changed, in
   * endpoint order: down when phi exceeds the threshold (unless convictions are suspended after a
   * local pause), up when phi is at or under it (which, after a conviction, takes a new arrival).
   */
  public List<Transition> interpret(long nowNanos) {
    if (interpreted && nowNanos - lastInterpretNanos > config.localPauseMaxNanos()) {
      localPauses++;
      convictionsResumeNanos = nowNanos + config.localPauseMaxNanos();
    }
    interpreted = true;
    lastInterpretNanos = nowNanos;
    boolean mayConvict = nowNanos >= convictionsResumeNanos;
    List<Transition> transitions = new ArrayList<>();
    for (Map.Entry<String, ArrivalWindow> entry : windows.entrySet()) {
      ArrivalWindow window = entry.getValue();
      if (!window.hasArrival()) {
        continue; // reset by a restart and not heard from since: no evidence either way
      }
      double phi = phi(window, nowNanos);
      boolean suspected = phi > config.phiConvictThreshold();
      if (window.isUp() && suspected && mayConvict) {
        window.setUp(false);
        transitions.add(new Transition(entry.getKey(), false, phi));
      } else if (!window.isUp() && !suspected && window.arrivedSinceHold()) {
        window.setUp(true);
        transitions.add(new Transition(entry.getKey(), true, phi));
      }
    }
    return transitions;
  }

  private double phi(ArrivalWindow window, long nowNanos) {
    if (!window.hasArrival()) {
      return 0.0;
    }
    long silence = Math.max(0, nowNanos - window.lastArrivalNanos());
    return PHI_FACTOR * silence / window.meanNanos(config.meanIntervalMinNanos());
  }
}
