package io.ringkv.sim.replication;

import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import java.util.Locale;

/**
 * What one replication run measured, for its one-line report and the summary over seeds.
 *
 * @param nodes cluster size
 * @param simulatedNanos how long the run lasted in simulated time
 * @param operations client operations sent, the final reads included
 * @param acknowledged set writes acknowledged at QUORUM
 * @param lost acknowledged set writes not read back (must be 0)
 * @param indeterminate set writes that timed out or went unanswered (may or may not have applied)
 * @param notAttempted set writes refused before anything was sent (unavailable, not connected)
 * @param unavailable requests a coordinator answered Unavailable (all workloads)
 * @param timedOut requests a coordinator answered with a timeout (all workloads)
 * @param sessionReadsJudged QUORUM reads of registers judged for monotonicity and read-your-writes
 * @param quietOperations operations in quiet windows (each had to succeed)
 * @param readRepairs reads whose digests disagreed (blocking read repairs)
 * @param repairWrites repair writes sent, blocking and background
 * @param speculativeReads backup reads sent after a replica's p99
 * @param standInWrites writes sent to sloppy-quorum stand-ins
 * @param hintsStored hints kept
 * @param hintsDelivered hints their targets took
 * @param hintsNotKept hints refused (bound full, hints off): repair debt
 * @param hintsExpired hints dropped unsent past the hint window: repair debt
 * @param hintsDrainedNanos from healing until no node held a hint any more, to the 100 ms poll (0
 *     if none did; -1 if the drain failed)
 * @param messages messages sent over the network
 * @param strikes faults struck
 * @param crashes crashes (kills, power losses, failed fsyncs)
 * @param freezes freezes
 * @param recordsLost unsynced engine records lost to power losses and failed fsyncs
 * @param strict whether the loss and session checkers judged (false: data could be lost)
 * @param causalAcknowledged causal writes acknowledged (the causal workload, issue 7)
 * @param causalLost of those, neither a final sibling nor superseded by a write that saw them (must
 *     be 0)
 * @param causalSiblingsMax the most siblings a causal key ended with
 * @param lwwAcknowledged LWW writes of the same workload acknowledged
 * @param lwwLost of those, dropped by last-write-wins though no write had read them
 * @param incrementsAcknowledged counter increments acknowledged
 * @param incrementsRetried increments sent again after an indeterminate answer
 * @param incrementsAppliedByTwoDotReplicas retried increments two dot replicas applied
 * @param incrementsAppliedTwiceCountedOnce of those, the ones in counters that ended exact
 * @param countersNotExact counters whose final value is not the sum of their increments, each
 *     idempotency key once (a violation where no data could be lost)
 * @param setUpdatesAcknowledged set adds and removes acknowledged
 */
public record ReplicationFigures(
    int nodes,
    long simulatedNanos,
    long operations,
    long acknowledged,
    long lost,
    long indeterminate,
    long notAttempted,
    long unavailable,
    long timedOut,
    long sessionReadsJudged,
    long quietOperations,
    long readRepairs,
    long repairWrites,
    long speculativeReads,
    long standInWrites,
    long hintsStored,
    long hintsDelivered,
    long hintsNotKept,
    long hintsExpired,
    long hintsDrainedNanos,
    long messages,
    long strikes,
    long crashes,
    long freezes,
    long recordsLost,
    boolean strict,
    long causalAcknowledged,
    long causalLost,
    long causalSiblingsMax,
    long lwwAcknowledged,
    long lwwLost,
    long incrementsAcknowledged,
    long incrementsRetried,
    long incrementsAppliedByTwoDotReplicas,
    long incrementsAppliedTwiceCountedOnce,
    long countersNotExact,
    long setUpdatesAcknowledged)
    implements SimResult.Figures {

  /** One line of figures. */
  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d nodes, %s simulated, %d operations, %d acknowledged, %d lost, %d indeterminate,"
            + " %d not attempted; %d unavailable, %d timed out; %d session reads judged,"
            + " %d quiet operations; %d read repairs (%d repair writes), %d speculative reads,"
            + " %d stand-in writes; hints %d stored, %d delivered, %d not kept, %d expired, drained"
            + " %s after"
            + " healing; %d messages, %d strikes, %d crashes, %d freezes, %d unsynced records lost;"
            + " causal %d acknowledged, %d lost, %d siblings at most; LWW %d acknowledged, %d lost"
            + " to concurrency; %d increments acknowledged (%d retried, %d applied by two dot replicas,"
            + " %d of them counted once), %d counters not exact, %d set"
            + " updates acknowledged%s",
        nodes,
        SimTime.formatShort(simulatedNanos),
        operations,
        acknowledged,
        lost,
        indeterminate,
        notAttempted,
        unavailable,
        timedOut,
        sessionReadsJudged,
        quietOperations,
        readRepairs,
        repairWrites,
        speculativeReads,
        standInWrites,
        hintsStored,
        hintsDelivered,
        hintsNotKept,
        hintsExpired,
        hintsDrainedNanos < 0 ? "never" : SimTime.formatShort(hintsDrainedNanos),
        messages,
        strikes,
        crashes,
        freezes,
        recordsLost,
        causalAcknowledged,
        causalLost,
        causalSiblingsMax,
        lwwAcknowledged,
        lwwLost,
        incrementsAcknowledged,
        incrementsRetried,
        incrementsAppliedByTwoDotReplicas,
        incrementsAppliedTwiceCountedOnce,
        countersNotExact,
        setUpdatesAcknowledged,
        strict ? "" : " (data loss possible: loss and session checks only count)");
  }
}
