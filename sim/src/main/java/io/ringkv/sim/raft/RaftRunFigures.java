package io.ringkv.sim.raft;

import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import java.util.Locale;

/**
 * What one Raft run measured.
 *
 * @param simulatedNanos simulated time the run took
 * @param messagesSent packets handed to the network (Raft and client)
 * @param messagesLost packets dropped, cut, refused or unanswered
 * @param operationsInvoked client operations invoked
 * @param operationsCompleted answered
 * @param operationsIndeterminate writes never answered
 * @param readsUnanswered reads never answered (left out of the check)
 * @param operationsChecked operations the linearizability checker judged
 * @param searchSteps the checker's search steps
 * @param entriesCommitted the highest index known committed
 * @param leaders terms that had a leader
 * @param crashes kills, power losses and failed syncs
 * @param freezes pauses
 * @param chaosStrikes faults and operator actions struck
 * @param membershipChanges configuration changes the operator proposed
 * @param configurationsApplied configuration entries applied (all members)
 * @param transfers leadership transfers the operator asked for
 * @param snapshotsTaken compactions
 * @param snapshotsInstalled snapshots received and installed
 * @param readsServed reads answered by members
 * @param recoveryNanos from healing to every client's first answered new operation, -1 if never
 */
public record RaftRunFigures(
    long simulatedNanos,
    long messagesSent,
    long messagesLost,
    long operationsInvoked,
    long operationsCompleted,
    long operationsIndeterminate,
    long readsUnanswered,
    long operationsChecked,
    long searchSteps,
    long entriesCommitted,
    long leaders,
    long crashes,
    long freezes,
    long chaosStrikes,
    long membershipChanges,
    long configurationsApplied,
    long transfers,
    long snapshotsTaken,
    long snapshotsInstalled,
    long readsServed,
    long recoveryNanos)
    implements SimResult.Figures {

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%s simulated, %d messages (%d lost), ops %d invoked / %d done / %d indeterminate / %d"
            + " reads unanswered, %d checked in %d steps; %d entries committed, %d leaders, %d"
            + " crashes, %d freezes, %d strikes, %d membership changes (%d applied), %d transfers,"
            + " %d snapshots taken, %d installed, %d reads served, recovered in %s",
        SimTime.formatShort(simulatedNanos),
        messagesSent,
        messagesLost,
        operationsInvoked,
        operationsCompleted,
        operationsIndeterminate,
        readsUnanswered,
        operationsChecked,
        searchSteps,
        entriesCommitted,
        leaders,
        crashes,
        freezes,
        chaosStrikes,
        membershipChanges,
        configurationsApplied,
        transfers,
        snapshotsTaken,
        snapshotsInstalled,
        readsServed,
        recoveryNanos < 0 ? "never" : SimTime.formatShort(recoveryNanos));
  }
}
