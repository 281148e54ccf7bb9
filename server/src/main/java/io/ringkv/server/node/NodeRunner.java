package io.ringkv.server.node;

import io.ringkv.server.config.NodeConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs nodes in the foreground of this process until a {@link StopRequest}: what {@code ringkv
 * server} (one node) and {@code ringkv up} (the local cluster) do after reading their
 * configuration.
 *
 * <p>Prints each node's {@linkplain Node#upLine() up line} once every node is up, waits, then stops
 * the nodes in reverse start order and prints a line per node. A JVM shutdown hook is registered
 * for the whole run as a safety net: if the process ends some other way (SIGHUP, {@code
 * System.exit} elsewhere, signals this JVM would not let us handle), the hook still stops the nodes
 * cleanly. {@link Node#close()} being idempotent, the main thread and the hook cannot stop a node
 * twice.
 *
 * <p>Exit statuses: {@link #EXIT_STOPPED} after a clean stop, {@link #EXIT_FAILED} if a node could
 * not start or did not stop cleanly.
 *
 * <p>Static helpers; each run is confined to the calling thread, apart from the hook.
 */
public final class NodeRunner {
  /** Every node started and stopped cleanly. */
  public static final int EXIT_STOPPED = 0;

  /** A node could not start, or did not stop cleanly. */
  public static final int EXIT_FAILED = 1;

  private NodeRunner() {}

  /**
   * Starts a node per configuration, in order, and runs them until {@code stop} is requested.
   *
   * @param whenUp called once every node is up, after the up lines (to print hints)
   * @return {@link #EXIT_STOPPED} or {@link #EXIT_FAILED}
   */
  public static int run(
      List<NodeConfig> configs,
      NodeWiring wiring,
      StopRequest stop,
      PrintWriter out,
      PrintWriter err,
      Consumer<List<Node>> whenUp) {
    List<Node> nodes = new CopyOnWriteArrayList<>();
    Thread hook = new Thread(() -> stopAll(nodes, out, err), "ringkv-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (NodeConfig config : configs) {
        try {
          nodes.add(Node.start(config, wiring));
        } catch (NodeStartException e) {
          err.println("ringkv: node " + config.node().id() + " could not start: " + e.getMessage());
          stopAll(nodes, out, err);
          return EXIT_FAILED;
        }
      }
      for (Node node : nodes) {
        // A new node takes its tokens after cluster.ring_delay_millis; until it knows a ring it
        // cannot coordinate a request. Its up line says it can (or that it waited in vain).
        Duration joinWait =
            Duration.ofMillis(
                node.config().cluster().ringDelayMillis()
                    + node.config().cluster().joinWaitMaxMillis());
        if (!node.awaitCoordinating(joinWait)) {
          err.println(
              "ringkv: node "
                  + node.id()
                  + " knows no ring after "
                  + joinWait.toMillis()
                  + " ms (are its seeds reachable?); it answers UNAVAILABLE until it does");
        }
        out.println(node.upLine());
      }
      whenUp.accept(List.copyOf(nodes));
      out.flush();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.println(
          "ringkv: stopping (" + (stop.isRequested() ? stop.reason() : "interrupted") + ")");
      return stopAll(nodes, out, err) ? EXIT_STOPPED : EXIT_FAILED;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting and the hook is running or has run: it stops the nodes itself.
      }
    }
  }

  /** Stops every node still running, last started first; true if all stopped cleanly. */
  private static boolean stopAll(List<Node> nodes, PrintWriter out, PrintWriter err) {
    List<Node> reverse = new ArrayList<>(nodes);
    Collections.reverse(reverse);
    boolean clean = true;
    for (Node node : reverse) {
      // Whoever removes the node reports on it; the other caller's close() waits for the first.
      boolean mine = nodes.remove(node);
      try {
        node.close();
        if (mine) {
          out.println("ringkv node " + node.id() + " stopped: log synced, storage closed");
        }
      } catch (NodeStopException e) {
        clean = false;
        err.println("ringkv: " + e.getMessage());
      }
    }
    out.flush();
    err.flush();
    return clean;
  }
}
