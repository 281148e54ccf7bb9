/**
 * Raft groups over the real internode transport: {@link io.ringkv.server.raft.RaftGroup} drives one
 * member of a pure {@link io.ringkv.raft.RaftNode} from its own thread and real time, {@link
 * io.ringkv.server.raft.RaftRouter} routes the transport's Raft messages to the groups. See
 * server/README.md, "Raft groups".
 */
package io.ringkv.server.raft;
