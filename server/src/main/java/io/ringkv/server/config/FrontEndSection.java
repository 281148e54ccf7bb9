package io.ringkv.server.config;

/** What every front end's section has: whether it runs, and where it listens. */
public sealed interface FrontEndSection permits RespConfig, FrontEndConfig {

  /** Whether the node starts this front end. */
  boolean enabled();

  /** Where it listens and how many connections it takes. */
  ListenerConfig listener();
}
