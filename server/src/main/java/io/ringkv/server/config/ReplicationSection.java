package io.ringkv.server.config;

/**
 * The {@code replication} section: how the node coordinates reads and writes over the replicas of a
 * key (docs/decisions/006-last-write-wins-on-hlc.md). Consistency levels are chosen per keyspace
 * and per request, not here. Ranges are checked by {@link ConfigSchema}, relations by {@link
 * NodeConfig}; this record only refuses values no configuration could mean.
 *
 * @param writeTimeoutMillis how long a coordinator waits for the acknowledgements a write's level
 *     needs; fewer in time is a timeout, and the write may or may not have applied
 * @param readTimeoutMillis how long a coordinator waits for the answers a read's level needs
 * @param readRepairChance the chance (0 to 1) that a read also reads the replicas its level does
 *     not need and repairs them in the background
 * @param speculativeRetry whether a replica slower than its recent p99 gets a backup request to
 *     another replica
 * @param maxClockSkewMillis the node refuses to coordinate writes while its clock is further than
 *     this from its peers' (last-write-wins needs clocks that roughly agree)
 * @param sloppyQuorum whether the {@code default} keyspace lets a live stand-in further round the
 *     ring take a write for a down replica, with a hint, and count toward the level
 * @param causalSiblingsMax the most siblings a causal register write may leave at its dot replica
 *     ({@code replication.causal_siblings_max}); a write past it is refused (CONFLICT) until a
 *     client resolves the siblings (docs/design/causal.md, "The sibling cap")
 */
public record ReplicationSection(
    long writeTimeoutMillis,
    long readTimeoutMillis,
    double readRepairChance,
    boolean speculativeRetry,
    long maxClockSkewMillis,
    boolean sloppyQuorum,
    int causalSiblingsMax) {

  /** The default sibling cap (docs/design/causal.md says why 32). */
  public static final int CAUSAL_SIBLINGS_MAX_DEFAULT = 32;

  /** A section with the default sibling cap. */
  public ReplicationSection(
      long writeTimeoutMillis,
      long readTimeoutMillis,
      double readRepairChance,
      boolean speculativeRetry,
      long maxClockSkewMillis,
      boolean sloppyQuorum) {
    this(
        writeTimeoutMillis,
        readTimeoutMillis,
        readRepairChance,
        speculativeRetry,
        maxClockSkewMillis,
        sloppyQuorum,
        CAUSAL_SIBLINGS_MAX_DEFAULT);
  }

  public ReplicationSection {
    if (writeTimeoutMillis <= 0 || readTimeoutMillis <= 0 || maxClockSkewMillis <= 0) {
      throw new IllegalArgumentException(
          "replication timeouts and max_clock_skew_millis must be positive, were "
              + writeTimeoutMillis
              + ", "
              + readTimeoutMillis
              + " and "
              + maxClockSkewMillis);
    }
    if (!(readRepairChance >= 0 && readRepairChance <= 1)) {
      throw new IllegalArgumentException(
          "replication.read_repair_chance must be from 0 to 1, was " + readRepairChance);
    }
    if (causalSiblingsMax < 1) {
      throw new IllegalArgumentException(
          "replication.causal_siblings_max must be at least 1, was " + causalSiblingsMax);
    }
  }
}
