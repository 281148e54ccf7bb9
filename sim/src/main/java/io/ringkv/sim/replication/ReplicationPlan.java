package io.ringkv.sim.replication;

import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimClock;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Trace;
import io.ringkv.storage.Durability;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Everything one seed decides about a replication run, drawn from the seed: swarm testing (Groce et
 * al., "Swarm Testing", ISSTA 2012), as for membership. Each fault is enabled with probability 1/2
 * at a random rate; the cluster's size, tokens, durability, hint settings, sloppy quorum,
 * background repair, detector threshold, clocks, network and workload mix are drawn too.
 *
 * <p>Clocks: monotonic clocks have random offsets and drifts as in the membership simulation; wall
 * clocks are skewed within the skew bound (each within {@link #WALL_OFFSET_MAX_MILLIS} of true
 * time, so any two within twice that, under the 500 ms bound) and stepped within it now and then.
 *
 * <p>Immutable. {@link #describe()} prints it on one line.
 */
public final class ReplicationPlan {
  /** How far a wall clock may be from true time: pairs stay within the 500 ms skew bound. */
  public static final long WALL_OFFSET_MAX_MILLIS = 230;

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
    /** A node's monotonic clock jumping forward or backward. */
    CLOCK_JUMP,
    /** A node's wall clock stepped to another offset within the bound. */
    WALL_CLOCK_STEP,
    /**
     * A node's next fsync failing: its engine's (the node stops; restarted after a while) or its
     * hint log's.
     */
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
  private final int tokensPerNode;
  private final double phiThreshold;
  private final Durability durability;
  private final boolean sloppyQuorum;
  private final boolean hintsEnabled;
  private final long hintBytesPerTargetMax;
  private final long hintWindowMillis;
  private final long hintSegmentBytes;
  private final long hintThrottleBytesPerSecond;
  private final double backgroundRepairChance;
  private final List<Long> clockOffsetsNanos;
  private final List<Double> clockDriftsPpm;
  private final List<Long> wallOffsetsMillis;
  private final List<Double> wallDriftsPpm;
  private final long workloadStartNanos;
  private final long chaosStartNanos;
  private final long chaosEndNanos;
  private final SimNetwork.Faults network;
  private final EnumMap<Fault, Rate> faults;
  private final double powerLossShare;
  private final double backwardJumpShare;
  private final long setIntervalNanos;
  private final double setReadShare;
  private final int registers;
  private final int registerReaders;
  private final double readBackShare;
  private final int coverageKeys;
  private final long coverageIntervalNanos;

  private ReplicationPlan(long seed) {
    this.seed = seed;
    Rng rng = new Rng(seed);
    simulationSeed = rng.nextLong();
    nodeCount = rng.nextInt(3, 6);
    tokensPerNode = new int[] {1, 4, 8, 16}[rng.nextInt(4)];
    phiThreshold = Math.round((5 + 7 * rng.nextDouble()) * 10) / 10.0;
    double durabilityRoll = rng.nextDouble();
    durability =
        durabilityRoll < 0.7
            ? Durability.SYNC
            : durabilityRoll < 0.85 ? Durability.PERIODIC : Durability.NONE;
    sloppyQuorum = rng.chance(0.25);
    hintsEnabled = rng.chance(0.9);
    // Small bounds and segments stay above the largest causal object plus a key, as the server
    // sizes them above its largest cell (a hint must fit in a segment).
    long hintBytesMin = CausalWorkload.OBJECT_BYTES_MAX + 1024;
    hintBytesPerTargetMax = rng.chance(0.2) ? hintBytesMin + rng.nextInt(8 * 1024) : 1L << 30;
    // Short windows only without sloppy quorum: a stand-in's hint that expires unsent leaves an
    // acknowledged write on fewer than a quorum of replicas (repair debt;
    // docs/design/simulator.md).
    boolean shortWindow = rng.chance(0.2) && !sloppyQuorum;
    hintWindowMillis = shortWindow ? 2_000 + rng.nextInt(18_000) : 3L * 3_600_000;
    hintSegmentBytes = rng.chance(0.5) ? 8L << 20 : hintBytesMin + rng.nextInt(8 * 1024);
    hintThrottleBytesPerSecond = rng.chance(0.5) ? 1 << 20 : 4096 + rng.nextInt(60_000);
    backgroundRepairChance = new double[] {0, 0, 0.1, 1}[rng.nextInt(4)];
    boolean drifting = rng.chance(0.5);
    double driftMax = drifting ? 10 + rng.nextInt(990) : 0;
    List<Long> offsets = new ArrayList<>();
    List<Double> drifts = new ArrayList<>();
    List<Long> walls = new ArrayList<>();
    List<Double> wallDrifts = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      offsets.add(rng.nextLong() >> 4);
      drifts.add(drifting ? Math.round((2 * rng.nextDouble() - 1) * driftMax * 10) / 10.0 : 0.0);
      walls.add(rng.nextLong(2 * WALL_OFFSET_MAX_MILLIS + 1) - WALL_OFFSET_MAX_MILLIS);
      wallDrifts.add(Math.round((2 * rng.nextDouble() - 1) * 50 * 10) / 10.0);
    }
    clockOffsetsNanos = List.copyOf(offsets);
    clockDriftsPpm = List.copyOf(drifts);
    wallOffsetsMillis = List.copyOf(walls);
    wallDriftsPpm = List.copyOf(wallDrifts);
    workloadStartNanos = SimTime.seconds(2);
    chaosStartNanos = SimTime.millis(2_000 + rng.nextInt(4_000));
    chaosEndNanos = chaosStartNanos + SimTime.seconds(15 + rng.nextInt(31));

    long delayMin = 50 * SimTime.MICROSECOND_NANOS + rng.nextLong(2 * SimTime.MILLISECOND_NANOS);
    long delaySpread =
        rng.chance(0.7)
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
        long interval = SimTime.seconds(3 + rng.nextInt(18));
        long duration =
            fault == Fault.CLOCK_JUMP
                ? SimTime.millis(100 + rng.nextInt(10_000))
                : SimTime.seconds(1 + rng.nextInt(15));
        faults.put(fault, new Rate(interval, duration));
      }
    }
    powerLossShare = rng.chance(0.5) ? 0.5 : rng.nextDouble();
    backwardJumpShare = rng.nextDouble() * 0.5;
    setIntervalNanos = SimTime.millis(150 + rng.nextInt(350));
    setReadShare = 0.3 * rng.nextDouble();
    registers = rng.nextInt(1, 5);
    registerReaders = rng.nextInt(0, 4);
    readBackShare = 0.5 + 0.5 * rng.nextDouble();
    coverageKeys = rng.nextInt(4, 20);
    coverageIntervalNanos = SimTime.millis(200 + rng.nextInt(800));
  }

  /** The plan of {@code seed}. */
  public static ReplicationPlan of(long seed) {
    return new ReplicationPlan(seed);
  }

  /** The nodes' settings: the defaults, with this plan's choices. */
  public NodeSettings settings() {
    return NodeSettings.defaults()
        .withDetector(FailureDetectorConfig.defaults().withPhiConvictThreshold(phiThreshold))
        .withDurability(durability)
        .withSloppyQuorum(sloppyQuorum)
        .withHints(
            hintsEnabled,
            hintWindowMillis,
            hintBytesPerTargetMax,
            hintSegmentBytes,
            hintThrottleBytesPerSecond,
            16 << 10,
            SimTime.seconds(1))
        .withBackgroundRepairChance(backgroundRepairChance);
  }

  /** The cluster this plan describes, not yet started, tracing to {@code trace}. */
  public ReplicatedCluster build(Trace trace) {
    ReplicatedCluster.Builder builder =
        ReplicatedCluster.builder(simulationSeed)
            .nodes(nodeCount)
            .tokensPerNode(tokensPerNode)
            .settings(settings())
            .network(network)
            .trace(trace);
    for (int i = 0; i < nodeCount; i++) {
      String name = "n" + (i + 1);
      builder.clock(name, new SimClock(clockOffsetsNanos.get(i), clockDriftsPpm.get(i)));
      builder.wallClock(name, wallOffsetsMillis.get(i), wallDriftsPpm.get(i));
    }
    return builder.build();
  }

  public long seed() {
    return seed;
  }

  public int nodeCount() {
    return nodeCount;
  }

  public Durability durability() {
    return durability;
  }

  public boolean sloppyQuorum() {
    return sloppyQuorum;
  }

  public long workloadStartNanos() {
    return workloadStartNanos;
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

  public double powerLossShare() {
    return powerLossShare;
  }

  public double backwardJumpShare() {
    return backwardJumpShare;
  }

  public long setIntervalNanos() {
    return setIntervalNanos;
  }

  public double setReadShare() {
    return setReadShare;
  }

  public int registers() {
    return registers;
  }

  public int registerReaders() {
    return registerReaders;
  }

  public double readBackShare() {
    return readBackShare;
  }

  public int coverageKeys() {
    return coverageKeys;
  }

  public long coverageIntervalNanos() {
    return coverageIntervalNanos;
  }

  /** One line: {@code 4 nodes tokens=8 SYNC sloppy hints=on ... faults=[crash/9.0s<=4.0s ...]}. */
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
        "%d nodes tokens=%d %s%s hints=%s(%s, window %s, segments %d B, %d B/s) repair=%.1f"
            + " phi=%.1f chaos=%s..%s"
            + " delay=%.2f..%.1fms drop=%.0f%% dup=%.0f%% reset=%.0f%% faults=%s"
            + " set/%s registers=%d+%d coverage=%d/%s",
        nodeCount,
        tokensPerNode,
        durability,
        sloppyQuorum ? " sloppy" : "",
        hintsEnabled ? "on" : "off",
        hintBytesPerTargetMax >= 1L << 30 ? "1GiB" : hintBytesPerTargetMax + "B",
        SimTime.formatShort(SimTime.millis(hintWindowMillis)),
        Math.min(hintSegmentBytes, hintBytesPerTargetMax),
        hintThrottleBytesPerSecond,
        backgroundRepairChance,
        phiThreshold,
        SimTime.formatShort(chaosStartNanos),
        SimTime.formatShort(chaosEndNanos),
        network.delayMinNanos() / 1e6,
        network.delayMaxNanos() / 1e6,
        network.dropProbability() * 100,
        network.duplicateProbability() * 100,
        network.refusedProbability() * 100,
        faultText,
        SimTime.formatShort(setIntervalNanos),
        registers,
        registerReaders,
        coverageKeys,
        SimTime.formatShort(coverageIntervalNanos));
  }

  private static double round(double probability) {
    return Math.round(probability * 1000) / 1000.0;
  }
}
