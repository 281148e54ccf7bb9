package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.DatacenterReplication;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.ScanEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Between the client's types and the generated protobuf messages. Static helpers; thread-safe. */
final class ProtoMapping {
  private ProtoMapping() {}

  static io.ringkv.proto.v1.ConsistencyLevel consistency(ConsistencyLevel level) {
    if (level == null) {
      return io.ringkv.proto.v1.ConsistencyLevel.CONSISTENCY_LEVEL_UNSPECIFIED;
    }
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

  static io.ringkv.proto.v1.WriteCondition condition(WriteCondition condition) {
    return switch (condition) {
      case ALWAYS -> io.ringkv.proto.v1.WriteCondition.WRITE_CONDITION_ALWAYS;
      case IF_ABSENT -> io.ringkv.proto.v1.WriteCondition.WRITE_CONDITION_IF_ABSENT;
      case IF_PRESENT -> io.ringkv.proto.v1.WriteCondition.WRITE_CONDITION_IF_PRESENT;
    };
  }

  static ByteString bytes(byte[] bytes) {
    return bytes.length == 0 ? ByteString.EMPTY : ByteString.copyFrom(bytes);
  }

  static Value value(io.ringkv.proto.v1.Value value) {
    return new Value(
        value.getData().toByteArray(),
        value.getTimestamp(),
        value.getExpiresAtMs(),
        value.getCausalContext().toByteArray());
  }

  static Optional<Value> value(GetResponse response) {
    return response.hasValue() ? Optional.of(value(response.getValue())) : Optional.empty();
  }

  /** A Get's answer with its context and siblings; one sibling from the value if none listed. */
  static Versions versions(GetResponse response) {
    Optional<Value> value = value(response);
    List<Sibling> siblings = new ArrayList<>(Math.max(1, response.getSiblingsCount()));
    for (io.ringkv.proto.v1.Sibling sibling : response.getSiblingsList()) {
      siblings.add(
          new Sibling(
              sibling.getValue().toByteArray(), sibling.getTimestamp(), sibling.getDeleted()));
    }
    if (siblings.isEmpty() && value.isPresent()) {
      siblings.add(new Sibling(value.get().bytes(), value.get().timestamp(), false));
    }
    return new Versions(value, siblings, response.getCausalContext().toByteArray());
  }

  static ConsistencyLevel level(io.ringkv.proto.v1.ConsistencyLevel level) {
    return switch (level) {
      case CONSISTENCY_LEVEL_UNSPECIFIED, UNRECOGNIZED -> null;
      case CONSISTENCY_LEVEL_ONE -> ConsistencyLevel.ONE;
      case CONSISTENCY_LEVEL_TWO -> ConsistencyLevel.TWO;
      case CONSISTENCY_LEVEL_THREE -> ConsistencyLevel.THREE;
      case CONSISTENCY_LEVEL_QUORUM -> ConsistencyLevel.QUORUM;
      case CONSISTENCY_LEVEL_ALL -> ConsistencyLevel.ALL;
      case CONSISTENCY_LEVEL_LOCAL_ONE -> ConsistencyLevel.LOCAL_ONE;
      case CONSISTENCY_LEVEL_LOCAL_QUORUM -> ConsistencyLevel.LOCAL_QUORUM;
      case CONSISTENCY_LEVEL_EACH_QUORUM -> ConsistencyLevel.EACH_QUORUM;
      case CONSISTENCY_LEVEL_ANY -> ConsistencyLevel.ANY;
    };
  }

  static Keyspace keyspace(io.ringkv.proto.v1.Keyspace wire) {
    Map<String, Integer> datacenters =
        wire.hasDatacenters()
            ? new TreeMap<>(wire.getDatacenters().getReplicationFactorsMap())
            : Map.of();
    ConflictMode conflicts =
        switch (wire.getConflicts()) {
          case CONFLICT_MODE_LWW -> ConflictMode.LWW;
          case CONFLICT_MODE_CAUSAL -> ConflictMode.CAUSAL;
          case CONFLICT_MODE_UNSPECIFIED, UNRECOGNIZED -> null;
        };
    return new Keyspace(
        wire.getName(),
        wire.hasReplicationFactor() ? wire.getReplicationFactor() : 0,
        datacenters,
        level(wire.getReadLevel()),
        level(wire.getWriteLevel()),
        wire.getSloppyQuorum(),
        conflicts);
  }

  static io.ringkv.proto.v1.Keyspace keyspace(Keyspace keyspace) {
    io.ringkv.proto.v1.Keyspace.Builder wire =
        io.ringkv.proto.v1.Keyspace.newBuilder()
            .setName(keyspace.name())
            .setReadLevel(consistency(keyspace.readLevel()))
            .setWriteLevel(consistency(keyspace.writeLevel()))
            .setSloppyQuorum(keyspace.sloppyQuorum());
    if (keyspace.replicationFactor() > 0) {
      wire.setReplicationFactor(keyspace.replicationFactor());
    } else if (!keyspace.datacenters().isEmpty()) {
      wire.setDatacenters(
          DatacenterReplication.newBuilder().putAllReplicationFactors(keyspace.datacenters()));
    }
    if (keyspace.conflicts() != null) {
      wire.setConflicts(
          switch (keyspace.conflicts()) {
            case LWW -> io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_LWW;
            case CAUSAL -> io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_CAUSAL;
          });
    }
    return wire.build();
  }

  static KeyValue keyValue(ScanEntry entry) {
    return new KeyValue(entry.getKey().toByteArray(), value(entry.getValue()));
  }
}
