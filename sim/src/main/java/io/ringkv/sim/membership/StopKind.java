package io.ringkv.sim.membership;

/** How a simulated node stopped. */
public enum StopKind {
  /** The process was killed (kill -9): the machine, and the page cache, stay up. */
  PROCESS_KILL(true),
  /** The machine lost power: unsynced data is lost, torn files possible. */
  POWER_LOSS(true),
  /** An fsync of the gossip state failed, and the node stopped rather than go on unsure. */
  FAILED_SYNC(true),
  /** The process is paused (a long GC, a suspended VM): it resumes later with its memory. */
  FREEZE(false);

  private final boolean crash;

  StopKind(boolean crash) {
    this.crash = crash;
  }

  /** True if the process is gone (it comes back only by a restart). */
  public boolean isCrash() {
    return crash;
  }
}
