package io.ringkv.server.node;

import java.util.List;

/**
 * A node stopped, but not cleanly: a front end did not finish in time, or syncing or closing the
 * storage failed. Thrown by {@link Node#close()} only after every stop step has been attempted; the
 * message lists each problem, one per line.
 */
public final class NodeStopException extends RuntimeException {
  private final List<String> problems;

  public NodeStopException(String nodeId, List<String> problems) {
    super("node " + nodeId + " did not stop cleanly:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, in the order met. */
  public List<String> problems() {
    return problems;
  }
}
