package io.ringkv.server.http;

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
