package io.ringkv.client;

import java.time.Duration;

/** Checks shared by the option records. */
final class Options {
  private Options() {}

  /** Longest idempotency key, in UTF-8 bytes (the server's bound). */
  static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  /** A keyspace option: null for the empty string (the client's default); the node checks names. */
  static String keyspace(String name) {
    return name == null || name.isEmpty() ? null : name;
  }

  /** An idempotency key option: null for none, else 1 to 64 bytes of UTF-8. */
  static String idempotencyKey(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > IDEMPOTENCY_KEY_BYTES_MAX) {
      throw new IllegalArgumentException(
          "idempotencyKey of "
              + bytes
              + " bytes exceeds its maximum ("
              + IDEMPOTENCY_KEY_BYTES_MAX
              + ")");
    }
    return key;
  }

  static void checkTimeout(Duration timeout) {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }
}
