/**
 * Raft consensus as a pure state machine ({@link io.ringkv.raft.RaftNode}): no I/O, no clock, no
 * threads. See this module's README.md and docs/design/raft.md.
 */
package io.ringkv.raft;
