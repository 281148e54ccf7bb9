package io.ringkv.client;

import java.time.Duration;

/** Checks shared by the option records. */
final class Options {
  private Options() {}

  static void checkTimeout(Duration timeout) {
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }
}
