package io.ringkv.server.resp;

/**
 * The names by which error replies refer to the limits of {@link
 * io.ringkv.server.config.LimitsConfig} and {@link io.ringkv.server.config.ListenerConfig}: the
 * names an operator finds in conf/ringkv.yaml.
 */
final class LimitNames {
  static final String KEY_BYTES_MAX = "key_bytes_max";
  static final String VALUE_BYTES_MAX = "value_bytes_max";
  static final String RESP_BULK_BYTES_MAX = "resp_bulk_bytes_max";
  static final String RESP_ARGUMENTS_MAX = "resp_arguments_max";
  static final String RESP_INLINE_BYTES_MAX = "resp_inline_bytes_max";

  private LimitNames() {}
}
