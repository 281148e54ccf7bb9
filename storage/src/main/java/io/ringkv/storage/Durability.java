package io.ringkv.storage;

/** How durable a write is when the engine acknowledges it. */
public enum Durability {
  /**
   * Fsynced before the acknowledgement. Concurrent writers share one fsync (group commit), so the
   * cost is one fsync per group, not per write. Survives power loss.
   */
  SYNC,
  /**
   * Handed to the operating system before the acknowledgement (survives a process crash) and
   * fsynced by a background task every {@code EngineOptions.periodicSyncMillis}: a power loss loses
   * at most that window.
   */
  PERIODIC,
  /**
   * Handed to the operating system before the acknowledgement (survives a process crash), fsynced
   * only when a WAL segment is sealed, on flush, or on close.
   */
  NONE
}
