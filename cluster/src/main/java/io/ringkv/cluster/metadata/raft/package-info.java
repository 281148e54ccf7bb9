/**
 * Cluster metadata on Raft: the commands a metadata log holds ({@link
 * io.ringkv.cluster.metadata.raft.MetadataCommand}) and their binary format ({@link
 * io.ringkv.cluster.metadata.raft.MetadataCodec}, docs/format/metadata-log.md), the state machine
 * that applies them to {@link io.ringkv.cluster.metadata.ClusterMetadata} ({@link
 * io.ringkv.cluster.metadata.raft.MetadataStateMachine}), the policy that chooses the voters
 * ({@link io.ringkv.cluster.metadata.raft.VoterPolicy}) and the {@link
 * io.ringkv.cluster.metadata.MetadataSource} backed by it ({@link
 * io.ringkv.cluster.metadata.raft.RaftMetadataSource}). All pure: no clock, threads or I/O; the
 * server and the simulator drive them. See docs/design/metadata-on-raft.md.
 */
package io.ringkv.cluster.metadata.raft;
