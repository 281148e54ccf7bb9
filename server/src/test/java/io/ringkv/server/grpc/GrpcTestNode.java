package io.ringkv.server.grpc;

import io.ringkv.common.Clock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A real node for tests of the gRPC front end, the client and the CLI: a storage engine in a
 * directory, a {@link LocalKeyValueService} over it, and a {@link GrpcServer} on 127.0.0.1 with a
 * free port. A test may wrap the service (to record what reaches it) before the server sees it.
 */
public final class GrpcTestNode implements AutoCloseable {
  private final StorageEngine engine;
  private final LocalKeyValueService local;
  private final NodeMetrics metrics = new NodeMetrics();
  private final GrpcServer server;
  private boolean serverClosed;

  private GrpcTestNode(
      Path directory,
      Clock clock,
      LimitsConfig limits,
      ListenerConfig listener,
      UnaryOperator<KeyValueService> wrap)
      throws IOException {
    engine = StorageEngines.open(EngineOptions.defaults(directory).withClock(clock));
    local = new LocalKeyValueService(engine, clock, Durability.NONE);
    server = new GrpcServer(listener, limits, wrap.apply(local), metrics, clock);
    server.start();
  }

  /** Starts a node with default limits over {@code directory}. */
  public static GrpcTestNode start(Path directory, Clock clock) throws IOException {
    return start(directory, clock, LimitsConfig.defaults(), UnaryOperator.identity());
  }

  public static GrpcTestNode start(
      Path directory, Clock clock, LimitsConfig limits, UnaryOperator<KeyValueService> wrap)
      throws IOException {
    return new GrpcTestNode(directory, clock, limits, ListenerConfig.of("127.0.0.1", 0), wrap);
  }

  public static GrpcTestNode start(Path directory, Clock clock, ListenerConfig listener)
      throws IOException {
    return new GrpcTestNode(
        directory, clock, LimitsConfig.defaults(), listener, UnaryOperator.identity());
  }

  public InetSocketAddress address() {
    return server.boundAddress();
  }

  /** {@code 127.0.0.1:port}, as the CLI's --host takes it. */
  public String hostAndPort() {
    return "127.0.0.1:" + address().getPort();
  }

  public int port() {
    return address().getPort();
  }

  public GrpcServer server() {
    return server;
  }

  public LocalKeyValueService service() {
    return local;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  /** Stops the gRPC listener only, as a crashed or stopped node would look to clients. */
  public void stopServer() {
    if (!serverClosed) {
      serverClosed = true;
      server.close();
    }
  }

  @Override
  public void close() throws StorageException {
    stopServer();
    local.close();
    engine.close();
  }
}
