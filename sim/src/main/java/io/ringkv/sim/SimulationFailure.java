package io.ringkv.sim;

/**
 * Ends a simulated run at once: the code under test threw (a broken invariant of the protocol, or a
 * misuse by the simulator), and nothing after it can be trusted. The run reports it as a violation
 * with the trace's tail; the cause carries the original stack trace.
 */
public final class SimulationFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SimulationFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
