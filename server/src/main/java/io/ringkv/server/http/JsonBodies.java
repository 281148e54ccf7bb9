package io.ringkv.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;

/**
 * The JSON request bodies and their parsing, with errors that say exactly what is wrong and where:
 * the line and column of a syntax error, the name of an unknown field (Jackson's {@code
 * FAIL_ON_UNKNOWN_PROPERTIES}), the field that is missing or of the wrong type. Fields are read as
 * trees so that each type check, and its message, is ours.
 */
final class JsonBodies {
  private JsonBodies() {}

  /**
   * The body of {@code POST /api/v1/put}.
   *
   * @param key a JSON string: the key's UTF-8 text
   * @param value any JSON value
   */
  record PutBody(JsonNode key, JsonNode value) {
    static final String SHAPE = "expected a JSON object {\"key\": string, \"value\": any JSON}";
  }

  /**
   * The JSON envelope of {@code PUT /v1/kv/{key}} (Content-Type: application/json).
   *
   * @param value any JSON value, stored as {@link JsonView} says
   * @param ttlMillis optional time to live in milliseconds, a positive integer
   */
  record PutEnvelope(JsonNode value, JsonNode ttlMillis) {
    static final String SHAPE =
        "expected a JSON object {\"value\": any JSON, \"ttlMillis\": optional positive integer}";
  }

  /**
   * The body of {@code POST /api/v1/counter/incr}.
   *
   * @param key a JSON string: the key's UTF-8 text
   * @param by optional: the increment, a JSON integer in the range of a signed 64-bit integer
   *     (negative decrements), or a number with a fraction or exponent for an exact decimal
   *     increment (INCRBYFLOAT); 1 when absent
   * @param idempotencyKey optional: the write's idempotency key as a string (its UTF-8 bytes), as
   *     the {@code Idempotency-Key} header gives it
   */
  record CounterIncrementBody(JsonNode key, JsonNode by, JsonNode idempotencyKey) {
    static final String SHAPE =
        "expected a JSON object {\"key\": string, \"by\": optional number (default 1; a"
            + " fraction or exponent makes it a decimal increment),"
            + " \"idempotencyKey\": optional string}";
  }

  /**
   * The body of {@code POST /api/v1/set/add} and {@code /api/v1/set/remove}.
   *
   * @param key a JSON string: the key's UTF-8 text
   * @param members a non-empty JSON array of strings, each a member's UTF-8 text
   */
  record SetMembersBody(JsonNode key, JsonNode members) {
    static final String SHAPE =
        "expected a JSON object {\"key\": string, \"members\": non-empty array of strings}";
  }

  /**
   * The body of {@code PUT /v1/keyspaces/{name}}: exactly one of {@code replication_factor}
   * (SimpleStrategy) and {@code datacenters} (NetworkTopologyStrategy), the rest optional.
   *
   * @param replicationFactor replicas of each key, an integer
   * @param datacenters replicas per datacenter, an object of integers
   * @param conflicts {@code causal} or {@code lww}
   * @param readLevel the default consistency level of reads
   * @param writeLevel the default consistency level of writes
   * @param sloppyQuorum a boolean: whether writes may count stand-ins
   */
  record KeyspaceBody(
      @JsonProperty("replication_factor") JsonNode replicationFactor,
      @JsonProperty("datacenters") JsonNode datacenters,
      @JsonProperty("conflicts") JsonNode conflicts,
      @JsonProperty("read_level") JsonNode readLevel,
      @JsonProperty("write_level") JsonNode writeLevel,
      @JsonProperty("sloppy_quorum") JsonNode sloppyQuorum) {
    static final String SHAPE =
        "expected a JSON object {\"replication_factor\": integer | \"datacenters\": {\"dc\":"
            + " integer, ...}, \"conflicts\": optional \"causal\" or \"lww\", \"read_level\":"
            + " optional level, \"write_level\": optional level, \"sloppy_quorum\": optional"
            + " boolean}";
  }

  /**
   * A required field that must be a JSON string of Unicode text (no unpaired surrogate).
   *
   * @throws ProblemException naming the field when it is missing, not a string or not text
   */
  static String requiredText(JsonNode field, String name, String shape) {
    JsonNode node = required(field, name, shape);
    return text(node, name, shape);
  }

  /** {@code node} as a string of Unicode text; {@code name} is how the problem names it. */
  static String text(JsonNode node, String name, String shape) {
    if (!node.isTextual()) {
      throw Problem.badBody(
              "field '" + name + "' must be a JSON string, was " + describe(node) + "; " + shape)
          .with("field", name)
          .toException();
    }
    if (!JsonView.wellFormed(node.textValue())) {
      throw Problem.badBody(
              "field '" + name + "' holds an unpaired UTF-16 surrogate, which is not Unicode text")
          .with("field", name)
          .toException();
    }
    return node.textValue();
  }

  /** Whether an optional field was left out (absent or JSON null). */
  static boolean absent(JsonNode field) {
    return field == null || field.isNull();
  }

  /**
   * Parses {@code body} as a {@code type}.
   *
   * @param shape what the body should look like, quoted in errors
   * @throws ProblemException for an empty body, invalid JSON, a non-object or an unknown field
   */
  static <T> T read(byte[] body, Class<T> type, String shape) {
    if (blank(body)) {
      throw Problem.badBody("the body is empty; " + shape).toException();
    }
    try {
      return HttpJson.MAPPER.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      throw Problem.badBody(
              "unknown field '" + e.getPropertyName() + "'" + at(e.getLocation()) + "; " + shape)
          .with("field", e.getPropertyName())
          .toException();
    } catch (MismatchedInputException e) {
      // Every field is a tree, so the only mismatch left is the body itself not being an object.
      throw Problem.badBody("the body is not a JSON object" + at(e.getLocation()) + "; " + shape)
          .toException();
    } catch (JsonProcessingException e) {
      throw Problem.of(
              HttpResponseStatus.BAD_REQUEST,
              ProblemType.INVALID_JSON,
              "invalid JSON" + at(e.getLocation()) + ": " + e.getOriginalMessage())
          .toException();
    } catch (IOException e) {
      // Reading from a byte array does no I/O; keep the message should Jackson ever report one.
      throw Problem.of(
              HttpResponseStatus.BAD_REQUEST, ProblemType.INVALID_JSON, "invalid JSON: " + e)
          .toException();
    }
  }

  /** A required field: present, possibly JSON null. */
  static JsonNode required(JsonNode field, String name, String shape) {
    if (field == null) {
      throw Problem.badBody("missing field '" + name + "'; " + shape)
          .with("field", name)
          .toException();
    }
    return field;
  }

  /** Describes the JSON type of {@code node} for messages: "a number", "null", ... */
  static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case NUMBER -> "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case BINARY -> "binary";
      case MISSING -> "missing";
    };
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static boolean blank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
