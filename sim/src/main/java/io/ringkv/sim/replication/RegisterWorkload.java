package io.ringkv.sim.replication;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import io.ringkv.sim.SimTime;

/**
 * The register workload: a few keys {@code r<i>}, each with one writer that writes increasing
 * values {@code r<i>.<k>} (or, one time in ten, deletes the key) at QUORUM and reads its key back
 * at QUORUM, one operation at a time, through a random coordinator each time; other clients read
 * the keys at QUORUM too. A value is never written twice: after a failed write the writer goes on
 * with the next number.
 *
 * <p>Each client keeps a session: the highest HLC timestamp it has been told of (a write's stamp, a
 * read's cell), sent with every request, so that coordinators order its writes as issued
 * (docs/design/simulator.md explains why the session is needed). What it is for: {@link
 * SessionChecker} (read-your-writes and monotonic QUORUM reads).
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class RegisterWorkload {
  /** The longest pause of a client between two operations. */
  public static final long THINK_MAX_NANOS = SimTime.millis(1_000);

  /** The share of a writer's operations that delete its key (a tombstone must not lose either). */
  public static final double DELETE_SHARE = 0.1;

  private final Clients clients;
  private final Rng rng;
  private final int registers;
  private final int readers;
  private final double readBackShare;
  private long endNanos;
  private long writes;

  /**
   * @param registers how many keys, each with its own writer
   * @param readers how many other clients read them
   * @param readBackShare the chance that a writer reads its key after each write
   */
  public RegisterWorkload(
      Clients clients, Rng rng, int registers, int readers, double readBackShare) {
    this.clients = clients;
    this.rng = rng;
    this.registers = registers;
    this.readers = readers;
    this.readBackShare = readBackShare;
  }

  /** Runs the writers and readers from now until {@code endNanos} (true time). */
  public void run(long untilNanos) {
    this.endNanos = untilNanos;
    for (int i = 0; i < registers; i++) {
      Session writer = new Session("writer" + i);
      String key = "r" + i;
      later(() -> write(writer, key, 1));
    }
    for (int j = 0; j < readers; j++) {
      Session reader = new Session("reader" + j);
      later(() -> read(reader));
    }
  }

  /** Writes sent so far. */
  public long writes() {
    return writes;
  }

  /** A client's session: its name and the highest timestamp it has been told of. */
  private static final class Session {
    final String client;
    long timestamp;

    Session(String client) {
      this.client = client;
    }

    void learn(History.Operation operation) {
      timestamp = Math.max(timestamp, operation.outcome().timestamp());
    }
  }

  private void write(Session writer, String key, int number) {
    writes++;
    ClientRequest request =
        rng.chance(DELETE_SHARE)
            ? ClientRequest.delete(key, ConsistencyLevel.QUORUM).inSession(writer.timestamp)
            : ClientRequest.write(key, key + "." + number, ConsistencyLevel.QUORUM)
                .inSession(writer.timestamp);
    clients.send(
        History.Workload.REGISTER,
        writer.client,
        clients.anyCoordinator(),
        request,
        done -> {
          writer.learn(done);
          if (rng.chance(readBackShare)) {
            clients.send(
                History.Workload.REGISTER,
                writer.client,
                clients.anyCoordinator(),
                ClientRequest.read(key, ConsistencyLevel.QUORUM).inSession(writer.timestamp),
                read -> {
                  writer.learn(read);
                  later(() -> write(writer, key, number + 1));
                });
          } else {
            later(() -> write(writer, key, number + 1));
          }
        });
  }

  private void read(Session reader) {
    String key = "r" + rng.nextInt(registers);
    clients.send(
        History.Workload.REGISTER,
        reader.client,
        clients.anyCoordinator(),
        ClientRequest.read(key, ConsistencyLevel.QUORUM).inSession(reader.timestamp),
        done -> {
          reader.learn(done);
          later(() -> read(reader));
        });
  }

  private void later(Runnable operation) {
    long pause = 1 + rng.nextLong(THINK_MAX_NANOS);
    if (clients.cluster().nowNanos() + pause < endNanos) {
      clients.cluster().simulation().after(pause, operation);
    }
  }
}
