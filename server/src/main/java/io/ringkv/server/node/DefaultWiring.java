package io.ringkv.server.node;

/**
 * The front ends that {@code ringkv server} and {@code ringkv up} run: the Redis protocol, HTTP and
 * gRPC, in that start order. Static helpers; thread-safe.
 */
public final class DefaultWiring {
  private DefaultWiring() {}

  /** The production wiring. */
  public static NodeWiring create() {
    NodeWiring wiring = NodeWiring.none();
    // ---- The real front ends, one line each (RESP, then HTTP, then gRPC), e.g.:
    // wiring = wiring.with(FrontEndKind.RESP, (config, service, metrics) -> new RespServer(...));
    // ---- end of the front end list.
    return wiring;
  }
}
