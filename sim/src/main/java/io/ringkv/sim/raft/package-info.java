/**
 * Raft under the deterministic simulator: real {@link io.ringkv.raft.RaftNode}s on real {@link
 * io.ringkv.raft.log.DurableLog}s over simulated disks, a replicated key-value state machine with
 * client sessions, clients that retry, swarm-tested faults, the safety checkers of the Raft paper
 * and a linearizability checker over the clients' history. See docs/design/raft.md, "Simulation".
 */
package io.ringkv.sim.raft;
