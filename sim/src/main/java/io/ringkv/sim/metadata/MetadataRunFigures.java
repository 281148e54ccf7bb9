package io.ringkv.sim.metadata;

import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import java.util.Locale;

/**
 * What one metadata run measured.
 *
 * @param nodes nodes in the run
 * @param joinsAcknowledged joins the operator saw accepted
 * @param overlappingJoinPairs pairs of joins that were in flight at the same time
 * @param keyspaceChangesAcknowledged keyspace puts and drops the operator saw accepted
 * @param leavesCompleted nodes that left and were decommissioned
 * @param operationsUnanswered operations still unanswered at the end (not checked)
 * @param finalEpoch the epoch all nodes agreed on at the end
 * @param epochsChecked new snapshots checked against the reference of their epoch
 * @param resultsChecked applied entries whose result was checked against other nodes'
 * @param crashes process kills, power losses included
 * @param powerLosses crashes that also lost unsynced bytes
 * @param partitions network partitions
 * @param messagesSent messages handed to the network
 * @param leadersElected times a node became leader
 * @param configurationsApplied configuration entries applied, summed over nodes
 * @param snapshotsInstalled snapshots installed from a leader
 * @param finalVoters voters at the end
 * @param settleNanos time from healing to agreement
 */
public record MetadataRunFigures(
    int nodes,
    long joinsAcknowledged,
    long overlappingJoinPairs,
    long keyspaceChangesAcknowledged,
    long leavesCompleted,
    long operationsUnanswered,
    long finalEpoch,
    long epochsChecked,
    long resultsChecked,
    long crashes,
    long powerLosses,
    long partitions,
    long messagesSent,
    long leadersElected,
    long configurationsApplied,
    long snapshotsInstalled,
    int finalVoters,
    long settleNanos)
    implements SimResult.Figures {

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d nodes, %d joins acked (%d overlapping pairs), %d keyspace changes acked, %d left,"
            + " %d unanswered; epoch %d, %d epochs and %d results checked; %d crashes (%d power"
            + " losses), %d partitions, %d messages, %d leaders, %d configurations applied, %d"
            + " snapshots installed, %d voters; settled in %s",
        nodes,
        joinsAcknowledged,
        overlappingJoinPairs,
        keyspaceChangesAcknowledged,
        leavesCompleted,
        operationsUnanswered,
        finalEpoch,
        epochsChecked,
        resultsChecked,
        crashes,
        powerLosses,
        partitions,
        messagesSent,
        leadersElected,
        configurationsApplied,
        snapshotsInstalled,
        finalVoters,
        SimTime.formatShort(settleNanos));
  }
}
