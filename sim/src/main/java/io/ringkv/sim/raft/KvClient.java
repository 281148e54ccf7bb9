package io.ringkv.sim.raft;

import io.ringkv.common.Rng;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.raft.Packet.ClientReply;
import io.ringkv.sim.raft.Packet.ClientRequest;
import java.util.List;
import java.util.Objects;

/**
 * A client of the replicated store, like a Jepsen process: one operation at a time, chosen at
 * random from the {@link Workload}, sent to the member it believes leads; it follows redirects,
 * retries the same operation (same session sequence, so it takes effect at most once) on another
 * member when an attempt times out, and gives up after the operation's deadline, leaving it
 * indeterminate in the {@link History}.
 *
 * <p>Values written are unique ({@code client << 40 | counter}), so a read names the write it saw.
 * A compare-and-set usually expects the last value the client saw for the key, so that some
 * succeed.
 *
 * <p>Not thread-safe: runs on the simulation's one thread.
 */
public final class KvClient {
  private final int id;
  private final String name;
  private final Simulation simulation;
  private final Sender sender;
  private final History history;
  private final Workload workload;
  private final List<String> members;
  private final Rng rng;
  private final long[] lastSeen;
  private long sequence;
  private long valuesWritten;
  private KvOperation current;
  private int historyId;
  private long deadlineNanos;
  private String target;
  private int nextMember;
  private long attemptToken;
  private boolean invoking;
  private long attempts;
  private long gaveUp;
  private long completed;
  private long lastAnsweredInvokeNanos = -1;
  private long invokeNanos;

  /** How a client reaches the network. */
  interface Sender {
    void send(String from, String to, Packet packet);
  }

  KvClient(
      int id,
      Simulation simulation,
      Sender sender,
      History history,
      Workload workload,
      List<String> members,
      Rng rng) {
    this.id = id;
    this.name = nameOf(id);
    this.simulation = Objects.requireNonNull(simulation, "simulation");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.history = Objects.requireNonNull(history, "history");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.members = List.copyOf(members);
    this.rng = Objects.requireNonNull(rng, "rng");
    this.lastSeen = new long[workload.keys()];
    this.nextMember = rng.nextInt(this.members.size());
    this.target = this.members.get(nextMember);
  }

  /** The network name of client {@code id}. */
  public static String nameOf(int id) {
    return "c" + id;
  }

  public String name() {
    return name;
  }

  public int id() {
    return id;
  }

  /** Whether no operation is in progress. */
  public boolean idle() {
    return current == null;
  }

  public long completed() {
    return completed;
  }

  public long gaveUp() {
    return gaveUp;
  }

  /** When the last answered operation was invoked, or -1. */
  public long lastAnsweredInvokeNanos() {
    return lastAnsweredInvokeNanos;
  }

  public long attempts() {
    return attempts;
  }

  /** Starts invoking operations, one after another. */
  void startInvoking() {
    invoking = true;
    scheduleNext();
  }

  /** Invokes no new operation; the one in progress goes on until answered or given up. */
  void stopInvoking() {
    invoking = false;
  }

  void onReply(ClientReply reply) {
    if (current == null || reply.sequence() != sequence) {
      return; // an answer to an earlier attempt of an operation already finished
    }
    switch (reply.kind()) {
      case DONE -> finish(reply.value());
      case NOT_LEADER ->
          retryAfterBackoff(
              reply.value() != 0 && members.contains(RaftMember.nameOf(reply.value()))
                  ? RaftMember.nameOf(reply.value())
                  : nextMember());
      case BUSY, LOST -> retryAfterBackoff(target);
    }
  }

  /** The connection to {@code destination} was refused: nobody listens there. */
  void onRefused(String destination) {
    if (current != null && destination.equals(target)) {
      retryAfterBackoff(nextMember());
    }
  }

  private void scheduleNext() {
    // At least a microsecond, so that an invocation never ties with the previous answer.
    long think = 1_000 + rng.nextLong(workload.thinkTimeMaxNanos() + 1);
    simulation.after(think, this::invokeNext);
  }

  private void invokeNext() {
    if (!invoking || current != null) {
      return;
    }
    sequence++;
    current = randomOperation();
    invokeNanos = simulation.nowNanos();
    historyId = history.invoke(id, current, invokeNanos);
    deadlineNanos = simulation.nowNanos() + workload.operationDeadlineNanos();
    send();
  }

  private KvOperation randomOperation() {
    int key = rng.nextInt(workload.keys());
    double roll = rng.nextDouble();
    if (roll < workload.readShare()) {
      return new KvOperation.Get(key);
    }
    long value = ((long) id << 40) | ++valuesWritten;
    if (roll < workload.readShare() + workload.compareAndSetShare()) {
      long expected =
          rng.chance(0.8)
              ? lastSeen[key]
              : rng.nextBoolean() ? KvOperation.ABSENT : lastSeen[rng.nextInt(lastSeen.length)];
      return new KvOperation.CompareAndSet(key, expected, value);
    }
    return new KvOperation.Put(key, value);
  }

  private void send() {
    attempts++;
    long token = ++attemptToken;
    sender.send(name, target, new ClientRequest(id, sequence, current));
    simulation.after(workload.attemptTimeoutNanos(), () -> onAttemptTimeout(token));
  }

  private void onAttemptTimeout(long token) {
    if (token != attemptToken || current == null) {
      return;
    }
    if (simulation.nowNanos() >= deadlineNanos) {
      giveUp();
      return;
    }
    target = nextMember();
    send();
  }

  private void retryAfterBackoff(String newTarget) {
    target = newTarget;
    long token = ++attemptToken;
    simulation.after(
        1_000 + rng.nextLong(workload.backoffMaxNanos() + 1),
        () -> {
          if (token != attemptToken || current == null) {
            return;
          }
          if (simulation.nowNanos() >= deadlineNanos) {
            giveUp();
          } else {
            send();
          }
        });
  }

  private void finish(long result) {
    history.complete(historyId, result, simulation.nowNanos());
    int key = current.key();
    switch (current) {
      case KvOperation.Get get -> lastSeen[key] = result;
      case KvOperation.Put put -> lastSeen[key] = put.value();
      case KvOperation.CompareAndSet cas -> {
        if (result == 1) {
          lastSeen[key] = cas.value();
        }
      }
    }
    completed++;
    lastAnsweredInvokeNanos = invokeNanos;
    endOperation();
  }

  private void giveUp() {
    history.abandon(historyId);
    simulation.trace(name + " gives up #" + sequence + " " + current);
    gaveUp++;
    endOperation();
  }

  private void endOperation() {
    current = null;
    attemptToken++;
    if (invoking) {
      scheduleNext();
    }
  }

  private String nextMember() {
    nextMember = (nextMember + 1) % members.size();
    return members.get(nextMember);
  }
}
