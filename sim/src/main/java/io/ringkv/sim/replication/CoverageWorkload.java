package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;

/**
 * Traffic for coverage, judged only by convergence and by the absence of exceptions: writes at
 * every level (ANY, ONE, TWO, QUORUM, ALL), deletes, writes with a time to live, and reads at ONE,
 * TWO, QUORUM and ALL, over a small set of keys {@code c<i>} so that they collide.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class CoverageWorkload {
  private static final ConsistencyLevel[] WRITE_LEVELS = {
    ConsistencyLevel.ANY,
    ConsistencyLevel.ONE,
    ConsistencyLevel.TWO,
    ConsistencyLevel.QUORUM,
    ConsistencyLevel.ALL
  };
  private static final ConsistencyLevel[] READ_LEVELS = {
    ConsistencyLevel.ONE, ConsistencyLevel.TWO, ConsistencyLevel.QUORUM, ConsistencyLevel.ALL
  };

  private final Clients clients;
  private final Rng rng;
  private final int keys;
  private final long meanIntervalNanos;
  private long endNanos;
  private long written;

  public CoverageWorkload(Clients clients, Rng rng, int keys, long meanIntervalNanos) {
    this.clients = clients;
    this.rng = rng;
    this.keys = keys;
    this.meanIntervalNanos = meanIntervalNanos;
  }

  /** Sends operations from now until {@code endNanos} (true time). */
  public void run(long untilNanos) {
    this.endNanos = untilNanos;
    scheduleNext();
  }

  private void scheduleNext() {
    long gap = 1 + (long) (-meanIntervalNanos * StrictMath.log(1 - rng.nextDouble()));
    if (clients.cluster().nowNanos() + gap < endNanos) {
      clients.cluster().simulation().after(gap, this::operate);
    }
  }

  private void operate() {
    String key = "c" + rng.nextInt(keys);
    ClientRequest request;
    double roll = rng.nextDouble();
    if (roll < 0.4) {
      request = ClientRequest.read(key, READ_LEVELS[rng.nextInt(READ_LEVELS.length)]);
    } else if (roll < 0.55) {
      request = ClientRequest.delete(key, WRITE_LEVELS[rng.nextInt(WRITE_LEVELS.length)]);
    } else {
      request =
          ClientRequest.write(
              key, key + "-" + ++written, WRITE_LEVELS[rng.nextInt(WRITE_LEVELS.length)]);
      if (rng.chance(0.2)) {
        request = request.withTtl(200 + rng.nextInt(5_000));
      }
    }
    clients.send(
        History.Workload.COVERAGE, "coverage", clients.anyCoordinator(), request, done -> {});
    scheduleNext();
  }
}
