package io.ringkv.sim.raft;

import io.ringkv.sim.SimTime;

/**
 * What the clients do and how patient they are.
 *
 * @param keys how many keys they use (few: contention is what tests linearizability)
 * @param readShare the share of operations that are gets
 * @param compareAndSetShare the share that are compare-and-sets (the rest are puts)
 * @param thinkTimeMaxNanos the longest pause between an answer and the next invocation
 * @param attemptTimeoutNanos how long a client waits for one attempt's answer before trying the
 *     next member
 * @param operationDeadlineNanos how long a client keeps retrying one operation before giving up
 *     (the operation is then indeterminate)
 * @param backoffMaxNanos the longest pause before retrying after a refusal or a redirect
 */
public record Workload(
    int keys,
    double readShare,
    double compareAndSetShare,
    long thinkTimeMaxNanos,
    long attemptTimeoutNanos,
    long operationDeadlineNanos,
    long backoffMaxNanos) {
  public Workload {
    if (keys < 1 || keys > RaftPlan.KEYS_MAX) {
      throw new IllegalArgumentException(
          "keys must be in [1, " + RaftPlan.KEYS_MAX + "], was " + keys);
    }
    if (!(readShare >= 0 && compareAndSetShare >= 0 && readShare + compareAndSetShare <= 1)) {
      throw new IllegalArgumentException(
          "shares must be non-negative and sum to at most 1, were "
              + readShare
              + " and "
              + compareAndSetShare);
    }
    if (thinkTimeMaxNanos < 0
        || attemptTimeoutNanos <= 0
        || backoffMaxNanos < 0
        || operationDeadlineNanos < attemptTimeoutNanos) {
      throw new IllegalArgumentException(
          "times must satisfy 0 < attemptTimeout <= operationDeadline, think and backoff >= 0");
    }
  }

  /** Three keys, a third each of gets, puts and compare-and-sets, patient clients. */
  public static Workload defaults() {
    return new Workload(
        3,
        1 / 3.0,
        1 / 3.0,
        SimTime.millis(50),
        SimTime.millis(500),
        SimTime.seconds(5),
        SimTime.millis(20));
  }
}
