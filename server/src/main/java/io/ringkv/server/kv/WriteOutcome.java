package io.ringkv.server.kv;

/**
 * What a write did.
 *
 * @param applied false if its condition did not hold (nothing was written)
 * @param previous the live value before the write, if the options asked for it (else absent)
 * @param timestamp the timestamp the write was stamped with (0 if not applied)
 */
public record WriteOutcome(boolean applied, Versioned previous, long timestamp) {
  public WriteOutcome {
    previous = previous == null ? Versioned.absent() : previous;
  }
}
