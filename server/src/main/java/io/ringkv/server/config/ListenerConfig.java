package io.ringkv.server.config;

/**
 * One client-facing listener.
 *
 * @param host address to bind (127.0.0.1 by default; 0.0.0.0 for every interface)
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxConnections connections accepted at once; more are refused with a clear error
 * @param idleTimeoutMillis a connection idle this long is closed; 0 never
 */
public record ListenerConfig(String host, int port, int maxConnections, long idleTimeoutMillis) {

  public static ListenerConfig of(String host, int port) {
    return new ListenerConfig(host, port, 10_000, 0);
  }

  public ListenerConfig withPort(int newPort) {
    return new ListenerConfig(host, newPort, maxConnections, idleTimeoutMillis);
  }
}
