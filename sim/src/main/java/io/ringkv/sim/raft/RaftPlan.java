package io.ringkv.sim.raft;

import io.ringkv.common.Rng;
import io.ringkv.raft.RaftConfig;
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
 * Everything one seed decides about a Raft run, drawn from the seed: swarm testing (Groce et al.,
 * ISSTA 2012). Each fault is enabled with probability 1/2 at its own rate, and the group's size,
 * Raft's options (pre-vote, check-quorum, lease reads) and bounds (inflight appends, batch bytes,
 * uncommitted bytes, pending reads), the disk's segment size, how often members compact, the
 * clients' workload and patience, the network's delays, loss and duplicates and the clocks' drift
 * are drawn too, so that some runs are storms and others hold one fault long enough for rare
 * interleavings.
 *
 * <p>Lease reads are drawn only with check-quorum, with a lease at most {@code electionTimeoutTicks
 * - 2} ticks and drift at most {@link SimClock#DRIFT_PPM_LIMIT} (1%), and with frozen members
 * catching up their missed ticks on thaw: the clock assumption of docs/design/raft.md, with the
 * discreteness of ticks accounted for (see the "Simulation" section there).
 *
 * <p>Immutable. {@link #describe()} prints it on one line.
 */
public final class RaftPlan {
  /** The most keys a workload uses. */
  public static final int KEYS_MAX = 8;

  /** The most clients a run has. */
  public static final int CLIENTS_MAX = 8;

  /** The faults and operator actions a run may enable. */
  public enum Fault {
    /** A random split of the members (clients stay connected to all), healed after a while. */
    PARTITION,
    /** One direction of one link between members cut. */
    ONE_WAY_CUT,
    /** One direction of one link losing 30 to 90% of its packets. */
    LOSSY_LINK,
    /** A member killed or powered off (the leader half the time), restarted after a while. */
    CRASH,
    /** A member paused (the leader half the time), resumed after a while. */
    FREEZE,
    /** A member's next fsync fails, which stops it; restarted after a while. */
    SYNC_FAILURE,
    /** The operator adds, promotes, demotes or removes one member; retires removed ones. */
    MEMBERSHIP_CHANGE,
    /** The operator asks the leader to hand over to another voter. */
    LEADERSHIP_TRANSFER
  }

  /**
   * How often a fault strikes and for how long.
   *
   * @param meanIntervalNanos mean time between strikes (exponentially distributed)
   * @param durationMaxNanos the longest a strike lasts (uniform from a tenth of it)
   */
  public record Rate(long meanIntervalNanos, long durationMaxNanos) {}

  private final long seed;
  private final long simulationSeed;
  private final int voters;
  private final int spares;
  private final int electionTimeoutTicks;
  private final int heartbeatIntervalTicks;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final boolean leaseReads;
  private final int leaseDurationTicks;
  private final int inflightAppendsMax;
  private final int appendBytesMax;
  private final long uncommittedBytesMax;
  private final long committedBytesPerReadyMax;
  private final int pendingReadsMax;
  private final long segmentBytesMax;
  private final long compactEveryEntries;
  private final boolean catchUpTicksOnThaw;
  private final List<Double> driftsPpm;
  private final int clients;
  private final Workload workload;
  private final long clientStartNanos;
  private final long chaosStartNanos;
  private final long chaosEndNanos;
  private final SimNetwork.Faults network;
  private final EnumMap<Fault, Rate> faults;
  private final double powerLossShare;
  private final double leaderTargetShare;
  private final double decommissionShare;

  private RaftPlan(long seed) {
    this.seed = seed;
    Rng rng = new Rng(seed);
    simulationSeed = rng.nextLong();
    voters = rng.nextBoolean() ? 3 : 5;
    spares = rng.nextInt(3);
    electionTimeoutTicks = 8 + rng.nextInt(8);
    heartbeatIntervalTicks = 1 + rng.nextInt(3);
    preVote = rng.nextBoolean();
    checkQuorum = rng.nextBoolean();
    leaseReads = checkQuorum && rng.chance(0.4);
    leaseDurationTicks = Math.max(1, electionTimeoutTicks - 2 - rng.nextInt(4));
    inflightAppendsMax = rng.chance(0.5) ? 1 + rng.nextInt(4) : 256;
    appendBytesMax = rng.chance(0.5) ? 128 + rng.nextInt(384) : 64 << 10;
    uncommittedBytesMax = rng.chance(0.3) ? appendBytesMax * (2L + rng.nextInt(6)) : 16L << 20;
    committedBytesPerReadyMax = rng.chance(0.3) ? 64 + rng.nextInt(256) : 16L << 20;
    pendingReadsMax = rng.chance(0.3) ? 2 + rng.nextInt(8) : 4096;
    segmentBytesMax = rng.chance(0.5) ? 1024 + rng.nextInt(4096) : 64 << 10;
    compactEveryEntries = rng.chance(0.2) ? 0 : 10 + rng.nextInt(190);
    catchUpTicksOnThaw = leaseReads || rng.nextBoolean();
    boolean drifting = rng.nextBoolean();
    double driftMax = drifting ? 10 + rng.nextInt((int) SimClock.DRIFT_PPM_LIMIT - 10) : 0;
    List<Double> drifts = new ArrayList<>();
    for (int i = 0; i < voters + spares; i++) {
      drifts.add(drifting ? Math.round((2 * rng.nextDouble() - 1) * driftMax) * 1.0 : 0.0);
    }
    driftsPpm = List.copyOf(drifts);

    long delayMin = 50 * SimTime.MICROSECOND_NANOS + rng.nextLong(2 * SimTime.MILLISECOND_NANOS);
    long delaySpread =
        rng.chance(0.6)
            ? rng.nextLong(20 * SimTime.MILLISECOND_NANOS)
            : rng.nextLong(150 * SimTime.MILLISECOND_NANOS);
    double drop = rng.chance(0.5) ? round(0.2 * rng.nextDouble()) : 0;
    double duplicate = rng.chance(0.3) ? round(0.1 * rng.nextDouble()) : 0;
    double refused = rng.chance(0.5) ? 1 : round(rng.nextDouble());
    network = new SimNetwork.Faults(delayMin, delayMin + delaySpread, drop, duplicate, refused);

    clients = 1 + rng.nextInt(6);
    double readShare = round(0.2 + 0.4 * rng.nextDouble());
    double compareAndSetShare = round((1 - readShare) * rng.nextDouble());
    long roundTrip = 2 * network.delayMaxNanos();
    long attemptTimeout =
        Math.max(SimTime.millis(200), 3 * roundTrip) + rng.nextLong(SimTime.millis(800));
    workload =
        new Workload(
            1 + rng.nextInt(5),
            readShare,
            compareAndSetShare,
            rng.nextLong(SimTime.millis(100)),
            attemptTimeout,
            attemptTimeout * (4 + rng.nextInt(12)),
            rng.nextLong(SimTime.millis(50)));
    clientStartNanos = rng.nextLong(SimTime.millis(500));
    chaosStartNanos = rng.chance(0.3) ? 0 : SimTime.millis(1_000 + rng.nextInt(2_000));
    chaosEndNanos = chaosStartNanos + SimTime.seconds(10 + rng.nextInt(21));

    faults = new EnumMap<>(Fault.class);
    for (Fault fault : Fault.values()) {
      if (rng.chance(0.5)) {
        long interval = SimTime.millis(1_000 + rng.nextInt(9_000));
        long duration = SimTime.millis(500 + rng.nextInt(9_500));
        faults.put(fault, new Rate(interval, duration));
      }
    }
    powerLossShare = rng.chance(0.5) ? 0.5 : round(rng.nextDouble());
    leaderTargetShare = round(rng.nextDouble());
    decommissionShare = round(rng.nextDouble());
  }

  /** The plan of {@code seed}. */
  public static RaftPlan of(long seed) {
    return new RaftPlan(seed);
  }

  /** The group this plan describes, not yet started, tracing to {@code trace}. */
  public RaftCluster build(Trace trace) {
    return build(trace, PlantedBug.NONE);
  }

  /** The group this plan describes with a caller's mistake planted (for the checkers' tests). */
  public RaftCluster build(Trace trace, PlantedBug bug) {
    RaftCluster.Builder builder =
        RaftCluster.builder(simulationSeed)
            .plant(bug)
            .voters(voters)
            .spares(spares)
            .clients(clients, workload)
            .raftConfig(this::raftConfig)
            .network(network)
            .segmentBytesMax(segmentBytesMax)
            .compactEveryEntries(compactEveryEntries)
            .catchUpTicksOnThaw(catchUpTicksOnThaw)
            .trace(trace);
    for (int i = 0; i < voters + spares; i++) {
      builder.clock(RaftMember.nameOf(i + 1), new SimClock(0, driftsPpm.get(i)));
    }
    return builder.build();
  }

  /** The Raft settings of member {@code id}: the same for all but the id. */
  public RaftConfig raftConfig(long id) {
    return RaftConfig.builder(id)
        .electionTimeoutTicks(electionTimeoutTicks)
        .heartbeatIntervalTicks(heartbeatIntervalTicks)
        .preVote(preVote)
        .checkQuorum(checkQuorum)
        .leaseReads(leaseReads)
        .leaseDurationTicks(leaseDurationTicks)
        .inflightAppendsMax(inflightAppendsMax)
        .appendBytesMax(appendBytesMax)
        .entryBytesMax(Math.min(appendBytesMax, 4096))
        .inflightBytesMax(appendBytesMax * 4L)
        .uncommittedBytesMax(uncommittedBytesMax)
        .committedBytesPerReadyMax(committedBytesPerReadyMax)
        .pendingReadsMax(pendingReadsMax)
        .build();
  }

  public long seed() {
    return seed;
  }

  public int voters() {
    return voters;
  }

  public int spares() {
    return spares;
  }

  public boolean leaseReads() {
    return leaseReads;
  }

  public boolean checkQuorum() {
    return checkQuorum;
  }

  public boolean preVote() {
    return preVote;
  }

  public int electionTimeoutTicks() {
    return electionTimeoutTicks;
  }

  public Workload workload() {
    return workload;
  }

  public long clientStartNanos() {
    return clientStartNanos;
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

  /** The share of crashes and freezes aimed at the leader. */
  public double leaderTargetShare() {
    return leaderTargetShare;
  }

  /** The share of removed members the operator retires. */
  public double decommissionShare() {
    return decommissionShare;
  }

  /** The largest clock drift of any member, in parts per million. */
  public double driftPpmMax() {
    double max = 0;
    for (double drift : driftsPpm) {
      max = Math.max(max, Math.abs(drift));
    }
    return max;
  }

  /** One line with every choice. */
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
        "%d voters+%d spares election=%d hb=%d%s%s%s inflight=%d append=%dB uncommitted=%dB"
            + " apply=%dB reads<=%d segment=%dB compact=%d%s drift<=%.0fppm delay=%.2f..%.1fms"
            + " drop=%.0f%% dup=%.0f%% reset=%.0f%% clients=%d keys=%d get=%.0f%% cas=%.0f%%"
            + " attempt=%s deadline=%s chaos=%s..%s faults=%s",
        voters,
        spares,
        electionTimeoutTicks,
        heartbeatIntervalTicks,
        preVote ? " prevote" : "",
        checkQuorum ? " checkquorum" : "",
        leaseReads ? " lease=" + leaseDurationTicks : "",
        inflightAppendsMax,
        appendBytesMax,
        uncommittedBytesMax,
        committedBytesPerReadyMax,
        pendingReadsMax,
        segmentBytesMax,
        compactEveryEntries,
        catchUpTicksOnThaw ? " catchup" : "",
        driftPpmMax(),
        network.delayMinNanos() / 1e6,
        network.delayMaxNanos() / 1e6,
        network.dropProbability() * 100,
        network.duplicateProbability() * 100,
        network.refusedProbability() * 100,
        clients,
        workload.keys(),
        workload.readShare() * 100,
        workload.compareAndSetShare() * 100,
        SimTime.formatShort(workload.attemptTimeoutNanos()),
        SimTime.formatShort(workload.operationDeadlineNanos()),
        SimTime.formatShort(chaosStartNanos),
        SimTime.formatShort(chaosEndNanos),
        faultText);
  }

  private static double round(double probability) {
    return Math.round(probability * 1000) / 1000.0;
  }
}
