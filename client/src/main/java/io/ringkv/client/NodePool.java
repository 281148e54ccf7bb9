package io.ringkv.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The nodes a client talks to, one gRPC channel each, and the order in which a request tries them.
 *
 * <p>The order starts at the node the {@link NodeSelection} picks and walks the list from there, so
 * that every node is tried at most once per request (the bound on failover). Nodes whose channel is
 * in TRANSIENT_FAILURE (the last connect failed and gRPC is backing off) go last: a request should
 * not spend its deadline on a node already known to be down, but still reaches it if no other is
 * left.
 *
 * <p>Thread-safe: the node list is fixed at construction; the selection counter is atomic.
 */
final class NodePool implements AutoCloseable {
  /** One node and its channel; {@code index} is its place in the list. */
  record Node(int index, NodeAddress address, ManagedChannel channel) {}

  /** How long {@link #close} waits for calls in flight before cutting them off. */
  static final long CLOSE_GRACE_MILLIS = 5_000;

  private final List<Node> nodes;
  private final NodeSelection selection;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  NodePool(
      List<NodeAddress> addresses,
      NodeSelection selection,
      Function<NodeAddress, ManagedChannel> channels) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("a client needs at least one node");
    }
    List<Node> built = new ArrayList<>(addresses.size());
    for (NodeAddress address : addresses) {
      built.add(new Node(built.size(), address, channels.apply(address)));
    }
    this.nodes = List.copyOf(built);
    this.selection = selection;
  }

  List<Node> nodes() {
    return nodes;
  }

  /** The nodes in the order one request should try them. */
  List<Node> attemptOrder() {
    int count = nodes.size();
    if (count == 1) {
      return nodes;
    }
    int start =
        selection == NodeSelection.ROUND_ROBIN
            ? Math.floorMod(next.getAndIncrement(), count)
            : next.get();
    List<Node> order = new ArrayList<>(count);
    List<Node> failing = new ArrayList<>(0);
    for (int i = 0; i < count; i++) {
      Node node = nodes.get((start + i) % count);
      if (node.channel().getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        failing.add(node);
      } else {
        order.add(node);
      }
    }
    order.addAll(failing);
    return order;
  }

  /** A request succeeded on {@code node}: a sticky client stays with it. */
  void succeeded(Node node) {
    if (selection == NodeSelection.STICKY) {
      next.set(node.index());
    }
  }

  /** True once {@link #close} has begun. */
  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    for (Node node : nodes) {
      node.channel().shutdown();
    }
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
    try {
      for (Node node : nodes) {
        long leftNanos = Math.max(0, deadlineNanos - System.nanoTime());
        if (!node.channel().awaitTermination(leftNanos, TimeUnit.NANOSECONDS)) {
          node.channel().shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      for (Node node : nodes) {
        node.channel().shutdownNow();
      }
      Thread.currentThread().interrupt();
    }
  }
}
