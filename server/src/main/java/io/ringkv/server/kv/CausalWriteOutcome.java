package io.ringkv.server.kv;

/**
 * What a causal write did.
 *
 * @param state the key's state at its dot replica after the write, with the new context (a register
 *     write's own value among its siblings)
 * @param changedMembers for a set write, how many of the given members it added (were absent) or
 *     removed (were present), as the dot replica saw them: Redis' SADD and SREM answers; 0
 *     otherwise
 * @param duplicate true if the write's idempotency key showed it was already applied: it was not
 *     applied again
 */
public record CausalWriteOutcome(CausalValue state, int changedMembers, boolean duplicate) {}
