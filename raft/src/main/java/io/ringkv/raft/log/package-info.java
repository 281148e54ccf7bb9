/**
 * The durable log of a Raft node: {@link io.ringkv.raft.log.DurableLog} over the small {@link
 * io.ringkv.raft.log.LogFiles} interface. Unlike the rest of the module it does file I/O, which is
 * why it is a package of its own; it still reads no clock and starts no thread. See
 * docs/design/raft.md.
 */
package io.ringkv.raft.log;
