package io.ringkv.cluster.ring;

/**
 * What asking for a replica plan gives: a {@link ReplicaPlan}, or an {@link ImpossiblePlan} when
 * the consistency level cannot be met whatever the replicas' health (THREE with a replication
 * factor of 2, ANY for a read, LOCAL_QUORUM where the keyspace has no replicas, a ring with too few
 * nodes). An impossible plan is client input to reject, not a fault: the caller answers the client
 * with its message.
 */
public sealed interface ReplicaPlanResult permits ReplicaPlan, ImpossiblePlan {

  /**
   * The plan, for callers that have already validated the level.
   *
   * @throws IllegalArgumentException with the impossible plan's message
   */
  ReplicaPlan orElseThrow();
}
