package io.ringkv.raft;

import java.util.List;
import java.util.Optional;

/**
 * Everything a node asks its caller to do after some input, in this order:
 *
 * <ol>
 *   <li>store {@link #snapshot()} if present, then {@link #entries()} (replacing any stored entry
 *       at the same or a higher index), then {@link #hardState()} if present; sync if {@link
 *       #mustSync()};
 *   <li>only then send {@link #messages()} (a vote or an acknowledgement must never leave before
 *       what it promises is durable);
 *   <li>install {@link #snapshot()} into the state machine, then apply {@link #committedEntries()}
 *       in order, then serve {@link #readStates()} once applied that far;
 *   <li>call {@link RaftNode#advance(Ready)} with this very object.
 * </ol>
 *
 * @param softState the role and leader, when they changed since the last {@code Ready}
 * @param hardState term, vote and commit, when they changed since the last {@code Ready}
 * @param entries entries to store, consecutive; the first may overwrite a stored suffix
 * @param snapshot a snapshot received from the leader, to store and install
 * @param committedEntries committed entries to apply, consecutive, all already stored
 * @param messages messages to send, in order, after storing
 * @param readStates answers to read requests
 * @param mustSync whether the store must be synced before sending (term, vote, entries or snapshot
 *     changed; a commit index alone may be stored lazily)
 */
public record Ready(
    Optional<SoftState> softState,
    Optional<HardState> hardState,
    List<Entry> entries,
    Optional<Snapshot> snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    List<ReadState> readStates,
    boolean mustSync) {
  public Ready {
    entries = List.copyOf(entries);
    committedEntries = List.copyOf(committedEntries);
    messages = List.copyOf(messages);
    readStates = List.copyOf(readStates);
  }
}
