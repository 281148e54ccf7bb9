package io.ringkv.sim.raft;

/** How a simulated Raft member stopped. */
public enum MemberStop {
  /** The process was killed (kill -9): the machine and its page cache stay up; ports refuse. */
  PROCESS_KILL,
  /** The machine lost power: unsynced data lost, unsynced tails torn; it answers nothing. */
  POWER_LOSS,
  /** A write or fsync of its Raft log failed; it stopped rather than go on unsure of its disk. */
  FAILED_SYNC,
  /** The process is paused (GC, suspended VM): no ticks, messages wait in its sockets. */
  FREEZE,
  /** The operator retired it after its removal from the group: it never comes back. */
  DECOMMISSION;

  /** Whether the process is gone and comes back only by a restart (or never). */
  boolean endsProcess() {
    return this != FREEZE;
  }
}
