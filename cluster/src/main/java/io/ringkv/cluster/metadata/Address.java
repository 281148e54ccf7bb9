package io.ringkv.cluster.metadata;

/**
 * Where a member listens: one host and a port per protocol. The internode port is always served; a
 * client port of 0 means that front end is disabled on this node.
 *
 * <p>Immutable value.
 *
 * @param host a host name or IP literal, 1 to 253 characters without whitespace
 * @param internodePort the internode (cluster) port, 1 to 65535
 * @param respPort the Redis protocol port, 0 (disabled) to 65535
 * @param httpPort the HTTP port, 0 (disabled) to 65535
 * @param grpcPort the gRPC port, 0 (disabled) to 65535
 */
public record Address(String host, int internodePort, int respPort, int httpPort, int grpcPort) {
  /** The longest host name (DNS's limit). */
  public static final int HOST_CHARS_MAX = 253;

  public Address {
    if (host == null || host.isEmpty() || host.length() > HOST_CHARS_MAX) {
      throw new IllegalArgumentException(
          "address host '" + host + "' must be 1 to " + HOST_CHARS_MAX + " characters");
    }
    for (int i = 0; i < host.length(); i++) {
      if (Character.isWhitespace(host.charAt(i)) || Character.isISOControl(host.charAt(i))) {
        throw new IllegalArgumentException(
            "address host '" + host + "' must not contain whitespace or control characters");
      }
    }
    checkPort("internode port", internodePort, 1);
    checkPort("resp port", respPort, 0);
    checkPort("http port", httpPort, 0);
    checkPort("grpc port", grpcPort, 0);
  }

  /**
   * Node {@code i}'s address on one host under {@code ringkv up}: 7000, 6379, 8080 and 9090 plus
   * {@code i - 1} (DESIGN.md, "Ports and names").
   */
  public static Address local(String host, int nodeNumber) {
    if (nodeNumber < 1 || nodeNumber > 1000) {
      throw new IllegalArgumentException("node number must be in [1, 1000], was " + nodeNumber);
    }
    int offset = nodeNumber - 1;
    return new Address(host, 7000 + offset, 6379 + offset, 8080 + offset, 9090 + offset);
  }

  private static void checkPort(String field, int port, int lowest) {
    if (port < lowest || port > 65_535) {
      throw new IllegalArgumentException(
          field + " must be in [" + lowest + ", 65535], was " + port);
    }
  }

  @Override
  public String toString() {
    return host
        + " internode "
        + internodePort
        + " resp "
        + respPort
        + " http "
        + httpPort
        + " grpc "
        + grpcPort;
  }
}
