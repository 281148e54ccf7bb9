package io.ringkv.sim.metadata;

import io.ringkv.sim.SeedResult;
import io.ringkv.sim.Violation;
import java.util.List;

/**
 * The outcome of one metadata run.
 *
 * @param seed the seed that decided everything
 * @param plan the plan's one-line description
 * @param violations what the checkers found broken (empty: the run passed)
 * @param traceHash SHA-256 of the whole trace: equal for two runs of one seed
 * @param traceTail the trace's last lines
 * @param figures what the run measured
 */
public record MetadataRunResult(
    long seed,
    String plan,
    List<Violation> violations,
    String traceHash,
    List<String> traceTail,
    MetadataRunFigures figures)
    implements SeedResult {
  public MetadataRunResult {
    violations = List.copyOf(violations);
    traceTail = List.copyOf(traceTail);
  }

  @Override
  public String describeFigures() {
    return figures.describe();
  }
}
