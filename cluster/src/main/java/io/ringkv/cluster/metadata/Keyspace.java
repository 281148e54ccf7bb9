package io.ringkv.cluster.metadata;

import io.ringkv.cluster.ring.ReplicationStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A keyspace: a name, how its data is replicated, and the consistency levels its reads and writes
 * use when a request names none.
 *
 * <p>Immutable value.
 *
 * @param name 1 to 48 characters: a lower-case letter, then lower-case letters, digits or '_'
 * @param replication where each token's replicas go ({@link io.ringkv.cluster.ring.SimpleStrategy}
 *     or {@link io.ringkv.cluster.ring.NetworkTopologyStrategy})
 * @param readLevel the default level of reads; never {@code ANY}, which is for writes only
 * @param writeLevel the default level of writes
 * @param sloppyQuorum whether a write may count a live stand-in node (further round the ring,
 *     keeping a hint) for a replica that is down (Dynamo's sloppy quorum); off by default, since
 *     reads do not see what the stand-in holds until it hands it over
 * @param conflicts how concurrent writes are resolved: {@link ConflictMode#LWW} or {@link
 *     ConflictMode#CAUSAL}; only the write path depends on it. The constructors without it and the
 *     built-in {@code default} keyspace take LWW (nothing that exists changes); a keyspace a user
 *     creates without naming a mode takes {@link ConflictMode#NEW_KEYSPACE_DEFAULT} (causal,
 *     decision 007)
 */
public record Keyspace(
    String name,
    ReplicationStrategy replication,
    ConsistencyLevel readLevel,
    ConsistencyLevel writeLevel,
    boolean sloppyQuorum,
    ConflictMode conflicts) {

  /** The keyspace every node has from the start, and that requests use when they name none. */
  public static final String DEFAULT_NAME = "default";

  /** The replication factor of the default keyspace once the cluster has that many nodes. */
  public static final int DEFAULT_REPLICATION_FACTOR = 3;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

  public Keyspace {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "keyspace name '"
              + name
              + "' must be 1 to 48 characters: a lower-case letter, then lower-case letters,"
              + " digits or '_'");
    }
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(readLevel, "read level");
    Objects.requireNonNull(writeLevel, "write level");
    Objects.requireNonNull(conflicts, "conflicts");
    if (!readLevel.allowsReads()) {
      throw new IllegalArgumentException(
          "keyspace " + name + " read level " + readLevel + " is for writes only");
    }
  }

  /** A last-write-wins keyspace. */
  public Keyspace(
      String name,
      ReplicationStrategy replication,
      ConsistencyLevel readLevel,
      ConsistencyLevel writeLevel,
      boolean sloppyQuorum) {
    this(name, replication, readLevel, writeLevel, sloppyQuorum, ConflictMode.LWW);
  }

  /** A last-write-wins keyspace without sloppy quorum. */
  public Keyspace(
      String name,
      ReplicationStrategy replication,
      ConsistencyLevel readLevel,
      ConsistencyLevel writeLevel) {
    this(name, replication, readLevel, writeLevel, false);
  }

  /**
   * The {@code default} keyspace for a cluster of {@code normalMembers} Normal members:
   * SimpleStrategy with a replication factor of min(3, members), at least 1, and QUORUM reads and
   * writes. With one node that is RF 1, so a lone node answers QUORUM on its own.
   */
  public static Keyspace defaultKeyspace(int normalMembers) {
    if (normalMembers < 0) {
      throw new IllegalArgumentException("normal members must be >= 0, was " + normalMembers);
    }
    int replicationFactor = Math.max(1, Math.min(DEFAULT_REPLICATION_FACTOR, normalMembers));
    return new Keyspace(
        DEFAULT_NAME,
        new SimpleStrategy(replicationFactor),
        ConsistencyLevel.QUORUM,
        ConsistencyLevel.QUORUM);
  }

  /** This keyspace with {@code newReplication}. */
  public Keyspace withReplication(ReplicationStrategy newReplication) {
    return new Keyspace(name, newReplication, readLevel, writeLevel, sloppyQuorum, conflicts);
  }

  /** This keyspace with sloppy quorum on or off. */
  public Keyspace withSloppyQuorum(boolean sloppy) {
    return new Keyspace(name, replication, readLevel, writeLevel, sloppy, conflicts);
  }

  /** This keyspace with conflicts resolved by {@code mode}. */
  public Keyspace withConflicts(ConflictMode mode) {
    return new Keyspace(name, replication, readLevel, writeLevel, sloppyQuorum, mode);
  }

  /** Whether writes to this keyspace are causal (dot replica, DVV sets, CRDTs). */
  public boolean causal() {
    return conflicts == ConflictMode.CAUSAL;
  }

  @Override
  public String toString() {
    return name
        + " "
        + replication
        + " read "
        + readLevel
        + " write "
        + writeLevel
        + (sloppyQuorum ? " sloppy quorum" : "")
        + (conflicts == ConflictMode.LWW ? "" : " conflicts " + conflicts.configName());
  }
}
