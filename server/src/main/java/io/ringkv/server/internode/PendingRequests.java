package io.ringkv.server.internode;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests in flight, by request id, across all peers.
 *
 * <p>Invariants: request ids come from one transport-wide counter starting at 1, so an id is never
 * reused (a long does not wrap in the life of a process); at most {@code pendingRequestsMax}
 * entries exist, {@link #register} refusing beyond; an entry leaves the map exactly once, and
 * whatever takes it out (response, failure, timeout, close, the caller completing the future)
 * completes the future, after cancelling the timer. A response completes a request only if it comes
 * from the peer the request went to.
 *
 * <p>Thread-safe: requests are registered from callers' threads, answered and timed out on event
 * loops.
 */
final class PendingRequests {
  /** One request in flight. */
  static final class Pending {
    final long id;
    final String peer;
    final long timeoutMillis;
    final CompletableFuture<InternodeMessage> future = new CompletableFuture<>();
    private volatile ScheduledFuture<?> timer;

    /** The connection the request was written to; null while it is queued. */
    volatile Channel writtenOn;

    private Pending(long id, String peer, long timeoutMillis) {
      this.id = id;
      this.peer = peer;
      this.timeoutMillis = timeoutMillis;
    }

    boolean isDone() {
      return future.isDone();
    }
  }

  private final Map<Long, Pending> byId = new ConcurrentHashMap<>();
  private final AtomicLong lastId = new AtomicLong();
  private final AtomicInteger size = new AtomicInteger();
  private final int max;
  private final TransportCounters counters;

  PendingRequests(int max, TransportCounters counters) {
    this.max = max;
    this.counters = counters;
  }

  /**
   * Registers a request to {@code peer} that times out after {@code timeoutMillis} on {@code
   * timers}.
   *
   * @return the entry, or null if {@code pendingRequestsMax} requests are in flight
   */
  Pending register(String peer, long timeoutMillis, EventExecutor timers) {
    if (size.incrementAndGet() > max) {
      size.decrementAndGet();
      return null;
    }
    Pending pending = new Pending(lastId.incrementAndGet(), peer, timeoutMillis);
    byId.put(pending.id, pending);
    pending.future.whenComplete((response, failure) -> release(pending));
    try {
      pending.timer = timers.schedule(() -> timeOut(pending), timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The event loops are shutting down: the transport is closing.
      fail(pending, new InternodeClosedException(peer));
    }
    return pending;
  }

  /**
   * Completes the request {@code id} with a response from {@code fromPeer}.
   *
   * @return false if no such request is pending for that peer
   */
  boolean complete(long id, String fromPeer, InternodeMessage response) {
    Pending pending = byId.get(id);
    if (pending == null || !pending.peer.equals(fromPeer) || !release(pending)) {
      return false;
    }
    pending.future.complete(response);
    return true;
  }

  /**
   * Fails the request {@code id} to {@code fromPeer}.
   *
   * @return false if no such request is pending for that peer
   */
  boolean fail(long id, String fromPeer, Throwable failure) {
    Pending pending = byId.get(id);
    if (pending == null || !pending.peer.equals(fromPeer) || !release(pending)) {
      return false;
    }
    pending.future.completeExceptionally(failure);
    return true;
  }

  /** Fails a request this node could not send (or lost track of). */
  void fail(Pending pending, Throwable failure) {
    if (release(pending)) {
      pending.future.completeExceptionally(failure);
    }
  }

  /** Fails every request written to {@code channel}, which closed: their outcome is unknown. */
  void connectionLost(Channel channel, String peer) {
    for (Pending pending : byId.values()) {
      if (pending.writtenOn == channel && release(pending)) {
        pending.future.completeExceptionally(
            new PeerUnreachableException(
                peer, "the connection closed after the request was sent; the outcome is unknown"));
      }
    }
  }

  /** Fails every pending request (the transport is closing). */
  void closeAll() {
    for (Pending pending : byId.values()) {
      if (release(pending)) {
        pending.future.completeExceptionally(new InternodeClosedException(pending.peer));
      }
    }
  }

  int size() {
    return size.get();
  }

  private void timeOut(Pending pending) {
    if (release(pending)) {
      counters.count(pending.peer, TransportCounters.Event.REQUEST_TIMEOUT);
      pending.future.completeExceptionally(
          new InternodeTimeoutException(
              pending.peer, pending.timeoutMillis, pending.writtenOn != null));
    }
  }

  /**
   * Takes the entry out of the map. Whoever succeeds (a response, a timeout, a failure, the caller
   * completing or cancelling the future) is the one that completes it: a response that loses the
   * race to a timeout is counted as unknown, and the counters and {@link #size()} are up to date
   * before the future completes.
   */
  private boolean release(Pending pending) {
    if (!byId.remove(pending.id, pending)) {
      return false;
    }
    size.decrementAndGet();
    ScheduledFuture<?> timer = pending.timer;
    if (timer != null) {
      timer.cancel(false);
    }
    return true;
  }
}
