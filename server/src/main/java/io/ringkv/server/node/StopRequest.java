package io.ringkv.server.node;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot request to stop the nodes a {@link NodeRunner} runs: made by SIGTERM or SIGINT (see
 * {@link #onTerminationSignals}), or by a caller of {@link #request} (tests, embedding).
 * Thread-safe.
 */
public final class StopRequest {
  private final CountDownLatch requested = new CountDownLatch(1);
  private volatile String reason = "";

  /** Asks for a stop; the first reason is kept, later requests change nothing. */
  public void request(String why) {
    synchronized (this) {
      if (requested.getCount() == 0) {
        return;
      }
      reason = why;
    }
    requested.countDown();
  }

  public boolean isRequested() {
    return requested.getCount() == 0;
  }

  /** Why the stop was requested ("SIGTERM"), or empty before. */
  public String reason() {
    return reason;
  }

  /** Waits until a stop is requested. */
  public void await() throws InterruptedException {
    requested.await();
  }

  /** Waits at most {@code millis}; true if a stop was requested. */
  public boolean await(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * A request made by the first SIGTERM or SIGINT (Ctrl-C) this process receives, so that the main
   * thread stops the nodes cleanly and the process exits 0. A second signal while stopping halts at
   * once with status 128 + signal number, for an operator who will not wait.
   *
   * <p>If this JVM does not let the signals be handled (see {@link TerminationSignals}), the
   * request is never made by a signal; the {@link NodeRunner}'s shutdown hook still stops the nodes
   * cleanly, but the exit status is then the JVM's (143 for SIGTERM, 130 for SIGINT). A warning
   * saying so is printed on {@code err}.
   */
  public static StopRequest onTerminationSignals(PrintWriter err) {
    StopRequest stop = new StopRequest();
    TerminationSignals.install(stop, err);
    return stop;
  }
}
