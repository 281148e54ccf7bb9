package io.ringkv.sim;

/**
 * A property a checker found broken in a simulated run.
 *
 * @param checker which checker found it
 * @param atNanos the simulation's true time when it was found
 * @param message what is wrong, with the names and numbers needed to understand it
 */
public record Violation(String checker, long atNanos, String message) {
  @Override
  public String toString() {
    return "[" + checker + "] at " + SimTime.format(atNanos) + ": " + message;
  }
}
