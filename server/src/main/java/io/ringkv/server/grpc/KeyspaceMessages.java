package io.ringkv.server.grpc;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.ReplicationStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.DatacenterReplication;
import java.util.Map;
import java.util.TreeMap;

/**
 * Between the wire's {@code ringkv.v1.Keyspace} and the metadata's {@link Keyspace}. A definition
 * from a client is checked field by field, so that a bad one is INVALID_ARGUMENT naming the field,
 * the value and the rule; what it leaves unset keeps the existing keyspace's setting, or takes the
 * default for a new one (replication factor 3, QUORUM reads and writes, causal: decision 007).
 *
 * <p>Static helpers only; thread-safe.
 */
final class KeyspaceMessages {
  /** A new keyspace's replication factor when the request names none (as default's, at most). */
  static final int NEW_REPLICATION_FACTOR_DEFAULT = Keyspace.DEFAULT_REPLICATION_FACTOR;

  /** A new keyspace's read and write level when the request names none. */
  static final ConsistencyLevel NEW_LEVEL_DEFAULT = ConsistencyLevel.QUORUM;

  private KeyspaceMessages() {}

  /** The wire form of {@code keyspace}, every field set. */
  static io.ringkv.proto.v1.Keyspace toWire(Keyspace keyspace) {
    io.ringkv.proto.v1.Keyspace.Builder wire =
        io.ringkv.proto.v1.Keyspace.newBuilder()
            .setName(keyspace.name())
            .setReadLevel(wireLevel(keyspace.readLevel()))
            .setWriteLevel(wireLevel(keyspace.writeLevel()))
            .setSloppyQuorum(keyspace.sloppyQuorum())
            .setConflicts(
                keyspace.causal()
                    ? io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_CAUSAL
                    : io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_LWW);
    switch (keyspace.replication()) {
      case SimpleStrategy simple -> wire.setReplicationFactor(simple.replicationFactor());
      case NetworkTopologyStrategy topology ->
          wire.setDatacenters(
              DatacenterReplication.newBuilder()
                  .putAllReplicationFactors(topology.replicationFactors()));
    }
    return wire.build();
  }

  /**
   * The keyspace a PutKeyspace asks for.
   *
   * @param existing the keyspace of that name this node knows, or null
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming the field
   */
  static Keyspace fromWire(io.ringkv.proto.v1.Keyspace wire, Keyspace existing) {
    String name = wire.getName();
    if (name.isEmpty()) {
      throw GrpcErrors.invalid("keyspace.name must be given");
    }
    RequestChecks.keyspace(name);
    ReplicationStrategy replication = replication(wire, existing);
    ConsistencyLevel readLevel =
        level(
            "keyspace.read_level",
            wire.getReadLevelValue(),
            existing == null ? NEW_LEVEL_DEFAULT : existing.readLevel());
    if (!readLevel.allowsReads()) {
      throw GrpcErrors.invalid(
          "keyspace.read_level ANY is for writes only; a keyspace's read level must allow reads");
    }
    ConsistencyLevel writeLevel =
        level(
            "keyspace.write_level",
            wire.getWriteLevelValue(),
            existing == null ? NEW_LEVEL_DEFAULT : existing.writeLevel());
    ConflictMode conflicts = conflicts(wire.getConflictsValue(), existing);
    try {
      return new Keyspace(
          name, replication, readLevel, writeLevel, wire.getSloppyQuorum(), conflicts);
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalid("keyspace: " + e.getMessage());
    }
  }

  private static ReplicationStrategy replication(
      io.ringkv.proto.v1.Keyspace wire, Keyspace existing) {
    try {
      return switch (wire.getReplicationCase()) {
        case REPLICATION_NOT_SET ->
            existing != null
                ? existing.replication()
                : new SimpleStrategy(NEW_REPLICATION_FACTOR_DEFAULT);
        case REPLICATION_FACTOR -> {
          int factor = wire.getReplicationFactor();
          ReplicationStrategy.checkReplicationFactor(
              "keyspace.replication_factor", factor < 0 ? Integer.MAX_VALUE : factor);
          yield new SimpleStrategy(factor);
        }
        case DATACENTERS -> {
          Map<String, Integer> factors = new TreeMap<>();
          for (Map.Entry<String, Integer> entry :
              wire.getDatacenters().getReplicationFactorsMap().entrySet()) {
            int factor = entry.getValue();
            ReplicationStrategy.checkReplicationFactor(
                "keyspace.datacenters.replication_factors[" + entry.getKey() + "]",
                factor < 0 ? Integer.MAX_VALUE : factor);
            factors.put(entry.getKey(), factor);
          }
          yield NetworkTopologyStrategy.of(factors);
        }
      };
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalid(
          e.getMessage().startsWith("keyspace.")
              ? e.getMessage()
              : "keyspace.datacenters: " + e.getMessage());
    }
  }

  private static ConsistencyLevel level(String field, int number, ConsistencyLevel unset) {
    ConsistencyLevel level;
    try {
      level = RequestChecks.consistency(number);
    } catch (RuntimeException e) {
      throw GrpcErrors.invalid(
          field + " " + number + " is not a known level; allowed: 0 (unspecified) to 9 (ANY)");
    }
    return level == null ? unset : level;
  }

  private static ConflictMode conflicts(int number, Keyspace existing) {
    io.ringkv.proto.v1.ConflictMode mode = io.ringkv.proto.v1.ConflictMode.forNumber(number);
    if (mode == null) {
      throw GrpcErrors.invalid(
          "keyspace.conflicts "
              + number
              + " is not a conflict mode; allowed: UNSPECIFIED (0), LWW (1), CAUSAL (2)");
    }
    return switch (mode) {
      case CONFLICT_MODE_LWW -> ConflictMode.LWW;
      case CONFLICT_MODE_CAUSAL -> ConflictMode.CAUSAL;
      case CONFLICT_MODE_UNSPECIFIED, UNRECOGNIZED ->
          existing != null ? existing.conflicts() : ConflictMode.NEW_KEYSPACE_DEFAULT;
    };
  }

  private static io.ringkv.proto.v1.ConsistencyLevel wireLevel(ConsistencyLevel level) {
    return switch (level) {
      case ONE -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_ONE;
      case TWO -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_TWO;
      case THREE -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_THREE;
      case QUORUM -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_QUORUM;
      case ALL -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_ALL;
      case LOCAL_ONE -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_LOCAL_ONE;
      case LOCAL_QUORUM -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_LOCAL_QUORUM;
      case EACH_QUORUM -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_EACH_QUORUM;
      case ANY -> io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_ANY;
    };
  }
}
