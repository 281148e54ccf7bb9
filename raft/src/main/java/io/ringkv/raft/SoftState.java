package io.ringkv.raft;

/**
 * Volatile state that the caller may want to know about (to route requests, for metrics) but need
 * not store.
 *
 * @param role this node's role
 * @param leader the leader this node knows for the current term, or 0
 */
public record SoftState(Role role, long leader) {}
