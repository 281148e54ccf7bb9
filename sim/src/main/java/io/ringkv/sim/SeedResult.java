package io.ringkv.sim;

import java.util.List;

/**
 * What one seeded run of any simulator reports: enough for the seed tests' shared runner to judge
 * it, compare its replay's trace hash and print it when it fails.
 */
public interface SeedResult {
  /** The seed that decided everything. */
  long seed();

  /** The plan's one-line description. */
  String plan();

  /** What the checkers found broken (empty: the run passed). */
  List<Violation> violations();

  /** SHA-256 of the whole trace: equal for two runs of one seed. */
  String traceHash();

  /** The trace's last lines. */
  List<String> traceTail();

  /** What the run measured, on one line. */
  String describeFigures();

  default boolean passed() {
    return violations().isEmpty();
  }
}
