package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.cluster.membership.GossipConfig;
import io.ringkv.cluster.membership.MembershipConfig;
import io.ringkv.cluster.ring.TokenAllocator;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Trace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Everything one seed decides about a membership run, drawn at random from the seed: swarm testing
 * (Groce et al., "Swarm Testing", ISSTA 2012). Rather than every fault at a moderate rate in every
 * run, each run enables a random subset of the faults, each at a random intensity, and picks the
 * cluster's size, seeds and settings at random too, so that some runs are quiet enough for rare
 * interleavings of a few faults and others are storms.
 *
 * <p>Immutable. {@link #describe()} prints it on one line.
 */
public final class SwarmPlan {
  /** The faults a run may enable. */
  public enum Fault {
    /** Random splits of the nodes into two sides, healed after a while. */
    PARTITION,
    /** One direction of one link cut, the other working. */
    ONE_WAY_CUT,
    /** One direction of one link losing 30 to 90% of its messages. */
    LOSSY_LINK,
    /** A node killed, or its machine powered off; restarted after a while. */
    CRASH,
    /** A node paused, then resumed. */
    FREEZE,
    /** A node's clock jumping forward or backward. */
    CLOCK_JUMP,
    /** A node's next fsync failing, which stops it; restarted after a while. */
    SYNC_FAILURE
  }

  /**
   * How often a fault strikes and for how long.
   *
   * @param meanIntervalNanos mean time between two strikes (exponentially distributed)
   * @param durationMaxNanos the longest it lasts (uniform from a tenth of it); for clock jumps, the
   *     largest jump
   */
  public record Rate(long meanIntervalNanos, long durationMaxNanos) {}

  private final long seed;
  private final long simulationSeed;
  private final int nodeCount;
  private final List<String> seeds;
  private final double phiThreshold;
  private final long ringDelayNanos;
  private final long joinWaitMaxNanos;
  private final int numTokens;
  private final int datacenters;
  private final List<Long> startAtNanos;
  private final List<Long> clockOffsetsNanos;
  private final List<Double> clockDriftsPpm;
  private final long chaosStartNanos;
  private final long chaosEndNanos;
  private final SimNetwork.Faults network;
  private final EnumMap<Fault, Rate> faults;
  private final double powerLossShare;
  private final double backwardJumpShare;
  private final long loadChangeIntervalNanos;
  private final StopKind finalStop;

  private SwarmPlan(long seed) {
    this.seed = seed;
    Rng rng = new Rng(seed);
    simulationSeed = rng.nextLong();
    nodeCount = rng.nextInt(3, 8);
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      names.add("n" + i);
    }
    shuffle(names, rng);
    List<String> chosen =
        new ArrayList<>(names.subList(0, 1 + rng.nextInt(Math.min(3, nodeCount))));
    Collections.sort(chosen);
    seeds = List.copyOf(chosen);
    phiThreshold = Math.round((5 + 7 * rng.nextDouble()) * 10) / 10.0;
    ringDelayNanos = SimTime.millis(500 + rng.nextInt(4_500));
    joinWaitMaxNanos = ringDelayNanos + SimTime.seconds(5 + rng.nextInt(26));
    numTokens = new int[] {1, 4, 8, 16}[rng.nextInt(4)];
    datacenters = rng.chance(0.3) ? 2 : 1;
    long startSpread = rng.chance(0.3) ? 0 : SimTime.millis(rng.nextInt(10_000));
    boolean drifting = rng.chance(0.5);
    double driftMax = drifting ? 10 + rng.nextInt(990) : 0;
    List<Long> starts = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    List<Double> drifts = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      starts.add(startSpread == 0 ? 0 : rng.nextLong(startSpread));
      offsets.add(rng.nextLong() >> 4);
      drifts.add(drifting ? Math.round((2 * rng.nextDouble() - 1) * driftMax * 10) / 10.0 : 0.0);
    }
    startAtNanos = List.copyOf(starts);
    clockOffsetsNanos = List.copyOf(offsets);
    clockDriftsPpm = List.copyOf(drifts);
    chaosStartNanos = rng.chance(0.3) ? 0 : SimTime.seconds(10 + rng.nextInt(21));
    chaosEndNanos = chaosStartNanos + SimTime.seconds(60 + rng.nextInt(61));

    long delayMin = 50 * SimTime.MICROSECOND_NANOS + rng.nextLong(2 * SimTime.MILLISECOND_NANOS);
    long delaySpread =
        rng.chance(0.5)
            ? rng.nextLong(20 * SimTime.MILLISECOND_NANOS)
            : rng.nextLong(800 * SimTime.MILLISECOND_NANOS);
    double drop = rng.chance(0.5) ? 0.3 * rng.nextDouble() : 0;
    double duplicate = rng.chance(0.3) ? 0.1 * rng.nextDouble() : 0;
    double refused = rng.chance(0.5) ? 1 : rng.nextDouble();
    network =
        new SimNetwork.Faults(
            delayMin, delayMin + delaySpread, round(drop), round(duplicate), round(refused));

    faults = new EnumMap<>(Fault.class);
    for (Fault fault : Fault.values()) {
      if (rng.chance(0.5)) {
        long interval = SimTime.seconds(5 + rng.nextInt(36));
        long duration =
            fault == Fault.CLOCK_JUMP
                ? SimTime.millis(100 + rng.nextInt(30_000))
                : SimTime.seconds(2 + rng.nextInt(39));
        faults.put(fault, new Rate(interval, duration));
      }
    }
    powerLossShare = rng.chance(0.5) ? 0.5 : rng.nextDouble();
    backwardJumpShare = rng.nextDouble() * 0.5;
    loadChangeIntervalNanos = SimTime.seconds(2 + rng.nextInt(20));
    StopKind[] finals = {StopKind.PROCESS_KILL, StopKind.POWER_LOSS, StopKind.FREEZE};
    finalStop = finals[rng.nextInt(finals.length)];
  }

  /** The plan of {@code seed}. */
  public static SwarmPlan of(long seed) {
    return new SwarmPlan(seed);
  }

  /** The cluster this plan describes, not yet started, tracing to {@code trace}. */
  public SimCluster build(Trace trace) {
    SimCluster.Builder builder =
        SimCluster.builder(simulationSeed)
            .nodes(nodeCount)
            .seeds(seeds.toArray(String[]::new))
            .membership(membershipConfig())
            .network(network)
            .trace(trace);
    for (int i = 0; i < nodeCount; i++) {
      String name = "n" + (i + 1);
      builder.place(name, "dc" + (1 + i % datacenters), "rack" + (1 + i / datacenters % 2));
      builder.clock(name, new SimClock(clockOffsetsNanos.get(i), clockDriftsPpm.get(i)));
    }
    return builder.build();
  }

  /** The membership settings: defaults, with this plan's threshold, tokens and join times. */
  public MembershipConfig membershipConfig() {
    GossipConfig gossip =
        GossipConfig.defaults()
            .withFailureDetector(
                FailureDetectorConfig.defaults().withPhiConvictThreshold(phiThreshold));
    return new MembershipConfig(
        gossip,
        numTokens,
        TokenAllocator.REPLICATION_FACTOR_DEFAULT,
        ringDelayNanos,
        joinWaitMaxNanos);
  }

  public long seed() {
    return seed;
  }

  public int nodeCount() {
    return nodeCount;
  }

  public List<String> seeds() {
    return seeds;
  }

  public double phiThreshold() {
    return phiThreshold;
  }

  public long joinWaitMaxNanos() {
    return joinWaitMaxNanos;
  }

  /** When node n{@code i + 1} starts. */
  public long startAtNanos(int i) {
    return startAtNanos.get(i);
  }

  public long chaosStartNanos() {
    return chaosStartNanos;
  }

  public long chaosEndNanos() {
    return chaosEndNanos;
  }

  public SimNetwork.Faults network() {
    return network;
  }

  /** The faults enabled, with their rates. */
  public Map<Fault, Rate> faults() {
    return Collections.unmodifiableMap(faults);
  }

  public boolean enabled(Fault fault) {
    return faults.containsKey(fault);
  }

  public Rate rate(Fault fault) {
    Rate rate = faults.get(fault);
    if (rate == null) {
      throw new IllegalArgumentException(fault + " is not enabled in this plan");
    }
    return rate;
  }

  /** The share of crashes that are power losses rather than process kills. */
  public double powerLossShare() {
    return powerLossShare;
  }

  /** The share of clock jumps that go backwards. */
  public double backwardJumpShare() {
    return backwardJumpShare;
  }

  public long loadChangeIntervalNanos() {
    return loadChangeIntervalNanos;
  }

  /** How the last act stops a node after convergence: a kill, a power loss or a freeze. */
  public StopKind finalStop() {
    return finalStop;
  }

  /** The largest clock drift of any node, in parts per million. */
  public double driftPpmMax() {
    double max = 0;
    for (double drift : clockDriftsPpm) {
      max = Math.max(max, Math.abs(drift));
    }
    return max;
  }

  /** One line: {@code 5 nodes seeds=[n2, n4] phi=7.3 ... faults=[CRASH/20s<=15s ...]}. */
  public String describe() {
    StringJoiner faultText = new StringJoiner(" ", "[", "]");
    for (Map.Entry<Fault, Rate> entry : faults.entrySet()) {
      faultText.add(
          entry.getKey().name().toLowerCase(Locale.ROOT)
              + "/"
              + SimTime.formatShort(entry.getValue().meanIntervalNanos())
              + "<="
              + SimTime.formatShort(entry.getValue().durationMaxNanos()));
    }
    return String.format(
        Locale.ROOT,
        "%d nodes seeds=%s phi=%.1f ringDelay=%s joinWait=%s tokens=%d dcs=%d drift<=%.0fppm"
            + " chaos=%s..%s delay=%.2f..%.1fms drop=%.0f%% dup=%.0f%% reset=%.0f%% faults=%s"
            + " last=%s",
        nodeCount,
        seeds,
        phiThreshold,
        SimTime.formatShort(ringDelayNanos),
        SimTime.formatShort(joinWaitMaxNanos),
        numTokens,
        datacenters,
        driftPpmMax(),
        SimTime.formatShort(chaosStartNanos),
        SimTime.formatShort(chaosEndNanos),
        network.delayMinNanos() / 1e6,
        network.delayMaxNanos() / 1e6,
        network.dropProbability() * 100,
        network.duplicateProbability() * 100,
        network.refusedProbability() * 100,
        faultText,
        finalStop);
  }

  private static double round(double probability) {
    return Math.round(probability * 1000) / 1000.0;
  }

  private static void shuffle(List<String> list, Rng rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      Collections.swap(list, i, rng.nextInt(i + 1));
    }
  }
}
