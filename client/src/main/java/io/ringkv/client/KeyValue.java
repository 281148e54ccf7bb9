package io.ringkv.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key and its value, as a scan returns them.
 *
 * @param key the key
 * @param value its value
 */
public record KeyValue(byte[] key, Value value) {

  public KeyValue {
    if (key == null || value == null) {
      throw new IllegalArgumentException("key and value must not be null");
    }
  }

  /** The key decoded as UTF-8 (malformed bytes become U+FFFD). */
  public String keyUtf8() {
    return new String(key, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue other
        && Arrays.equals(key, other.key)
        && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key) * 31 + value.hashCode();
  }

  @Override
  public String toString() {
    return "KeyValue{" + keyUtf8() + " = " + value + "}";
  }
}
