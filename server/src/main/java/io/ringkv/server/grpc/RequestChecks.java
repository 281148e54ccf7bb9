package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.proto.v1.WriteCondition;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.WriteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks every gRPC request passes before it reaches the {@code KeyValueService}: sizes against
 * {@link LimitsConfig} and this API's own bounds, and enum values this server knows. Each failure
 * is a {@link StatusRuntimeException} with {@code INVALID_ARGUMENT} whose message names the field,
 * the value and the limit (STYLE.md §3), so nothing out of bounds is ever attempted.
 *
 * <p>Immutable; thread-safe.
 */
final class RequestChecks {
  /** Largest causal context a request may carry. */
  static final int CAUSAL_CONTEXT_BYTES_MAX = 64 << 10;

  /**
   * Longest idempotency key, in UTF-8 bytes: the bound the service keeps (WriteOptions, 1 to 64
   * bytes), which counters hold 64 of per replica.
   */
  static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  /** Most members in one SetAdd or SetRemove. */
  static final int SET_MEMBERS_MAX = 1024;

  /**
   * A keyspace name: the rule of {@code io.ringkv.cluster.metadata.Keyspace}, checked here so that
   * a bad name is refused naming the request field before any lookup.
   */
  private static final Pattern KEYSPACE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

  /** Most keys in one MultiGet. */
  static final int MULTI_GET_KEYS_MAX = 1024;

  /** Most entries in one streamed Scan message, and the default. */
  static final int SCAN_PAGE_SIZE_MAX = 1000;

  static final int SCAN_PAGE_SIZE_DEFAULT = 100;

  private static final String ALLOWED_LEVELS =
      "UNSPECIFIED (0), ONE (1), TWO (2), THREE (3), QUORUM (4), ALL (5), LOCAL_ONE (6),"
          + " LOCAL_QUORUM (7), EACH_QUORUM (8), ANY (9)";

  private final LimitsConfig limits;

  RequestChecks(LimitsConfig limits) {
    this.limits = limits;
  }

  /** The key as bytes, if it is within {@code limits.key_bytes_max}. */
  byte[] key(ByteString key, String field) {
    if (key.size() > limits.keyBytesMax()) {
      throw GrpcErrors.overLimit(
          field
              + " of "
              + key.size()
              + " bytes exceeds limits.key_bytes_max ("
              + limits.keyBytesMax()
              + ")",
          "limits.key_bytes_max");
    }
    return key.toByteArray();
  }

  /** The value as bytes, if it is within {@code limits.value_bytes_max}. */
  byte[] value(ByteString value) {
    if (value.size() > limits.valueBytesMax()) {
      throw GrpcErrors.overLimit(
          "value of "
              + value.size()
              + " bytes exceeds limits.value_bytes_max ("
              + limits.valueBytesMax()
              + ")",
          "limits.value_bytes_max");
    }
    return value.toByteArray();
  }

  /** A read's consistency level: null for the default; ANY and unknown numbers are refused. */
  static ConsistencyLevel readConsistency(int number) {
    ConsistencyLevel level = consistency(number);
    if (level != null && !level.allowsReads()) {
      throw GrpcErrors.invalid(
          "consistency ANY is for writes only; a read needs ONE, TWO, THREE, QUORUM, ALL,"
              + " LOCAL_ONE, LOCAL_QUORUM or EACH_QUORUM");
    }
    return level;
  }

  /** A write's consistency level: null for the default; unknown numbers are refused. */
  static ConsistencyLevel consistency(int number) {
    io.ringkv.proto.v1.ConsistencyLevel level =
        io.ringkv.proto.v1.ConsistencyLevel.forNumber(number);
    if (level == null) {
      throw GrpcErrors.invalid(
          "consistency " + number + " is not a known level; allowed: " + ALLOWED_LEVELS);
    }
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

  /** A write's condition; unknown numbers are refused. */
  static WriteOptions.Condition condition(int number) {
    WriteCondition condition = WriteCondition.forNumber(number);
    if (condition == null) {
      throw GrpcErrors.invalid(
          "condition "
              + number
              + " is not a known condition; allowed: ALWAYS (0), IF_ABSENT (1), IF_PRESENT (2)");
    }
    return switch (condition) {
      case WRITE_CONDITION_ALWAYS, UNRECOGNIZED -> WriteOptions.Condition.ALWAYS;
      case WRITE_CONDITION_IF_ABSENT -> WriteOptions.Condition.IF_ABSENT;
      case WRITE_CONDITION_IF_PRESENT -> WriteOptions.Condition.IF_PRESENT;
    };
  }

  /** A write's session timestamp: a hybrid logical clock value, 0 for none; never negative. */
  static long sessionTimestamp(long timestamp) {
    if (timestamp < 0) {
      throw GrpcErrors.invalid(
          "session_timestamp must be 0 (none) or a timestamp from a response, was " + timestamp);
    }
    return timestamp;
  }

  /** Bounds a causal context whose content is not used (reads, last-write-wins keyspaces). */
  static void causalContext(ByteString context) {
    if (context.size() > CAUSAL_CONTEXT_BYTES_MAX) {
      throw GrpcErrors.invalid(
          "causal_context of "
              + context.size()
              + " bytes exceeds its maximum ("
              + CAUSAL_CONTEXT_BYTES_MAX
              + ")");
    }
  }

  /**
   * A causal context a write in a causal keyspace carries: empty (a blind write) or a context a
   * read issued, checked whole (its CRC and shape) so that a damaged one is refused here naming the
   * field rather than deep in the service.
   */
  static byte[] causalContextForWrite(ByteString context) {
    causalContext(context);
    if (context.isEmpty()) {
      return new byte[0];
    }
    byte[] bytes = context.toByteArray();
    try {
      CausalCodec.decodeContext(bytes);
    } catch (CausalFormatException e) {
      throw GrpcErrors.invalid(
          "causal_context of "
              + bytes.length
              + " bytes is not a context a read issued ("
              + e.getMessage()
              + "); send the causal_context of a read of the key, or none for a blind write");
    }
    return bytes;
  }

  /** A write's idempotency key as UTF-8 bytes: null for none, else 1 to 64 bytes. */
  static byte[] idempotencyKey(ByteString keyUtf8) {
    if (keyUtf8.size() > IDEMPOTENCY_KEY_BYTES_MAX) {
      throw GrpcErrors.invalid(
          "idempotency_key of "
              + keyUtf8.size()
              + " bytes exceeds its maximum ("
              + IDEMPOTENCY_KEY_BYTES_MAX
              + ")");
    }
    return keyUtf8.isEmpty() ? null : keyUtf8.toByteArray();
  }

  /** A request's keyspace: null for the empty string (the default keyspace), else a valid name. */
  static String keyspace(String name) {
    if (name.isEmpty()) {
      return null;
    }
    if (!KEYSPACE_NAME.matcher(name).matches()) {
      throw GrpcErrors.invalid(
          "keyspace '"
              + (name.length() > 64 ? name.substring(0, 64) + "..." : name)
              + "' is not a keyspace name: 1 to 48 characters, a lower-case letter, then"
              + " lower-case letters, digits or '_' (empty for default)");
    }
    return name;
  }

  /** The members of a SetAdd or SetRemove: 1 to {@link #SET_MEMBERS_MAX}, each a valid value. */
  List<byte[]> members(List<ByteString> members) {
    if (members.isEmpty() || members.size() > SET_MEMBERS_MAX) {
      throw GrpcErrors.invalid(
          "members has "
              + members.size()
              + " entries; a set write takes 1 to "
              + SET_MEMBERS_MAX
              + " members");
    }
    List<byte[]> checked = new ArrayList<>(members.size());
    for (int i = 0; i < members.size(); i++) {
      ByteString member = members.get(i);
      if (member.size() > limits.valueBytesMax()) {
        throw GrpcErrors.overLimit(
            "members["
                + i
                + "] of "
                + member.size()
                + " bytes exceeds limits.value_bytes_max ("
                + limits.valueBytesMax()
                + ")",
            "limits.value_bytes_max");
      }
      checked.add(member.toByteArray());
    }
    return checked;
  }

  /** A MultiGet's key count: 1 to {@link #MULTI_GET_KEYS_MAX}. */
  static void multiGetKeys(int count) {
    if (count < 1 || count > MULTI_GET_KEYS_MAX) {
      throw GrpcErrors.invalid(
          "keys has " + count + " entries; a MultiGet takes 1 to " + MULTI_GET_KEYS_MAX + " keys");
    }
  }

  /** A scan cursor: "" or "0" for the start, else a token a ScanResponse carried. */
  ScanCursor cursor(String token) {
    if (token.isEmpty()) {
      return ScanCursor.START;
    }
    // A token is "k" plus two hex digits per key byte; anything longer cannot be one of ours.
    if (token.length() > 1 + 2L * limits.keyBytesMax()) {
      throw GrpcErrors.invalid(
          "cursor of " + token.length() + " characters is not a cursor this node issued");
    }
    try {
      return ScanCursor.parse(token);
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalid(
          "cursor: " + e.getMessage() + "; pass \"0\" or a cursor from a ScanResponse");
    }
  }

  /** A scan's page size: 0 for the default, else 1 to {@link #SCAN_PAGE_SIZE_MAX}. */
  static int pageSize(int requested) {
    if (requested == 0) {
      return SCAN_PAGE_SIZE_DEFAULT;
    }
    if (requested < 0 || requested > SCAN_PAGE_SIZE_MAX) {
      throw GrpcErrors.invalid(
          "page_size "
              + Integer.toUnsignedString(requested)
              + " exceeds its maximum ("
              + SCAN_PAGE_SIZE_MAX
              + ")");
    }
    return requested;
  }
}
