package io.ringkv.server.config;

/**
 * A value for one option as a source gave it, before parsing: a YAML scalar ({@link String}, {@link
 * Long}, {@link Double}, {@link Boolean} or null), a {@link Structure} where YAML had a mapping or
 * a list, or the text of an environment variable or a {@code --set} flag.
 *
 * @param value the raw value
 * @param source where it came from, as a phrase for messages: {@code in conf/ringkv.yaml line 3},
 *     {@code from environment variable RINGKV_RESP_PORT}, {@code from --set}
 */
record RawValue(Object value, String source) {

  /** A YAML mapping or list found where an option needs a single value. */
  enum Structure {
    MAPPING("mapping"),
    LIST("list");

    private final String description;

    Structure(String description) {
      this.description = description;
    }

    String description() {
      return description;
    }
  }
}
