package io.ringkv.sim.replication;

import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimTime;
import io.ringkv.storage.Cell;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Concurrent writers to the same keys, the workload of issue 7's checkers: {@link #KEYS} keys
 * {@code causal<i>} written in causal mode and {@link #KEYS} keys {@code lww<i>} written
 * last-write-wins, each family by {@link #WRITERS} clients. A writer loops: pick a key of its
 * family, read it (at QUORUM, or ONE one time in five) through a random coordinator, then write a
 * value never written before: a causal writer with the context of its read (or, one time in five,
 * blind), an LWW writer plainly. Writers of one key race, so some writes are concurrent;
 * partitions, crashes and clock skew come from the run's chaos.
 *
 * <p>What it is for: {@link CausalChecker} (causal mode loses no acknowledged write; the LWW keys
 * count what last-write-wins drops). It notes, for each LWW write, the value its read returned.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class CausalWorkload {
  /** The prefix of the causal keys ({@code causal0}, …), apart from every other workload's. */
  public static final String CAUSAL_PREFIX = "causal";

  /** The prefix of the last-write-wins keys of the same workload. */
  public static final String LWW_PREFIX = "lww";

  /** Keys per family. */
  public static final int KEYS = 3;

  /** Writers per family. */
  public static final int WRITERS = 3;

  /** The longest pause of a writer between a write's answer and its next read. */
  public static final long THINK_MAX_NANOS = SimTime.millis(500);

  /**
   * The largest causal object a dot replica of the simulation keeps (larger updates are refused):
   * the hint segments and bounds the plan draws are above it, as the server sizes its segments
   * above the value limit.
   */
  public static final int OBJECT_BYTES_MAX = 8 * 1024;

  /** The prefix of the counter keys. */
  public static final String COUNTER_PREFIX = "counter";

  /** The prefix of the set keys. */
  public static final String SET_PREFIX = "oset";

  /** Counter and set keys, each. */
  public static final int CRDT_KEYS = 2;

  /** Elements a set client adds and removes. */
  public static final int SET_ELEMENTS = 4;

  /** Attempts of one keyed increment: the first and up to two retries after indeterminate ones. */
  public static final int INCREMENT_ATTEMPTS_MAX = 3;

  /**
   * The longest pause before retrying an indeterminate increment: long enough, often, for the
   * failure detectors to see a crashed or cut-off dot replica down, so the retry goes elsewhere.
   */
  public static final long RETRY_PAUSE_MAX_NANOS = SimTime.seconds(6);

  /** The largest magnitude of an increment's delta. */
  public static final int DELTA_MAX = 1_000_000;

  /** The share of causal writes sent blind (no context). */
  public static final double BLIND_SHARE = 0.2;

  private final Clients clients;
  private final Rng rng;
  private final Map<String, String> observedByLwwWrite = new TreeMap<>();
  private long endNanos;

  public CausalWorkload(Clients clients, Rng rng) {
    this.clients = clients;
    this.rng = rng;
  }

  /** Runs the writers from now until {@code untilNanos} (true time). */
  public void run(long untilNanos) {
    this.endNanos = untilNanos;
    for (int i = 0; i < WRITERS; i++) {
      String causalWriter = "causal" + i;
      String lwwWriter = "lww" + i;
      int[] causalCount = {0};
      int[] lwwCount = {0};
      later(() -> round(causalWriter, CAUSAL_PREFIX, causalCount));
      later(() -> round(lwwWriter, LWW_PREFIX, lwwCount));
      String counterClient = "counter" + i;
      int[] increments = {0};
      later(() -> increment(counterClient, increments));
      String setClient = "oset" + i;
      later(() -> updateSet(setClient));
    }
  }

  /**
   * An increment of a random counter with a fresh idempotency key. An indeterminate one (its first
   * dot replica may have applied it, then been cut off or crashed before the answer came back) is
   * retried with the same key, as a careful client would: after a pause long enough for the cluster
   * to see a dead dot replica down, through another coordinator, so the retry often reaches another
   * dot replica that has not seen the first attempt; at most {@link #INCREMENT_ATTEMPTS_MAX}
   * attempts. Deltas are drawn from a wide range so that a double count cannot hide behind another
   * one of opposite sign.
   */
  private void increment(String client, int[] count) {
    String key = COUNTER_PREFIX + rng.nextInt(CRDT_KEYS);
    long magnitude = 1 + rng.nextInt(DELTA_MAX);
    long delta = rng.nextBoolean() ? magnitude : -magnitude;
    ClientRequest request =
        ClientRequest.increment(
            key, delta, client.substring(client.length() - 1) + "." + ++count[0], level());
    attempt(client, count, request, clients.anyCoordinator(), 1);
  }

  private void attempt(
      String client, int[] count, ClientRequest request, String coordinator, int attempt) {
    clients.send(
        History.Workload.CAUSAL,
        client,
        coordinator,
        request,
        done -> {
          if (done.outcome().indeterminate() && attempt < INCREMENT_ATTEMPTS_MAX) {
            long pause = 1 + rng.nextLong(RETRY_PAUSE_MAX_NANOS);
            if (clients.cluster().nowNanos() + pause < endNanos) {
              String next = clients.anotherCoordinator(coordinator);
              clients
                  .cluster()
                  .simulation()
                  .after(pause, () -> attempt(client, count, request, next, attempt + 1));
              return;
            }
          }
          later(() -> increment(client, count));
        });
  }

  private void updateSet(String client) {
    String key = SET_PREFIX + rng.nextInt(CRDT_KEYS);
    String element = "e" + rng.nextInt(SET_ELEMENTS);
    clients.send(
        History.Workload.CAUSAL,
        client,
        clients.anyCoordinator(),
        ClientRequest.setUpdate(key, element, rng.chance(0.6), level()),
        done -> later(() -> updateSet(client)));
  }

  private ConsistencyLevel level() {
    return rng.chance(0.2) ? ConsistencyLevel.ONE : ConsistencyLevel.QUORUM;
  }

  /** For each LWW write's value, the value its read returned (absent: none, or the read failed). */
  public Map<String, String> observedByLwwWrite() {
    return Collections.unmodifiableMap(observedByLwwWrite);
  }

  private void round(String writer, String family, int[] count) {
    String key = family + rng.nextInt(KEYS);
    ConsistencyLevel level = rng.chance(0.2) ? ConsistencyLevel.ONE : ConsistencyLevel.QUORUM;
    clients.send(
        History.Workload.CAUSAL,
        writer,
        clients.anyCoordinator(),
        ClientRequest.read(key, level),
        read -> {
          String value = key + "." + writer + "." + ++count[0];
          ClientRequest write;
          if (family.equals(CAUSAL_PREFIX)) {
            VersionVector context = null;
            if (read.succeeded() && !rng.chance(BLIND_SHARE)) {
              context = contextOf(read.outcome().cell());
            }
            write = ClientRequest.causalWrite(key, value, context, level);
          } else {
            if (read.succeeded() && read.outcome().value() != null) {
              observedByLwwWrite.put(value, read.outcome().value());
            }
            write = ClientRequest.write(key, value, level);
          }
          clients.send(
              History.Workload.CAUSAL,
              writer,
              clients.anyCoordinator(),
              write,
              done -> later(() -> round(writer, family, count)));
        });
  }

  private static VersionVector contextOf(Cell cell) {
    if (cell == null || !CausalCells.isCausal(cell)) {
      return VersionVector.empty();
    }
    try {
      return CausalCells.register(cell).context();
    } catch (CausalFormatException e) {
      throw new IllegalStateException("a read returned a causal cell that does not decode", e);
    }
  }

  private void later(Runnable operation) {
    long pause = 1 + rng.nextLong(THINK_MAX_NANOS);
    if (clients.cluster().nowNanos() + pause < endNanos) {
      clients.cluster().simulation().after(pause, operation);
    }
  }
}
