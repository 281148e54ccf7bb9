package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The set workload: each key {@code s<n>} is written once, with value {@code v<n>}, at QUORUM, by a
 * random coordinator (the nodes' durability is the run's; SYNC in the runs the loss checker
 * judges). Now and then a client reads an earlier key back at QUORUM. Writes arrive as a Poisson
 * stream, so that many are in flight at once when a fault strikes.
 *
 * <p>What it is for: {@link AcknowledgedWritesChecker} (no acknowledged write lost, no write that
 * was never attempted ever read). Not thread-safe: runs on the simulation's one thread.
 */
public final class SetWorkload {
  private final Clients clients;
  private final Rng rng;
  private final long meanIntervalNanos;
  private final double readShare;
  private final List<String> written = new ArrayList<>();
  private long endNanos;
  private int next;

  /**
   * @param meanIntervalNanos the mean time between two operations
   * @param readShare the share of operations that read an earlier key instead of writing
   */
  public SetWorkload(Clients clients, Rng rng, long meanIntervalNanos, double readShare) {
    this.clients = clients;
    this.rng = rng;
    this.meanIntervalNanos = meanIntervalNanos;
    this.readShare = readShare;
  }

  /** Sends operations from now until {@code endNanos} (true time). */
  public void run(long untilNanos) {
    this.endNanos = untilNanos;
    scheduleNext();
  }

  /** Keys written so far. */
  public int keys() {
    return next;
  }

  private void scheduleNext() {
    long gap = 1 + (long) (-meanIntervalNanos * StrictMath.log(1 - rng.nextDouble()));
    if (clients.cluster().nowNanos() + gap >= endNanos) {
      return;
    }
    clients.cluster().simulation().after(gap, this::operate);
  }

  private void operate() {
    String coordinator = clients.anyCoordinator();
    if (!written.isEmpty() && rng.chance(readShare)) {
      String key = written.get(rng.nextInt(written.size()));
      clients.send(
          History.Workload.SET,
          "set-reader",
          coordinator,
          ClientRequest.read(key, ConsistencyLevel.QUORUM),
          done -> {});
    } else {
      int n = next++;
      String key = "s" + n;
      written.add(key);
      clients.send(
          History.Workload.SET,
          "set-writer",
          coordinator,
          ClientRequest.write(key, "v" + n, ConsistencyLevel.QUORUM),
          done -> {});
    }
    scheduleNext();
  }
}
