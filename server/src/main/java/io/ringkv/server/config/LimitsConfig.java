package io.ringkv.server.config;

/**
 * Bounds on client input, enforced by every front end at the edge with an error that names the
 * limit (STYLE.md §4).
 *
 * @param keyBytesMax largest key
 * @param valueBytesMax largest value
 * @param respBulkBytesMax largest RESP bulk string (an argument); at least keyBytesMax and
 *     valueBytesMax
 * @param respArgumentsMax most arguments in one RESP command (multibulk length)
 * @param respInlineBytesMax longest inline command line
 * @param httpBodyBytesMax largest HTTP request body
 * @param grpcMessageBytesMax largest gRPC message
 */
public record LimitsConfig(
    int keyBytesMax,
    int valueBytesMax,
    int respBulkBytesMax,
    int respArgumentsMax,
    int respInlineBytesMax,
    int httpBodyBytesMax,
    int grpcMessageBytesMax) {

  /** The defaults: keys up to 1 KiB, values up to 1 MiB. */
  public static LimitsConfig defaults() {
    return new LimitsConfig(
        1 << 10, 1 << 20, (1 << 20) + 1024, 1 << 16, 64 << 10, 4 << 20, 4 << 20);
  }
}
