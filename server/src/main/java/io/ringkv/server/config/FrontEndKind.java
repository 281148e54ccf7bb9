package io.ringkv.server.config;

/** The client-facing front ends a node can run, each configured by the section of its name. */
public enum FrontEndKind {
  /** The Redis protocol (RESP2 and RESP3), section {@code resp}. */
  RESP("resp"),
  /** HTTP/JSON, section {@code http}. */
  HTTP("http"),
  /** gRPC, section {@code grpc}. */
  GRPC("grpc");

  private final String section;

  FrontEndKind(String section) {
    this.section = section;
  }

  /**
   * The configuration section and the front end's name: {@code resp}, {@code http}, {@code grpc}.
   */
  public String section() {
    return section;
  }
}
