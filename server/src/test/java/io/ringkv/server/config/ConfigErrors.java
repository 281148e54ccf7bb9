package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.assertj.core.api.ThrowableAssert;

/** The problems a configuration is refused with. */
final class ConfigErrors {
  private ConfigErrors() {}

  static List<String> of(ThrowableAssert.ThrowingCallable load) {
    ConfigException refused = catchThrowableOfType(ConfigException.class, load);
    if (refused == null) {
      throw new AssertionError("the configuration was accepted");
    }
    return refused.problems();
  }
}
