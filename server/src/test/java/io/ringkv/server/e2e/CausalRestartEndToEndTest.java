package io.ringkv.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.node.DefaultWiring;
import io.ringkv.server.node.Node;
import io.ringkv.server.node.NodeStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Causal state across a node's stop and restart, through the real front ends of three in-process
 * nodes: siblings, a counter and a set written before the stop are still there after it; writes
 * made while the node was down (QUORUM, so the two others acknowledge) reach it after it comes back
 * (hinted handoff or read repair); and the restarted node coordinates new writes without reusing
 * the dots of its earlier life (a stale context still yields a sibling, not an overwrite).
 */
class CausalRestartEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final ProtocolCommand KEYSPACE = command("KEYSPACE");
  private static final ProtocolCommand CONSISTENCY = command("CONSISTENCY");
  private static final ProtocolCommand CGET = command("CGET");
  private static final ProtocolCommand CSET = command("CSET");
  private static final ProtocolCommand INCRBY = command("INCRBY");

  @TempDir Path dataDirectory;

  private final List<Node> nodes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String seed;

  @AfterEach
  void closeNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (nodes.get(i) != null) {
        nodes.get(i).close();
      }
    }
    http.close();
  }

  private Node start(int index, String seeds) throws NodeStartException {
    NodeConfig config =
        ConfigLoader.fromSets(
            "node.id=node-" + index,
            "node.data_directory=" + dataDirectory,
            "node.shutdown_timeout_millis=10000",
            "resp.port=0",
            "http.port=0",
            "grpc.port=0",
            "internode.port=0",
            "cluster.seeds=" + seeds,
            "cluster.gossip_interval_millis=100",
            "cluster.ring_delay_millis=0",
            "cluster.join_wait_max_millis=0",
            "replication.write_timeout_millis=1000");
    return Node.start(config, DefaultWiring.create());
  }

  @Test
  void stoppedNode_keepsItsCausalState_catchesUpOnMissedWrites_andMintsFreshDots()
      throws Exception {
    nodes.add(start(1, ""));
    seed = "127.0.0.1:" + nodes.get(0).cluster().orElseThrow().internodeAddress().getPort();
    nodes.add(start(2, seed));
    nodes.add(start(3, seed));
    awaitTrue(
        "three Normal members on every node",
        () ->
            nodes.stream()
                .allMatch(
                    node ->
                        node.cluster().orElseThrow().view().metadata().normalMemberCount() == 3));
    awaitTrue(
        "PUT /v1/keyspaces/carts answered 201",
        () -> send(0, "PUT", "/v1/keyspaces/carts", "{\"replication_factor\": 3}") == 201);
    for (int index = 0; index < 3; index++) {
      int node = index;
      awaitTrue(
          "carts on node " + (node + 1),
          () -> send(node, "GET", "/v1/keyspaces/carts", null) == 200);
    }

    // Before the stop: siblings coordinated by node 3 and node 1, a counter, a set; all at ALL.
    String stale;
    try (Jedis one = jedis(0, "ALL");
        Jedis three = jedis(2, "ALL")) {
      stale = bulk(three.sendCommand(CSET, "cart", "", "empty"));
      bulk(three.sendCommand(CSET, "cart", stale, "from-three"));
      bulk(one.sendCommand(CSET, "cart", stale, "from-one"));
      assertThat(three.sendCommand(INCRBY, "views", "5", "IDEMPOTENCY", "before")).isEqualTo(5L);
      assertThat(one.sadd("tags", "red", "blue")).isEqualTo(2L);
    }

    nodes.get(2).close();
    nodes.set(2, null);

    // While node 3 is down: QUORUM writes through nodes 1 and 2.
    try (Jedis one = jedis(0, "QUORUM");
        Jedis two = jedis(1, "QUORUM")) {
      assertThat(two.incrBy("views", 2)).isEqualTo(7L);
      assertThat(one.sadd("tags", "green")).isEqualTo(1L);
      assertThat(two.srem("tags", "red")).isEqualTo(1L);
      bulk(one.sendCommand(CSET, "missed", "", "while-down"));
    }

    nodes.set(2, start(3, seed));
    assertThat(nodes.get(2).awaitCoordinating(DEADLINE)).isTrue();
    awaitTrue("node 3 knows carts again", () -> send(2, "GET", "/v1/keyspaces/carts", null) == 200);

    try (Jedis three = jedis(2, "ALL");
        Jedis threeAtOne = jedis(2, "ALL")) {
      assertThat(bulk(threeAtOne.sendCommand(CONSISTENCY, "READ", "ONE"))).isEqualTo("OK");
      // Node 3's failure detector learns that the other two are up again only after some
      // gossip rounds; until then a read at ALL is refused as UNAVAILABLE (nothing attempted).
      awaitTrue("node 3 sees every replica up", () -> readsAtAll(three, "views"));
      // Reads at ALL see every replica, node 3's own disk included.
      awaitTrue(
          "the siblings written before the stop",
          () ->
              cget(three, "cart").size() == 3
                  && Set.copyOf(cget(three, "cart").subList(1, 3))
                      .equals(Set.of("from-one", "from-three")));
      awaitTrue("the counter, with the increment missed", () -> "7".equals(three.get("views")));
      awaitTrue(
          "the set, with the add and remove missed",
          () -> three.smembers("tags").equals(Set.of("blue", "green")));
      awaitTrue("the register missed", () -> "while-down".equals(three.get("missed")));

      // The restarted node's own replica catches up (hints or the read repair of the reads
      // above): reads at ONE through node 3 converge too.
      awaitTrue("node 3's replica: counter", () -> "7".equals(threeAtOne.get("views")));
      awaitTrue(
          "node 3's replica: set",
          () -> threeAtOne.smembers("tags").equals(Set.of("blue", "green")));

      // A write through the restarted node with the stale context of its earlier life is
      // concurrent with what it did not see: a third sibling, nothing overwritten.
      bulk(three.sendCommand(CSET, "cart", stale, "from-three-again"));
      awaitTrue(
          "three siblings",
          () ->
              Set.copyOf(cget(three, "cart").subList(1, cget(three, "cart").size()))
                  .equals(Set.of("from-one", "from-three", "from-three-again")));
      assertThat(three.sendCommand(INCRBY, "views", "5", "IDEMPOTENCY", "before"))
          .as("an increment retried after the restart still counts once")
          .isEqualTo(7L);
    }
  }

  private static ProtocolCommand command(String name) {
    byte[] raw = SafeEncoder.encode(name);
    return () -> raw;
  }

  private Jedis jedis(int node, String level) {
    InetSocketAddress address = nodes.get(node).address(FrontEndKind.RESP).orElseThrow();
    Jedis jedis = new Jedis(address.getHostString(), address.getPort(), 10_000);
    assertThat(bulk(jedis.sendCommand(KEYSPACE, "carts"))).isEqualTo("OK");
    assertThat(bulk(jedis.sendCommand(CONSISTENCY, level))).isEqualTo("OK");
    return jedis;
  }

  /** Whether a read at ALL of {@code key} is served, not refused for want of live replicas. */
  private static boolean readsAtAll(Jedis jedis, String key) {
    try {
      jedis.get(key);
      return true;
    } catch (redis.clients.jedis.exceptions.JedisDataException e) {
      if (e.getMessage().startsWith("UNAVAILABLE")) {
        return false;
      }
      throw e;
    }
  }

  private static String bulk(Object reply) {
    return reply == null ? null : new String((byte[]) reply, StandardCharsets.UTF_8);
  }

  private static List<String> cget(Jedis jedis, String key) {
    List<String> read = new ArrayList<>();
    for (Object element : (List<?>) jedis.sendCommand(CGET, key)) {
      read.add(bulk(element));
    }
    return read;
  }

  /** The status of {@code method path} on {@code node}'s HTTP front end. */
  private int send(int node, String method, String path, String body) {
    InetSocketAddress address = nodes.get(node).address(FrontEndKind.HTTP).orElseThrow();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + address.getHostString() + ":" + address.getPort() + path))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    awaitValue(what, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
  }

  private static <T> T awaitValue(String what, Supplier<Optional<T>> probe) {
    long deadlineNanos = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what);
      }
      LockSupport.parkNanos(20_000_000); // poll interval, not a stand-in for the condition
    }
  }
}
