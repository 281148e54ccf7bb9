package io.ringkv.server.node;

import io.ringkv.common.SystemClock;
import io.ringkv.server.cli.BuildInfo;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.grpc.GrpcServer;
import io.ringkv.server.http.HttpServer;
import io.ringkv.server.http.HttpServerInfo;
import io.ringkv.server.resp.RespServer;
import io.ringkv.server.resp.RespServerInfo;

/**
 * The front ends that {@code ringkv server} and {@code ringkv up} run: the Redis protocol, HTTP and
 * gRPC, in that start order. Static helpers; thread-safe.
 */
public final class DefaultWiring {
  private DefaultWiring() {}

  /** The production wiring: the three front ends and the cluster service. */
  public static NodeWiring create() {
    NodeWiring wiring = NodeWiring.none().withCluster(true);
    wiring =
        wiring
            .with(
                FrontEndKind.RESP,
                (config, service, metrics, cluster) ->
                    new RespServer(
                        config.resp().listener(),
                        config.limits(),
                        service,
                        metrics,
                        new RespServerInfo(
                            BuildInfo.version(),
                            config.node().id(),
                            RespServerInfo.randomRunId(),
                            config.resp().listener().port(),
                            SystemClock.INSTANCE.epochMillis(),
                            config.node().directory().toString(),
                            "",
                            config.storage().engine(),
                            config.storage().fsync()),
                        SystemClock.INSTANCE,
                        config.resp().requirepass().orElse(null),
                        config.resp().effectiveIoThreads()))
            .with(
                FrontEndKind.HTTP,
                (config, service, metrics, cluster) ->
                    new HttpServer(
                        config.http().listener(),
                        config.limits(),
                        service,
                        metrics,
                        new HttpServerInfo(
                            BuildInfo.version(), config.node().id(), () -> true, cluster)))
            .with(
                FrontEndKind.GRPC,
                (config, service, metrics, cluster) ->
                    new GrpcServer(config.grpc().listener(), config.limits(), service, metrics));
    return wiring;
  }
}
