package io.ringkv.sim.replication;

import io.ringkv.sim.SimTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every client operation of a run, as the clients saw it: what was asked, of which coordinator,
 * when it was sent and when (and how) it was answered, in true time. The checkers judge the run
 * from this record and from the nodes' stores, never from the protocol's internals.
 *
 * <p>Bounds: at most {@link #OPERATIONS_MAX} operations (a runaway workload is a programmer error).
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class History {
  /** The most operations one run may record. */
  public static final int OPERATIONS_MAX = 1_000_000;

  /** Which workload an operation belongs to (each has its own keys). */
  public enum Workload {
    /** Each key written once, at QUORUM: the no-acknowledged-write-lost check. */
    SET,
    /** One writer per key writing increasing values, readers reading: the session checks. */
    REGISTER,
    /** Deletes, TTLs and every level, for coverage: only convergence judges them. */
    COVERAGE,
    /**
     * Concurrent writers to the same keys, reading first: causal writes to keys {@code causal<i>},
     * and the same in last-write-wins to {@code lww<i>} for comparison ({@link CausalChecker}).
     */
    CAUSAL,
    /** The reads after healing. */
    FINAL
  }

  /** One client operation. Mutable until it ends. */
  public static final class Operation {
    private final long id;
    private final Workload workload;
    private final String client;
    private final ClientRequest request;
    private final String coordinator;
    private final long startNanos;
    private long endNanos = -1;
    private ClientOutcome outcome;

    Operation(
        long id,
        Workload workload,
        String client,
        ClientRequest request,
        String coordinator,
        long startNanos) {
      this.id = id;
      this.workload = workload;
      this.client = client;
      this.request = request;
      this.coordinator = coordinator;
      this.startNanos = startNanos;
    }

    public long id() {
      return id;
    }

    public Workload workload() {
      return workload;
    }

    public String client() {
      return client;
    }

    public ClientRequest request() {
      return request;
    }

    public String key() {
      return request.key();
    }

    public String coordinator() {
      return coordinator;
    }

    /** When the client sent it (true time). */
    public long startNanos() {
      return startNanos;
    }

    /** When the client heard the outcome, or -1 while it is open. */
    public long endNanos() {
      return endNanos;
    }

    public boolean isOpen() {
      return outcome == null;
    }

    /** The outcome, or null while open. */
    public ClientOutcome outcome() {
      return outcome;
    }

    public boolean succeeded() {
      return outcome != null && outcome.succeeded();
    }

    /** True if it ended (successfully or not) before {@code other} started. */
    public boolean endedBefore(Operation other) {
      return outcome != null && endNanos < other.startNanos;
    }

    void end(long nowNanos, ClientOutcome newOutcome) {
      if (outcome != null) {
        throw new IllegalStateException("operation " + id + " already ended: " + outcome);
      }
      endNanos = nowNanos;
      outcome = Objects.requireNonNull(newOutcome, "outcome");
    }

    @Override
    public String toString() {
      return "op"
          + id
          + " "
          + client
          + "@"
          + coordinator
          + " "
          + request.kind()
          + " "
          + request.key()
          + (request.value() == null ? "" : "=" + request.value())
          + " "
          + request.level()
          + " ["
          + SimTime.format(startNanos)
          + ", "
          + (endNanos < 0 ? "open" : SimTime.format(endNanos))
          + "] "
          + (outcome == null ? "" : outcome.toString());
    }
  }

  /** Hears operations start and end. */
  public interface Listener {
    default void onStart(Operation operation) {}

    default void onEnd(Operation operation) {}
  }

  private final List<Operation> operations = new ArrayList<>();
  private final TreeMap<String, List<Operation>> byKey = new TreeMap<>();
  private final List<Listener> listeners = new ArrayList<>();

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Records that {@code client} sent {@code request} to {@code coordinator} at {@code nowNanos}.
   */
  public Operation start(
      Workload workload, String client, ClientRequest request, String coordinator, long nowNanos) {
    if (operations.size() >= OPERATIONS_MAX) {
      throw new IllegalStateException(
          "more than OPERATIONS_MAX (" + OPERATIONS_MAX + ") operations");
    }
    Operation operation =
        new Operation(operations.size() + 1L, workload, client, request, coordinator, nowNanos);
    operations.add(operation);
    byKey.computeIfAbsent(request.key(), k -> new ArrayList<>()).add(operation);
    for (Listener listener : listeners) {
      listener.onStart(operation);
    }
    return operation;
  }

  /** Records the outcome of {@code operation}, heard at {@code nowNanos}. */
  public void end(Operation operation, ClientOutcome outcome, long nowNanos) {
    operation.end(nowNanos, outcome);
    for (Listener listener : listeners) {
      listener.onEnd(operation);
    }
  }

  /** Every operation, in the order sent. */
  public List<Operation> operations() {
    return Collections.unmodifiableList(operations);
  }

  /** The operations on {@code key}, in the order sent. */
  public List<Operation> of(String key) {
    return Collections.unmodifiableList(byKey.getOrDefault(key, List.of()));
  }

  /** Every key operated on, sorted. */
  public List<String> keys() {
    return List.copyOf(byKey.keySet());
  }

  /** The keys of {@code workload}'s operations, sorted. */
  public List<String> keys(Workload workload) {
    List<String> keys = new ArrayList<>();
    for (var entry : byKey.entrySet()) {
      for (Operation operation : entry.getValue()) {
        if (operation.workload() == workload) {
          keys.add(entry.getKey());
          break;
        }
      }
    }
    return keys;
  }

  public int size() {
    return operations.size();
  }
}
