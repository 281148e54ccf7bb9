package io.ringkv.sim.membership;

import io.ringkv.sim.SeedResult;
import io.ringkv.sim.Violation;
import java.util.List;

/**
 * The outcome of one membership run.
 *
 * @param seed the seed that decided everything
 * @param plan the plan's one-line description
 * @param violations what the checkers found broken (empty: the run passed)
 * @param traceHash SHA-256 of the whole trace: equal for two runs of one seed
 * @param traceTail the trace's last lines
 * @param figures what the run measured
 * @param falseDownSamples a few false Downs under faults, for the curious
 */
public record RunResult(
    long seed,
    String plan,
    List<Violation> violations,
    String traceHash,
    List<String> traceTail,
    RunFigures figures,
    List<String> falseDownSamples)
    implements SeedResult {
  public RunResult {
    violations = List.copyOf(violations);
    traceTail = List.copyOf(traceTail);
    falseDownSamples = List.copyOf(falseDownSamples);
  }

  @Override
  public String describeFigures() {
    return figures.describe();
  }
}
