package io.ringkv.server.replication;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work that waits on an fsync (writes under {@code storage.fsync: sync}, hints stored with it), run
 * on virtual threads so that event loops never block, where many writes share one fsync through the
 * engine's group commit. At most {@link #tasksMax} run or wait at once: beyond, {@link #tryExecute}
 * refuses (back-pressure as a return value, never a queue without bound). Thread-safe.
 */
final class BlockingWork implements AutoCloseable {
  private final int tasksMax;
  private final AtomicInteger running = new AtomicInteger();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  BlockingWork(int tasksMax) {
    this.tasksMax = tasksMax;
  }

  /** Runs {@code task} on a virtual thread; false if {@link #tasksMax} are running or closed. */
  boolean tryExecute(Runnable task) {
    if (running.incrementAndGet() > tasksMax) {
      running.decrementAndGet();
      return false;
    }
    try {
      threads.execute(
          () -> {
            try {
              task.run();
            } finally {
              running.decrementAndGet();
            }
          });
      return true;
    } catch (RejectedExecutionException closed) {
      running.decrementAndGet();
      return false;
    }
  }

  int tasksMax() {
    return tasksMax;
  }

  @Override
  public void close() {
    threads.shutdown();
  }
}
