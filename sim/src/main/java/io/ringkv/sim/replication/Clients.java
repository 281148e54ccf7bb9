package io.ringkv.sim.replication;

import io.ringkv.common.Rng;
import io.ringkv.sim.SimTime;
import java.util.List;
import java.util.function.Consumer;

/**
 * The clients' side of a run: sends requests to coordinators, records each in the {@link History},
 * and gives up on an answer after its own deadline ({@link ClientOutcome.Kind#NO_ANSWER}), as a
 * real client would when its coordinator crashed or froze. A client knows nothing of the cluster's
 * health: it picks a coordinator at random, and a refused connection is an answer like any other.
 *
 * <p>The deadline is longer than both coordinator timeouts, so a coordinator that runs always
 * answers first; only a dead or frozen one leaves the client without an answer.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class Clients {
  /** How much longer than the coordinator's timeouts a client waits. */
  public static final long DEADLINE_MARGIN_NANOS = SimTime.seconds(1);

  private final ReplicatedCluster cluster;
  private final History history;
  private final Rng rng;
  private final long deadlineNanos;

  public Clients(ReplicatedCluster cluster, History history, Rng rng) {
    this.cluster = cluster;
    this.history = history;
    this.rng = rng;
    this.deadlineNanos =
        Math.max(cluster.settings().readTimeoutNanos(), cluster.settings().writeTimeoutNanos())
            + DEADLINE_MARGIN_NANOS;
  }

  public History history() {
    return history;
  }

  public ReplicatedCluster cluster() {
    return cluster;
  }

  /** How long a client waits for an answer. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** A coordinator picked at random among every node (the client cannot tell who is up). */
  public String anyCoordinator() {
    List<String> names = cluster.names();
    return names.get(rng.nextInt(names.size()));
  }

  /**
   * A coordinator picked at random among every node but {@code previous} (a client retrying through
   * another node than the one that left it without a clear answer).
   */
  public String anotherCoordinator(String previous) {
    List<String> names = cluster.names();
    if (names.size() < 2) {
      return names.get(0);
    }
    String picked = names.get(rng.nextInt(names.size() - 1));
    return picked.equals(previous) ? names.get(names.size() - 1) : picked;
  }

  /**
   * Sends {@code request} from {@code client} to {@code coordinator}; {@code done} hears the ended
   * operation once: answered, or given up on at the deadline.
   */
  public History.Operation send(
      History.Workload workload,
      String client,
      String coordinator,
      ClientRequest request,
      Consumer<History.Operation> done) {
    History.Operation operation =
        history.start(workload, client, request, coordinator, cluster.nowNanos());
    cluster.submit(
        coordinator,
        request,
        outcome -> {
          if (operation.isOpen()) {
            history.end(operation, outcome, cluster.nowNanos());
            done.accept(operation);
          }
        });
    cluster
        .simulation()
        .after(
            deadlineNanos,
            () -> {
              if (operation.isOpen()) {
                history.end(
                    operation,
                    new ClientOutcome(
                        ClientOutcome.Kind.NO_ANSWER,
                        null,
                        0,
                        "no answer from "
                            + coordinator
                            + " in "
                            + SimTime.formatShort(deadlineNanos)),
                    cluster.nowNanos());
                done.accept(operation);
              }
            });
    return operation;
  }
}
