/**
 * Simulation of the cluster metadata on Raft: real {@link io.ringkv.raft.RaftNode}s with the real
 * {@link io.ringkv.cluster.metadata.raft.MetadataStateMachine} and {@link
 * io.ringkv.raft.log.DurableLog} on simulated disks, nodes joining concurrently and leaving, under
 * message loss, partitions and crashes; checkers for metadata agreement per epoch, token clashes
 * and acknowledged changes. See docs/design/metadata-on-raft.md, "Simulation".
 */
package io.ringkv.sim.metadata;
