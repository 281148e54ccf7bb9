package io.ringkv.server.config;

/**
 * The {@code http} or {@code grpc} section.
 *
 * @param enabled whether the node starts this front end
 * @param listener where it listens, how many connections it takes, when idle ones are closed
 */
public record FrontEndConfig(boolean enabled, ListenerConfig listener) implements FrontEndSection {
  public FrontEndConfig {
    if (listener == null) {
      throw new IllegalArgumentException("listener must not be null");
    }
  }
}
