package io.ringkv.client;

/**
 * What an increment did.
 *
 * @param value the counter's value after it, as its dot replica holds it
 * @param duplicate true if the idempotency key showed the increment was applied before (by an
 *     earlier attempt): it was not applied again
 */
public record IncrementResult(long value, boolean duplicate) {}
