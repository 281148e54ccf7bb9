package io.ringkv.server.config;

import java.util.List;

/**
 * Bad configuration, rejected at start (STYLE.md §3): each problem names the option, the value,
 * where the value came from and what is allowed, or for an unknown option the nearest known one.
 * Every problem found is reported at once, one per line, so that a user fixes a file in one pass.
 */
public final class ConfigException extends IllegalArgumentException {
  private final List<String> problems;

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Each problem, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
