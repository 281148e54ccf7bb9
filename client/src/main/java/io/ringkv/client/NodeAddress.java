package io.ringkv.client;

/**
 * Where a node's gRPC front end listens.
 *
 * @param host a host name or IP address (IPv6 without brackets)
 * @param port a TCP port, 1 to 65535
 */
public record NodeAddress(String host, int port) {
  /** The gRPC port of a node with the default configuration. */
  public static final int DEFAULT_PORT = 9090;

  public NodeAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(
          "port " + port + " of " + host + " is out of range; allowed: 1 to 65535");
    }
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port}, or a bare host or {@code [ipv6]} (port {@value
   * #DEFAULT_PORT}).
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static NodeAddress parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    String host;
    String port = null;
    if (trimmed.startsWith("[")) {
      int close = trimmed.indexOf(']');
      if (close < 0) {
        throw malformed(text);
      }
      host = trimmed.substring(1, close);
      String rest = trimmed.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw malformed(text);
        }
        port = rest.substring(1);
      }
    } else {
      int colon = trimmed.lastIndexOf(':');
      if (colon >= 0 && trimmed.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "node address '" + text + "': write an IPv6 address in brackets, as [::1]:9090");
      }
      host = colon < 0 ? trimmed : trimmed.substring(0, colon);
      port = colon < 0 ? null : trimmed.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw malformed(text);
    }
    if (port == null) {
      return new NodeAddress(host, DEFAULT_PORT);
    }
    try {
      return new NodeAddress(host, Integer.parseInt(port));
    } catch (NumberFormatException e) {
      throw malformed(text);
    }
  }

  private static IllegalArgumentException malformed(String text) {
    return new IllegalArgumentException(
        "node address '" + text + "' is not host:port (for example 127.0.0.1:9090 or [::1]:9090)");
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
