package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.ScanEntry;
import java.util.Optional;

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

  static KeyValue keyValue(ScanEntry entry) {
    return new KeyValue(entry.getKey().toByteArray(), value(entry.getValue()));
  }
}
