package io.ringkv.cluster.membership;

import java.util.Objects;

/**
 * An endpoint's state as sent in an ACK or ACK2: the heartbeat and the values newer than {@code
 * afterVersion} (0: the whole state). The receiver applies it only onto a state that already holds
 * everything up to {@code afterVersion} in the same generation, and takes an endpoint it does not
 * know, or a new generation, only from a whole state. Without that rule a node that restarted, or
 * forgot an endpoint, and then received a late answer to a question its earlier self had asked
 * would hold a state with values missing, and, its highest version being current, would never ask
 * for them again.
 *
 * @param state the heartbeat and the values newer than {@code afterVersion}
 * @param afterVersion the version the values are newer than; 0 when {@code state} is whole
 */
public record EndpointDelta(EndpointState state, long afterVersion) {
  public EndpointDelta {
    Objects.requireNonNull(state, "state");
    if (afterVersion < 0) {
      throw new IllegalArgumentException("afterVersion must be non-negative, was " + afterVersion);
    }
    for (var entry : state.states().entrySet()) {
      if (entry.getValue().version() <= afterVersion) {
        throw new IllegalArgumentException(
            "a delta after version "
                + afterVersion
                + " holds "
                + entry.getKey()
                + " at version "
                + entry.getValue().version());
      }
    }
  }

  /** The whole of {@code state}. */
  public static EndpointDelta whole(EndpointState state) {
    return new EndpointDelta(state, 0);
  }

  /** True if this is a whole state, not a part of one. */
  public boolean isWhole() {
    return afterVersion == 0;
  }

  /** The endpoint described. */
  public String endpoint() {
    return state.endpoint();
  }
}
