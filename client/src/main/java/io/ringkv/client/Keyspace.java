package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.util.Map;
import java.util.TreeMap;

/**
 * A keyspace's definition, as {@link RingkvClient#keyspaces()} lists it and {@link
 * RingkvClient#putKeyspace} sends it. In a definition sent, what is left unset (a replication
 * factor of 0 with no datacenters, a null level or mode) keeps the existing keyspace's setting, or
 * takes the node's default for a new one (replication factor 3, QUORUM, causal). The node checks
 * the rules (names, factor bounds) and names the field it refuses.
 *
 * <p>Immutable; {@code with...} methods return changed copies.
 *
 * @param name 1 to 48 characters: a lower-case letter, then lower-case letters, digits or '_'
 * @param replicationFactor replicas walking the ring (SimpleStrategy); 0 when unset or when
 *     datacenters are given
 * @param datacenters replicas per datacenter (NetworkTopologyStrategy), by name; empty when unset
 * @param readLevel the level of reads that name none; null for unset
 * @param writeLevel the level of writes that name none; null for unset
 * @param sloppyQuorum whether a write may count a live stand-in for a replica that is down
 * @param conflicts how concurrent writes are resolved; null for unset. Cannot change once created.
 */
public record Keyspace(
    String name,
    int replicationFactor,
    Map<String, Integer> datacenters,
    ConsistencyLevel readLevel,
    ConsistencyLevel writeLevel,
    boolean sloppyQuorum,
    ConflictMode conflicts) {

  public Keyspace {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("keyspace name must be given");
    }
    if (replicationFactor < 0) {
      throw new IllegalArgumentException(
          "replicationFactor must be positive (0: unset), was " + replicationFactor);
    }
    datacenters =
        datacenters == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(datacenters));
    if (replicationFactor > 0 && !datacenters.isEmpty()) {
      throw new IllegalArgumentException(
          "set a replicationFactor or datacenters, not both (keyspace " + name + ")");
    }
  }

  /** A definition of {@code name} with every other field unset. */
  public static Keyspace named(String name) {
    return new Keyspace(name, 0, Map.of(), null, null, false, null);
  }

  /** SimpleStrategy with {@code factor} replicas (clears datacenters). */
  public Keyspace withReplicationFactor(int factor) {
    return new Keyspace(name, factor, Map.of(), readLevel, writeLevel, sloppyQuorum, conflicts);
  }

  /** NetworkTopologyStrategy with these replicas per datacenter (clears the replication factor). */
  public Keyspace withDatacenters(Map<String, Integer> factors) {
    return new Keyspace(name, 0, factors, readLevel, writeLevel, sloppyQuorum, conflicts);
  }

  public Keyspace withReadLevel(ConsistencyLevel level) {
    return new Keyspace(
        name, replicationFactor, datacenters, level, writeLevel, sloppyQuorum, conflicts);
  }

  public Keyspace withWriteLevel(ConsistencyLevel level) {
    return new Keyspace(
        name, replicationFactor, datacenters, readLevel, level, sloppyQuorum, conflicts);
  }

  public Keyspace withSloppyQuorum(boolean sloppy) {
    return new Keyspace(
        name, replicationFactor, datacenters, readLevel, writeLevel, sloppy, conflicts);
  }

  public Keyspace withConflicts(ConflictMode mode) {
    return new Keyspace(
        name, replicationFactor, datacenters, readLevel, writeLevel, sloppyQuorum, mode);
  }
}
