package io.ringkv.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code host:port} pair from the configuration ({@code 127.0.0.1:7000}, {@code [::1]:7000},
 * {@code db1.example.com:7000}). Immutable value.
 *
 * @param host a host name or IP literal (without brackets)
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [1, 65535], was " + port);
    }
  }

  /**
   * Parses {@code host:port}; an IPv6 literal is written in brackets.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static HostPort parse(String text) {
    String trimmed = text.trim();
    int colon = trimmed.lastIndexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String host = trimmed.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          "'" + text + "' is not host:port (write an IPv6 address in brackets: [::1]:7000)");
    }
    int port;
    try {
      port = Integer.parseInt(trimmed.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("'" + text + "' has port " + port + ", not 1 to 65535");
    }
    return new HostPort(host, port);
  }

  /** A comma-separated list of {@code host:port}; empty text is an empty list. */
  public static List<HostPort> parseList(String text) {
    List<HostPort> list = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        list.add(parse(part));
      }
    }
    return List.copyOf(list);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
