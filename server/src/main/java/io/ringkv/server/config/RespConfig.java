package io.ringkv.server.config;

import java.util.Optional;

/**
 * The {@code resp} section: the Redis protocol front end.
 *
 * @param enabled whether the node starts it
 * @param listener where it listens, how many connections it takes, when idle ones are closed
 * @param requirepass when present, clients must {@code AUTH} with it before any other command (as
 *     Redis's {@code requirepass}); never printed
 */
public record RespConfig(boolean enabled, ListenerConfig listener, Optional<String> requirepass)
    implements FrontEndSection {

  public RespConfig {
    if (listener == null || requirepass == null) {
      throw new IllegalArgumentException("listener and requirepass must not be null");
    }
  }

  /** Hides the password: configurations are printed in logs and test failures. */
  @Override
  public String toString() {
    return "RespConfig[enabled="
        + enabled
        + ", listener="
        + listener
        + ", requirepass="
        + (requirepass.isPresent() ? "(set)" : "(none)")
        + "]";
  }
}
