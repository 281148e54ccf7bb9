package io.ringkv.cluster.membership;

/**
 * Counters of one {@link Gossip} instance since it was built, for metrics and the simulator's
 * figures. An immutable snapshot.
 *
 * @param synsSent SYNs queued
 * @param acksSent ACKs queued
 * @param ack2sSent ACK2s queued
 * @param messagesReceived messages stepped that were addressed to this node
 * @param messagesDropped messages not queued because the outbox was full
 * @param digestsOmitted digests left out of SYNs (sampling) or of received SYNs and ACK requests
 *     (truncation) because of {@link GossipConfig#synDigestsMax()}
 * @param deltasOmitted endpoint states left out of ACKs and ACK2s, or of received ones, because of
 *     {@link GossipConfig#deltasPerMessageMax()}
 * @param deltasOutOfSequence received parts of states ignored because this node lacks what they
 *     follow (late answers to questions asked before a restart): see {@link EndpointDelta}
 * @param endpointsRejected new endpoints ignored because {@link GossipConfig#endpointsMax()} were
 *     known
 * @param statesRejected received endpoint states ignored as invalid: a value too long, or a
 *     generation too far ahead
 * @param clusterNameMismatches SYNs from another cluster, ignored
 * @param misdirectedMessages messages addressed to another node, ignored
 * @param selfConflicts times another node described this node with a higher generation than its own
 *     (another process with the same name, or a lost generation file)
 * @param localPauses pauses of this node detected by the failure detector
 */
public record GossipStats(
    long synsSent,
    long acksSent,
    long ack2sSent,
    long messagesReceived,
    long messagesDropped,
    long digestsOmitted,
    long deltasOmitted,
    long deltasOutOfSequence,
    long endpointsRejected,
    long statesRejected,
    long clusterNameMismatches,
    long misdirectedMessages,
    long selfConflicts,
    long localPauses) {}
