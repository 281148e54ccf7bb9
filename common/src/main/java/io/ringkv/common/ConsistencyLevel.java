package io.ringkv.common;

import java.util.Locale;

/**
 * How many replicas must answer a request before the coordinator answers the client (Cassandra's
 * levels). Shared vocabulary of the front ends, the client and the replication coordinator.
 */
public enum ConsistencyLevel {
  /** One replica. */
  ONE,
  /** Two replicas. */
  TWO,
  /** Three replicas. */
  THREE,
  /** A majority of the replicas: floor(RF / 2) + 1. */
  QUORUM,
  /** Every replica. */
  ALL,
  /** One replica in the coordinator's datacenter. */
  LOCAL_ONE,
  /** A majority of the replicas in the coordinator's datacenter. */
  LOCAL_QUORUM,
  /** A majority of the replicas in every datacenter. */
  EACH_QUORUM,
  /** Writes only: any node, a hint included, may take the write. */
  ANY;

  /**
   * Parses a level name, ignoring case and accepting {@code -} for {@code _}.
   *
   * @throws IllegalArgumentException naming the value and the allowed levels
   */
  public static ConsistencyLevel parse(String text) {
    String name = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (ConsistencyLevel level : values()) {
      if (level.name().equals(name)) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "unknown consistency level '"
            + text
            + "'; allowed: ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, ANY");
  }

  /** True if the level may be used for reads (ANY is for writes only). */
  public boolean allowsReads() {
    return this != ANY;
  }
}
