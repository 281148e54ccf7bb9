package io.ringkv.raft;

/** What an {@link Entry}'s data holds. */
public enum EntryType {
  /**
   * An application command, opaque to Raft. A new leader's first entry is a normal entry with no
   * data: it lets the leader commit an entry of its own term, and so everything before it.
   */
  NORMAL,
  /**
   * A whole new {@link Configuration}, encoded by {@link Configuration#encode()}. It takes effect
   * on a node as soon as the node appends it, not when it commits (Ongaro's thesis, §4.1).
   */
  CONFIGURATION
}
