package io.ringkv.cluster.ring;

import io.ringkv.common.ConsistencyLevel;
import java.util.Objects;

/**
 * A consistency level that no set of live replicas could meet for this keyspace and ring.
 *
 * <p>Immutable value.
 *
 * @param keyspace the keyspace asked for
 * @param consistencyLevel the level asked for
 * @param replicationFactor the keyspace's total replication factor (0 if it does not exist)
 * @param reason why, in words that name the numbers
 */
public record ImpossiblePlan(
    String keyspace, ConsistencyLevel consistencyLevel, int replicationFactor, String reason)
    implements ReplicaPlanResult {

  public ImpossiblePlan {
    Objects.requireNonNull(keyspace, "keyspace");
    Objects.requireNonNull(consistencyLevel, "consistency level");
    Objects.requireNonNull(reason, "reason");
  }

  /** The whole story in one line, for the client. */
  public String message() {
    return "consistency level "
        + consistencyLevel
        + " is impossible for keyspace '"
        + keyspace
        + "' (replication factor "
        + replicationFactor
        + "): "
        + reason;
  }

  @Override
  public ReplicaPlan orElseThrow() {
    throw new IllegalArgumentException(message());
  }
}
