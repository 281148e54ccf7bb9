package io.ringkv.server.node;

import io.ringkv.server.cli.BuildInfo;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.grpc.GrpcServer;
import io.ringkv.server.http.HttpServer;
import io.ringkv.server.http.HttpServerInfo;

/**
 * The front ends that {@code ringkv server} and {@code ringkv up} run: the Redis protocol, HTTP and
 * gRPC, in that start order. Static helpers; thread-safe.
 */
public final class DefaultWiring {
  private DefaultWiring() {}

  /** The production wiring. */
  public static NodeWiring create() {
    NodeWiring wiring = NodeWiring.none();
    wiring =
        wiring
            .with(
                FrontEndKind.HTTP,
                (config, service, metrics) ->
                    new HttpServer(
                        config.http().listener(),
                        config.limits(),
                        service,
                        metrics,
                        new HttpServerInfo(BuildInfo.version(), config.node().id(), () -> true)))
            .with(
                FrontEndKind.GRPC,
                (config, service, metrics) ->
                    new GrpcServer(config.grpc().listener(), config.limits(), service, metrics));
    return wiring;
  }
}
