package io.ringkv.raft;

/**
 * The answer to {@link RaftNode#readIndex(long)}: once the caller's state machine has applied
 * everything up to {@code index}, a read of it is linearizable with respect to every write that
 * completed before the read was requested.
 *
 * @param requestId the id the caller gave the read request
 * @param index the commit index at the time the leader confirmed its leadership
 */
public record ReadState(long requestId, long index) {}
