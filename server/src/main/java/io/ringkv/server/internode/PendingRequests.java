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
 * entries exist, {@link #register} refusing beyond; an entry leaves the map exactly once, when its
 * future completes for whatever reason (response, failure, timeout, close, the caller cancelling),
 * which also cancels its timer. A response completes a request only if it comes from the peer the
 * request went to.
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
    pending.future.whenComplete((response, failure) -> remove(pending));
    try {
      pending.timer = timers.schedule(() -> timeOut(pending), timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The event loops are shutting down: the transport is closing.
      pending.future.completeExceptionally(new InternodeClosedException(peer));
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
    return pending != null && pending.peer.equals(fromPeer) && pending.future.complete(response);
  }

  /**
   * Fails the request {@code id} to {@code fromPeer}.
   *
   * @return false if no such request is pending for that peer
   */
  boolean fail(long id, String fromPeer, Throwable failure) {
    Pending pending = byId.get(id);
    return pending != null
        && pending.peer.equals(fromPeer)
        && pending.future.completeExceptionally(failure);
  }

  /** Fails every request written to {@code channel}, which closed: their outcome is unknown. */
  void connectionLost(Channel channel, String peer) {
    for (Pending pending : byId.values()) {
      if (pending.writtenOn == channel) {
        pending.future.completeExceptionally(
            new PeerUnreachableException(
                peer, "the connection closed after the request was sent; the outcome is unknown"));
      }
    }
  }

  /** Fails every pending request (the transport is closing). */
  void closeAll() {
    for (Pending pending : byId.values()) {
      pending.future.completeExceptionally(new InternodeClosedException(pending.peer));
    }
  }

  int size() {
    return size.get();
  }

  private void timeOut(Pending pending) {
    if (pending.future.completeExceptionally(
        new InternodeTimeoutException(
            pending.peer, pending.timeoutMillis, pending.writtenOn != null))) {
      counters.count(pending.peer, TransportCounters.Event.REQUEST_TIMEOUT);
    }
  }

  private void remove(Pending pending) {
    if (byId.remove(pending.id, pending)) {
      size.decrementAndGet();
      ScheduledFuture<?> timer = pending.timer;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }
}
