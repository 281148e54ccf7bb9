package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.GossipStats;
import io.ringkv.sim.SimTime;
import java.util.Locale;

/**
 * What one membership run measured, for its one-line report and the summary over seeds.
 *
 * @param nodes cluster size
 * @param simulatedNanos how long the run lasted in simulated time
 * @param messagesSent gossip messages sent
 * @param messagesLost lost to loss, cuts, stopped nodes or full buffers
 * @param strikes faults the chaos phase struck
 * @param crashes crashes (kills, power losses, failed fsyncs), the last act's included
 * @param freezes freezes, the last act's included
 * @param downEvents {@code Down} events, all verdicts
 * @param downsOfStopped Downs of a crashed or frozen node, or of a replaced process (true)
 * @param downsAfterFaults Downs explained by a fault between the pair during the silence
 * @param falseDownsUnderFaults false Downs on a connected pair in a faulty network (not violations)
 * @param falseDownsClean false Downs on a clean network (each one a violation)
 * @param pairHours hours of ordered pairs of running nodes, the false-positive rate's denominator
 * @param convergedAfterNanos time from healing to convergence (-1 if it did not converge)
 * @param lastActDetectionNanos time from the last act's stop until every other node saw it down (-1
 *     if not reached)
 * @param lastActRecoveryNanos time from the last act's return until convergence (-1 if not reached)
 * @param cleanDetections (stop, observer) pairs detected with no disturbance since the stop
 * @param detectionNanosMax the longest of those detections
 * @param recoveryNanosMax the longest undisturbed time for a returned node to be seen up again
 * @param tokensRechosen times a node chose new tokens because its own clashed with another's
 * @param gossip gossip counters summed over every process of every node
 */
public record RunFigures(
    int nodes,
    long simulatedNanos,
    long messagesSent,
    long messagesLost,
    long strikes,
    long crashes,
    long freezes,
    long downEvents,
    long downsOfStopped,
    long downsAfterFaults,
    long falseDownsUnderFaults,
    long falseDownsClean,
    double pairHours,
    long convergedAfterNanos,
    long lastActDetectionNanos,
    long lastActRecoveryNanos,
    long cleanDetections,
    long detectionNanosMax,
    long recoveryNanosMax,
    long tokensRechosen,
    GossipStats gossip) {

  /** One line of figures. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d nodes, %s simulated, %d messages (%d lost), %d strikes, %d crashes, %d freezes,"
            + " %d Down (%d of stopped nodes, %d after faults, %d false under faults, %d false"
            + " clean), converged %s after healing,"
            + " last act: down everywhere in %s, back in %s; slowest undisturbed detection %s,"
            + " recovery %s; %d token clashes resolved, %d local pauses, %d out-of-sequence deltas",
        nodes,
        SimTime.formatShort(simulatedNanos),
        messagesSent,
        messagesLost,
        strikes,
        crashes,
        freezes,
        downEvents,
        downsOfStopped,
        downsAfterFaults,
        falseDownsUnderFaults,
        falseDownsClean,
        time(convergedAfterNanos),
        time(lastActDetectionNanos),
        time(lastActRecoveryNanos),
        SimTime.formatShort(detectionNanosMax),
        SimTime.formatShort(recoveryNanosMax),
        tokensRechosen,
        gossip.localPauses(),
        gossip.deltasOutOfSequence());
  }

  private static String time(long nanos) {
    return nanos < 0 ? "never" : SimTime.formatShort(nanos);
  }
}
