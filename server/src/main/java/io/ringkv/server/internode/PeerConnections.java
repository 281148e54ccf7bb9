package io.ringkv.server.internode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.ringkv.server.internode.TransportCounters.Event;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outbound side of one peer: a bounded queue of messages to send and a bounded set of
 * connections to send them over.
 *
 * <p>How a message travels: {@link #offer} puts it in the queue (or refuses it when {@code
 * outboundQueueMessagesMax} are waiting: back-pressure is a return value, never a block) and
 * schedules one drain task on the peer's event loop. The drain writes queued messages, round-robin
 * over the handshaken connections that are writable, without flushing, then flushes each connection
 * it wrote to once: messages sent in a burst share one flush (one syscall). A connection that is
 * not writable takes nothing; the messages wait in the queue, and its becoming writable drains
 * again.
 *
 * <p>Connections are opened lazily: only when messages wait and fewer than {@code
 * connectionsPerPeer} connections are open or opening. When an attempt (TCP connect or handshake)
 * fails and no other connection is left, the queued requests fail with {@link
 * PeerUnreachableException} (one-way messages stay queued, to be sent once the peer is back), new
 * requests fail at once until the backoff ends, and the next attempt waits a backoff that doubles
 * from {@link #BACKOFF_INITIAL_MILLIS} to {@link #BACKOFF_MAX_MILLIS}; it is made only while
 * messages wait. A completed handshake resets the backoff.
 *
 * <p>Thread-safety: {@link #offer}, {@link #unreachableReason} and {@link #queuedMessages} may be
 * called from any thread; everything else runs on {@link #loop}, the event loop every connection of
 * this peer is registered on, so the connection lists need no locks.
 */
final class PeerConnections implements InternodeConnection.Outcome {
  /** The first reconnect delay after a failed attempt. */
  static final long BACKOFF_INITIAL_MILLIS = 100;

  /** The longest reconnect delay. */
  static final long BACKOFF_MAX_MILLIS = 5_000;

  /** Messages written by one drain task before it yields the event loop to other work. */
  static final int DRAIN_BATCH_MAX = 1_024;

  /** What the peer needs of its transport. */
  interface Links {
    /** Where to reach {@code peer} now (the override, else the learnt address), or null. */
    InetSocketAddress addressOf(String peer);

    /** Opens an outbound connection on {@code loop}, reporting to {@code outcome}. */
    ChannelFuture connect(
        EventLoop loop,
        InetSocketAddress address,
        String expectedPeer,
        InternodeConnection.Outcome outcome);

    /** Counts and reports a failed TCP connect; returns a description of it. */
    String connectFailed(String peer, InetSocketAddress address, Throwable cause);

    boolean isClosed();
  }

  /** A queued message: one way if {@code request} is null. */
  record Outgoing(InternodeMessage message, PendingRequests.Pending request) {}

  final String peer;
  final EventLoop loop;
  private final ConnectionContext context;
  private final Links links;
  private final int connectionsMax;
  private final int queueMessagesMax;

  private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Confined to the loop.
  private final List<Channel> connecting = new ArrayList<>();
  private final List<Channel> ready = new ArrayList<>();
  private int nextReady;
  private int failedRounds;
  private long retryAtNanos;
  private boolean retryScheduled;
  private boolean forgotten;

  // Written on the loop, read by callers deciding whether a request may go.
  private volatile boolean unreachable;
  private volatile long unreachableUntilNanos;
  private volatile String lastFailure;

  PeerConnections(String peer, EventLoop loop, ConnectionContext context, Links links) {
    this.peer = peer;
    this.loop = loop;
    this.context = context;
    this.links = links;
    this.connectionsMax = context.config().connectionsPerPeer();
    this.queueMessagesMax = context.config().outboundQueueMessagesMax();
    this.retryAtNanos = System.nanoTime();
  }

  /**
   * Queues a message and schedules a drain. Never blocks.
   *
   * @return false if the queue is full (the message is dropped and counted)
   */
  boolean offer(Outgoing outgoing) {
    if (queued.incrementAndGet() > queueMessagesMax) {
      queued.decrementAndGet();
      context.counters().count(peer, Event.DROPPED_QUEUE_FULL);
      return false;
    }
    queue.offer(outgoing);
    scheduleDrain();
    return true;
  }

  /** Messages waiting now. */
  int queuedMessages() {
    return queued.get();
  }

  /**
   * Why a request cannot go now: the last attempt to connect failed and its backoff has not ended.
   * Null if it may go.
   */
  String unreachableReason() {
    if (unreachable) {
      long remainingNanos = unreachableUntilNanos - System.nanoTime();
      if (remainingNanos > 0) {
        return "the last connection attempt failed ("
            + lastFailure
            + "); the next one is in "
            + TimeUnit.NANOSECONDS.toMillis(remainingNanos)
            + " ms";
      }
    }
    return null;
  }

  /** The peer's address changed: forget the backoff, so that the new address is tried at once. */
  void addressChanged() {
    execute(
        () -> {
          failedRounds = 0;
          retryAtNanos = System.nanoTime();
          unreachable = false;
          drain();
        });
  }

  /** The transport forgets this peer: close its connections, fail and drop what waits. */
  void forget() {
    execute(
        () -> {
          forgotten = true;
          for (Channel channel : List.copyOf(ready)) {
            channel.close();
          }
          for (Channel channel : List.copyOf(connecting)) {
            channel.close();
          }
          discardQueue("the transport forgot this peer");
        });
  }

  /** The transport is closing; its pending requests were failed already. */
  void discardOnClose() {
    queue.clear();
    queued.set(0);
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this::drain);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false); // the transport is closing
      }
    }
  }

  private void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // the transport is closing
    }
  }

  /** Writes what waits to the connections that can take it, then flushes each once. */
  private void drain() {
    drainScheduled.set(false);
    if (links.isClosed() || forgotten) {
      discardQueue("the transport is closed");
      return;
    }
    openMissingConnections();
    int writtenMask = 0;
    int written = 0;
    while (written < DRAIN_BATCH_MAX) {
      int index = nextWritable();
      if (index < 0) {
        break;
      }
      Outgoing outgoing = queue.poll();
      if (outgoing == null) {
        break;
      }
      queued.decrementAndGet();
      if (outgoing.request() != null && outgoing.request().isDone()) {
        continue; // timed out while queued: do not send a request nobody waits for
      }
      if (write(ready.get(index), outgoing)) {
        writtenMask |= 1 << index;
        written++;
      }
    }
    for (int i = 0; i < ready.size(); i++) {
      if ((writtenMask & (1 << i)) != 0) {
        ready.get(i).flush();
      }
    }
    if (written >= DRAIN_BATCH_MAX && !queue.isEmpty()) {
      scheduleDrain();
    }
  }

  private boolean write(Channel channel, Outgoing outgoing) {
    PendingRequests.Pending request = outgoing.request();
    Frame frame =
        request == null
            ? Frame.oneWay(outgoing.message())
            : Frame.request(request.id, outgoing.message());
    ByteBuf bytes;
    try {
      bytes = context.encode(channel.alloc(), frame);
    } catch (IllegalArgumentException e) {
      context.counters().count(peer, Event.DROPPED_UNROUTABLE);
      context
          .counters()
          .logOnce(
              "encode:" + peer,
              "dropped a "
                  + outgoing.message().getClass().getSimpleName()
                  + " to '"
                  + peer
                  + "': "
                  + e.getMessage(),
              null);
      if (request != null) {
        context.pending().fail(request, e);
      }
      return false;
    }
    context.counters().count(peer, Event.MESSAGE_SENT);
    if (request == null) {
      channel.write(bytes, channel.voidPromise());
    } else {
      request.writtenOn = channel;
      channel
          .write(bytes)
          .addListener(
              written -> {
                if (!written.isSuccess()) {
                  context
                      .pending()
                      .fail(
                          request,
                          new PeerUnreachableException(
                              peer,
                              "writing the request failed, the outcome is unknown: "
                                  + written.cause(),
                              written.cause()));
                }
              });
    }
    return true;
  }

  /** The index in {@link #ready} of the next writable connection, round-robin; -1 if none. */
  private int nextWritable() {
    int count = ready.size();
    for (int i = 0; i < count; i++) {
      int index = (nextReady + i) % count;
      Channel channel = ready.get(index);
      if (channel.isActive() && channel.isWritable()) {
        nextReady = index + 1;
        return index;
      }
    }
    return -1;
  }

  private void openMissingConnections() {
    if (queue.isEmpty()) {
      return; // lazily: only when something waits
    }
    int missing = connectionsMax - ready.size() - connecting.size();
    if (missing <= 0) {
      return;
    }
    long waitNanos = retryAtNanos - System.nanoTime();
    if (waitNanos > 0) {
      scheduleRetry(waitNanos);
      return;
    }
    InetSocketAddress address = links.addressOf(peer);
    if (address == null) {
      return; // cannot happen: an address, once known, stays known
    }
    for (int i = 0; i < missing; i++) {
      ChannelFuture connect = links.connect(loop, address, peer, this);
      Channel channel = connect.channel();
      connecting.add(channel);
      connect.addListener(
          done -> {
            if (!done.isSuccess()) {
              attemptFailed(channel, links.connectFailed(peer, address, done.cause()));
            }
          });
    }
  }

  private void scheduleRetry(long delayNanos) {
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    try {
      loop.schedule(
          () -> {
            retryScheduled = false;
            drain();
          },
          delayNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      retryScheduled = false;
    }
  }

  private void attemptFailed(Channel channel, String reason) {
    if (!connecting.remove(channel)) {
      return;
    }
    lastFailure = reason;
    if (!connecting.isEmpty()) {
      return; // other attempts of this round are still under way
    }
    long now = System.nanoTime();
    if (!ready.isEmpty()) {
      // Some connections work: retry the missing ones after a short pause.
      retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(BACKOFF_INITIAL_MILLIS);
      return;
    }
    failedRounds++;
    long backoffMillis = backoffMillis(failedRounds);
    retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
    unreachableUntilNanos = retryAtNanos;
    unreachable = true;
    failQueuedRequests(reason);
    if (!queue.isEmpty()) {
      scheduleRetry(retryAtNanos - now);
    }
  }

  /** 100 ms after the first failed round, doubling each round, at most 5 s. */
  static long backoffMillis(int failedRounds) {
    int doublings = Math.min(Math.max(failedRounds - 1, 0), 16);
    return Math.min(BACKOFF_MAX_MILLIS, BACKOFF_INITIAL_MILLIS << doublings);
  }

  private void failQueuedRequests(String reason) {
    for (Iterator<Outgoing> it = queue.iterator(); it.hasNext(); ) {
      Outgoing outgoing = it.next();
      if (outgoing.request() != null) {
        it.remove();
        queued.decrementAndGet();
        context.pending().fail(outgoing.request(), new PeerUnreachableException(peer, reason));
      }
    }
  }

  private void discardQueue(String reason) {
    for (Outgoing outgoing; (outgoing = queue.poll()) != null; ) {
      queued.decrementAndGet();
      if (outgoing.request() != null) {
        context.pending().fail(outgoing.request(), new PeerUnreachableException(peer, reason));
      }
    }
  }

  // ---------------------------------------------------------------- Outcome, on the loop

  @Override
  public void handshaken(Channel channel, String peerId) {
    connecting.remove(channel);
    if (forgotten || links.isClosed()) {
      channel.close();
      return;
    }
    ready.add(channel);
    failedRounds = 0;
    unreachable = false;
    drain();
  }

  @Override
  public void failed(Channel channel, String reason) {
    attemptFailed(channel, reason);
  }

  @Override
  public void closed(Channel channel) {
    ready.remove(channel);
    if (!queue.isEmpty()) {
      drain(); // reconnect at once: the connection worked until now
    }
  }

  @Override
  public void writabilityChanged(Channel channel) {
    if (channel.isWritable() && !queue.isEmpty()) {
      drain();
    }
  }
}
