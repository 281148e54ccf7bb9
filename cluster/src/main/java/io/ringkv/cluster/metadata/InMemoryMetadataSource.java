package io.ringkv.cluster.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link MetadataSource} that is its own authority: proposals apply at once, in the order they
 * come. What a lone node uses, and what tests of the ring and of the coordinator use; gossip and
 * Raft sources add spreading and agreement on top of the same contract. {@link #install} lets a
 * caller that received a whole snapshot (restored from disk, learned from a peer) put it in place.
 *
 * <p>Not thread-safe: owned by one node loop, which also runs the listeners.
 */
public final class InMemoryMetadataSource implements MetadataSource {
  /** The most listeners one source holds: a bound, since subscribing twice is a leak. */
  public static final int LISTENERS_MAX = 32;

  private final List<Listener> listeners = new ArrayList<>();
  private ClusterMetadata current;

  /** A source that starts at {@code initial}. */
  public InMemoryMetadataSource(ClusterMetadata initial) {
    this.current = Objects.requireNonNull(initial, "initial");
  }

  @Override
  public ClusterMetadata current() {
    return current;
  }

  /** Applies {@code change} at once; always true. */
  @Override
  public boolean propose(MetadataChange change) {
    ClusterMetadata next = current.apply(change);
    if (next != current) {
      replace(next);
    }
    return true;
  }

  /**
   * Installs {@code snapshot} if its epoch is higher than the current one's.
   *
   * @return true if it was installed
   */
  public boolean install(ClusterMetadata snapshot) {
    if (snapshot.epoch() <= current.epoch()) {
      return false;
    }
    replace(snapshot);
    return true;
  }

  @Override
  public void subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    if (listeners.size() >= LISTENERS_MAX) {
      throw new IllegalStateException(
          "metadata source already has " + LISTENERS_MAX + " listeners, its limit");
    }
    listeners.add(listener);
  }

  private void replace(ClusterMetadata next) {
    ClusterMetadata previous = current;
    current = next;
    for (Listener listener : listeners) {
      listener.onEpoch(previous, next);
    }
  }
}
