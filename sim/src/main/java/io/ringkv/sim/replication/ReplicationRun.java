package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimNetwork;
import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.SimulationFailure;
import io.ringkv.sim.Trace;
import io.ringkv.sim.Violation;
import io.ringkv.storage.Durability;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One seeded run of the replication simulation of issue 6, start to verdict:
 *
 * <ol>
 *   <li>the {@link ReplicationPlan} of the seed builds the cluster (3 to 5 nodes, a static ring)
 *       and starts every node; the workloads ({@link SetWorkload}, {@link RegisterWorkload}, {@link
 *       CoverageWorkload}) start 2 s in;
 *   <li>chaos: the enabled faults strike ({@link ReplicationChaos}) for 15 to 45 s;
 *   <li>healing: every cut restored, loss set to 0, frozen nodes thawed, crashed nodes restarted;
 *       the workloads go on for the settling time W plus {@link #AFTER_HEALING_NANOS} (requests in
 *       quiet windows must succeed), then stop;
 *   <li>drain: the run waits until every client has its answer, no node holds a hint and nothing is
 *       in flight, within a bound ({@link #drainBoundNanos});
 *   <li>final reads: every set and register key read at QUORUM (the loss and session checks), then
 *       every key read at ALL; once quiet again, every replica's store is inspected (convergence,
 *       and {@link CausalChecker} and {@link CrdtChecker} over the {@link CausalWorkload}'s keys).
 * </ol>
 *
 * Throughout, {@link QuorumLivenessChecker} judges every operation; an exception from the protocol
 * code ends the run as a violation. See docs/design/simulator.md.
 *
 * <p>Pure: no wall clock, no threads; the same seed gives the same trace hash.
 */
public final class ReplicationRun {
  /** How long the workloads go on after the settling time that follows healing. */
  public static final long AFTER_HEALING_NANOS = SimTime.seconds(5);

  /** Final reads in flight at once. */
  public static final int FINAL_READS_IN_FLIGHT_MAX = 16;

  /** The slack on every bound of the drain and the final reads. */
  public static final long SLACK_NANOS = SimTime.seconds(30);

  private final ReplicationPlan plan;
  private final ReplicatedCluster cluster;
  private final Simulation simulation;
  private final History history = new History();
  private final Clients clients;
  private final ReplicationChaos chaos;
  private final QuorumLivenessChecker liveness;
  private final Rng rng;
  private final List<Violation> violations = new ArrayList<>();
  private long healedAtNanos = -1;
  private long drainedAfterNanos = -1;
  private long lastHintPendingNanos = -1;
  private boolean drainOver;
  private AcknowledgedWritesChecker.Figures writeFigures =
      new AcknowledgedWritesChecker.Figures(0, 0, 0, 0, 0);
  private SessionChecker.Figures sessionFigures = new SessionChecker.Figures(0, 0);
  private CausalChecker.Figures causalFigures = new CausalChecker.Figures(0, 0, 0, 0, 0);
  private CrdtChecker.Figures crdtFigures = new CrdtChecker.Figures(0, 0, 0, 0, 0, 0);
  private CausalWorkload causalWorkload;
  private boolean strict = true;

  private ReplicationRun(long seed, Trace trace) {
    plan = ReplicationPlan.of(seed);
    cluster = plan.build(trace);
    simulation = cluster.simulation();
    clients = new Clients(cluster, history, simulation.rng().fork());
    chaos = new ReplicationChaos(cluster, plan, simulation.rng().fork());
    liveness = new QuorumLivenessChecker(cluster);
    rng = simulation.rng().fork();
    cluster.addListener(chaos);
    cluster.addListener(liveness);
    history.addListener(liveness);
  }

  /** Runs {@code seed}, keeping only the trace's hash and tail. */
  public static SimResult<ReplicationFigures> run(long seed) {
    return run(seed, new Trace());
  }

  /** Runs {@code seed}, tracing to {@code trace}. */
  public static SimResult<ReplicationFigures> run(long seed, Trace trace) {
    return new ReplicationRun(seed, trace).execute();
  }

  private SimResult<ReplicationFigures> execute() {
    simulation.trace("seed " + plan.seed() + ": " + plan.describe());
    long settle = liveness.stabilisationNanos();
    long workloadEnd = plan.chaosEndNanos() + settle + AFTER_HEALING_NANOS;
    try {
      cluster.startAll();
      simulation.at(plan.workloadStartNanos(), () -> startWorkloads(workloadEnd));
      simulation.at(plan.chaosStartNanos(), chaos::begin);
      simulation.runUntil(plan.chaosEndNanos());
      chaos.end();
      heal();
      simulation.runUntil(workloadEnd);
      drain();
      finalReads();
      judge();
    } catch (SimulationFailure failure) {
      violations.add(
          new Violation(
              "exception", simulation.nowNanos(), failure.getMessage() + "\n" + stack(failure)));
    }
    violations.addAll(liveness.violations());
    violations.sort(Comparator.comparingLong(Violation::atNanos));
    simulation.trace("end: " + violations.size() + " violations");
    return new SimResult<>(
        plan.seed(),
        plan.describe(),
        violations,
        simulation.trace().hash(),
        simulation.trace().tail(),
        figures());
  }

  private void startWorkloads(long untilNanos) {
    new SetWorkload(clients, rng.fork(), plan.setIntervalNanos(), plan.setReadShare())
        .run(untilNanos);
    new RegisterWorkload(
            clients, rng.fork(), plan.registers(), plan.registerReaders(), plan.readBackShare())
        .run(untilNanos);
    new CoverageWorkload(clients, rng.fork(), plan.coverageKeys(), plan.coverageIntervalNanos())
        .run(untilNanos);
    causalWorkload = new CausalWorkload(clients, rng.fork());
    causalWorkload.run(untilNanos);
  }

  /** Ends every fault: restores links, stops loss, thaws and restarts every node. */
  private void heal() {
    cluster.healNetwork();
    SimNetwork.Faults faults = cluster.network().faults();
    cluster.network().setFaults(faults.withoutLoss());
    for (ReplicaNode node : cluster.nodes()) {
      node.engine().failNextSyncs(0);
      node.fileSystem().failNextSyncs(0);
    }
    for (ReplicaNode node : cluster.nodes()) {
      switch (node.state()) {
        case FROZEN -> cluster.thaw(node.name());
        case CRASHED, NOT_STARTED -> cluster.start(node.name());
        case RUNNING -> {}
      }
    }
    healedAtNanos = simulation.nowNanos();
    simulation.trace("healed");
    watchHints();
  }

  /** Notes, every poll, whether any node still holds hints: the drain figure is the last such. */
  private void watchHints() {
    if (drainOver) {
      return;
    }
    if (cluster.pendingHintBytes() > 0) {
      lastHintPendingNanos = simulation.nowNanos();
    }
    simulation.after(ReplicatedCluster.POLL_INTERVAL_NANOS, this::watchHints);
  }

  /**
   * The longest the drain may take: the settling time, the client deadline, every pending hint byte
   * at the slowest throttle, and {@link #SLACK_NANOS}.
   */
  private long drainBoundNanos() {
    long throttle = Math.max(1, cluster.settings().hintThrottleBytesPerSecond());
    long hintNanos = cluster.pendingHintBytes() * SimTime.SECOND_NANOS / throttle;
    return liveness.stabilisationNanos() + clients.deadlineNanos() + 2 * hintNanos + SLACK_NANOS;
  }

  private void drain() {
    long bound = drainBoundNanos();
    boolean drained =
        cluster.runUntil(
            () -> openOperations() == 0 && cluster.pendingHintBytes() == 0 && cluster.quiescent(),
            bound);
    if (!drained) {
      violations.add(
          new Violation(
              "hints-drained",
              simulation.nowNanos(),
              "not drained within "
                  + SimTime.formatShort(bound)
                  + ": "
                  + openOperations()
                  + " client operations open, "
                  + cluster.pendingHintBytes()
                  + " hint bytes pending, quiescent "
                  + cluster.quiescent()));
      return;
    }
    drainOver = true;
    drainedAfterNanos =
        lastHintPendingNanos < 0
            ? 0
            : lastHintPendingNanos + ReplicatedCluster.POLL_INTERVAL_NANOS - healedAtNanos;
    simulation.trace("hints drained " + SimTime.formatShort(drainedAfterNanos) + " after healing");
  }

  private void finalReads() {
    List<String> judged = new ArrayList<>(history.keys(History.Workload.SET));
    judged.addAll(history.keys(History.Workload.REGISTER));
    readAll(judged, ConsistencyLevel.QUORUM);
    readAll(history.keys(), ConsistencyLevel.ALL);
    boolean quiet =
        cluster.runUntil(() -> openOperations() == 0 && cluster.quiescent(), SLACK_NANOS);
    if (!quiet) {
      violations.add(
          new Violation("final-reads", simulation.nowNanos(), "not quiet after the final reads"));
    }
  }

  /** Reads every key of {@code keys} at {@code level}, a bounded number at a time. */
  private void readAll(List<String> keys, ConsistencyLevel level) {
    int[] next = {0};
    int[] inFlight = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (inFlight[0] < FINAL_READS_IN_FLIGHT_MAX && next[0] < keys.size()) {
            String key = keys.get(next[0]++);
            inFlight[0]++;
            clients.send(
                History.Workload.FINAL,
                "final",
                clients.anyCoordinator(),
                ClientRequest.read(key, level),
                done -> {
                  inFlight[0]--;
                  pump[0].run();
                });
          }
        };
    pump[0].run();
    long bound =
        (keys.size() / FINAL_READS_IN_FLIGHT_MAX + 1) * clients.deadlineNanos() + SLACK_NANOS;
    boolean done = cluster.runUntil(() -> next[0] == keys.size() && inFlight[0] == 0, bound);
    if (!done) {
      violations.add(
          new Violation(
              "final-reads",
              simulation.nowNanos(),
              "final reads at " + level + " not done within " + SimTime.formatShort(bound)));
    }
  }

  private void judge() {
    strict = plan.durability() == Durability.SYNC || chaos.dataLossEvents() == 0;
    AcknowledgedWritesChecker writes = new AcknowledgedWritesChecker();
    violations.addAll(writes.check(history, strict, !plan.sloppyQuorum()));
    writeFigures = writes.figures();
    SessionChecker sessions = new SessionChecker();
    violations.addAll(sessions.check(history, strict, !plan.sloppyQuorum()));
    sessionFigures = sessions.figures();
    violations.addAll(new ConvergenceChecker().check(cluster, history.keys()));
    CausalChecker causal = new CausalChecker();
    violations.addAll(
        causal.check(
            history,
            cluster.causalLedger(),
            cluster,
            causalWorkload == null ? java.util.Map.of() : causalWorkload.observedByLwwWrite(),
            strict));
    causalFigures = causal.figures();
    CrdtChecker crdts = new CrdtChecker();
    violations.addAll(crdts.check(history, cluster.causalLedger(), cluster, strict));
    crdtFigures = crdts.figures();
    simulation.trace("largest causal object " + cluster.causalLedger().objectBytesMax() + " B");
  }

  private long openOperations() {
    long open = 0;
    for (History.Operation operation : history.operations()) {
      if (operation.isOpen()) {
        open++;
      }
    }
    return open;
  }

  private ReplicationFigures figures() {
    ReplicationCounters counters = cluster.counters();
    long crashes = 0;
    long freezes = 0;
    for (ReplicaNode node : cluster.nodes()) {
      crashes += node.crashes();
      freezes += node.freezes();
    }
    return new ReplicationFigures(
        plan.nodeCount(),
        simulation.nowNanos(),
        history.size(),
        writeFigures.acknowledged(),
        writeFigures.lost(),
        writeFigures.indeterminate(),
        writeFigures.notAttempted(),
        counters.unavailable(),
        counters.timedOut(),
        sessionFigures.readsJudged(),
        liveness.quiet(),
        counters.digestMismatches(),
        counters.repairWrites(),
        counters.speculativeReads(),
        counters.standInWrites(),
        counters.hintsStored(),
        counters.hintsDelivered(),
        counters.hintsNotKept(),
        cluster.hintsExpired(),
        drainedAfterNanos,
        cluster.network().stats().sent(),
        chaos.strikes(),
        crashes,
        freezes,
        counters.recordsLost(),
        strict,
        causalFigures.causalAcknowledged(),
        causalFigures.causalLost(),
        causalFigures.causalSiblingsMax(),
        causalFigures.lwwAcknowledged(),
        causalFigures.lwwLost(),
        crdtFigures.incrementsAcknowledged(),
        crdtFigures.incrementsRetried(),
        crdtFigures.incrementsAppliedByTwoDotReplicas(),
        crdtFigures.incrementsAppliedTwiceCountedOnce(),
        crdtFigures.countersNotExact(),
        crdtFigures.setUpdatesAcknowledged());
  }

  private static String stack(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
