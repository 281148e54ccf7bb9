package io.ringkv.raft;

/**
 * The state a node must store durably besides its log: the current term, whom it voted for in that
 * term, and the highest index it knows committed. Term and vote must be stored before any message
 * of the same {@link Ready} is sent (a vote forgotten in a crash could be cast twice); commit may
 * be stored lazily, since it can be learnt again.
 *
 * @param term the current term, from 0
 * @param vote the node voted for in {@code term}, or 0 for none
 * @param commit the highest index known committed
 */
public record HardState(long term, long vote, long commit) {
  /** The state of a node that never ran. */
  public static final HardState EMPTY = new HardState(0, 0, 0);

  public HardState {
    if (term < 0 || vote < 0 || commit < 0) {
      throw new IllegalArgumentException(
          "hard state fields must not be negative: term="
              + term
              + " vote="
              + vote
              + " commit="
              + commit);
    }
  }
}
