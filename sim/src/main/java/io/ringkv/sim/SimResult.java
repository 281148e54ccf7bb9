package io.ringkv.sim;

import java.util.List;

/**
 * The outcome of one seeded run of a simulator whose result is its figures and nothing more (the
 * Raft, metadata and replication simulators; the membership one keeps its own {@code RunResult},
 * which also carries samples of false Downs).
 *
 * @param seed the seed that decided everything
 * @param plan the plan's one-line description
 * @param violations what the checkers found broken (empty: the run passed)
 * @param traceHash SHA-256 of the whole trace: equal for two runs of one seed
 * @param traceTail the trace's last lines
 * @param figures what the run measured
 * @param <F> the simulator's figures
 */
public record SimResult<F extends SimResult.Figures>(
    long seed,
    String plan,
    List<Violation> violations,
    String traceHash,
    List<String> traceTail,
    F figures)
    implements SeedResult {
  public SimResult {
    violations = List.copyOf(violations);
    traceTail = List.copyOf(traceTail);
  }

  /** What one run measured. */
  public interface Figures {
    /** The figures on one line. */
    String describe();
  }

  @Override
  public String describeFigures() {
    return figures.describe();
  }
}
