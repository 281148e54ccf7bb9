package io.ringkv.server;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A client-facing listener of the node (Redis protocol, HTTP, gRPC). The node starts each one after
 * the engine is open and closes each one before the engine closes.
 */
public interface FrontEnd extends AutoCloseable {

  /** Short name for logs and metrics: {@code resp}, {@code http}, {@code grpc}. */
  String name();

  /**
   * Binds and starts serving.
   *
   * @throws IOException if the address cannot be bound; the message names the address
   */
  void start() throws IOException;

  /** Where it listens (the real port when configured with port 0). Valid after {@link #start}. */
  InetSocketAddress boundAddress();

  /** Stops accepting, closes connections, waits for in-flight requests a bounded time. */
  @Override
  void close();
}
