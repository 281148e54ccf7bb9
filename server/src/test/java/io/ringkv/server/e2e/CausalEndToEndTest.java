package io.ringkv.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.client.IncrementOptions;
import io.ringkv.client.IncrementResult;
import io.ringkv.client.PutOptions;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.SetOptions;
import io.ringkv.client.Sibling;
import io.ringkv.client.Versions;
import io.ringkv.client.WriteResult;
import io.ringkv.common.ConsistencyLevel;
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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Causal keyspaces end to end: three real in-process nodes (metadata on Raft, gossip, internode
 * transport) with the production wiring, so every node serves RESP, HTTP and gRPC on 127.0.0.1
 * ephemeral ports over the real {@code ClusterKeyValueService}. Nothing here is a test double: a
 * keyspace is created through the HTTP admin route and the Java client, siblings are made by two
 * writes carrying the same stale context through two different nodes, and each front end is checked
 * against what the others wrote.
 *
 * <p>Writes use consistency ALL so that an acknowledged write is on every replica; every assertion
 * about what the cluster holds after a write still polls its condition until a deadline, since
 * metadata and read repair travel asynchronously.
 */
class CausalEndToEndTest {
  /** Generous: only a broken test waits this long. */
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ProtocolCommand KEYSPACE = command("KEYSPACE");
  private static final ProtocolCommand CONSISTENCY = command("CONSISTENCY");
  private static final ProtocolCommand CGET = command("CGET");
  private static final ProtocolCommand CSET = command("CSET");
  private static final ProtocolCommand CDEL = command("CDEL");
  private static final ProtocolCommand INCRBY = command("INCRBY");
  private static final ProtocolCommand INCR = command("INCR");

  /** Created through {@code PUT /v1/keyspaces/carts} on node 1. */
  private static final String CARTS = "carts";

  /** Created through the Java client's keyspace admin. */
  private static final String SHOP = "shop";

  @TempDir static Path dataDirectory;

  private static final List<Node> nodes = new ArrayList<>();
  private static HttpClient http;
  private static RingkvClient client;

  @BeforeAll
  static void startClusterAndCreateKeyspaces() throws Exception {
    Node first = start(1, "");
    String seed = "127.0.0.1:" + first.cluster().orElseThrow().internodeAddress().getPort();
    start(2, seed);
    start(3, seed);
    awaitTrue(
        "three Normal members on every node",
        () ->
            nodes.stream()
                .allMatch(
                    node ->
                        node.cluster().orElseThrow().view().metadata().normalMemberCount() == 3));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    RingkvClient.Builder builder =
        RingkvClient.builder()
            .defaultWriteConsistency(ConsistencyLevel.ALL)
            .timeout(Duration.ofSeconds(10));
    for (Node node : nodes) {
      InetSocketAddress grpc = node.address(FrontEndKind.GRPC).orElseThrow();
      builder.addNode(grpc.getHostString(), grpc.getPort());
    }
    client = builder.build();

    // The metadata group may still be electing its leader: an admin write is then 503 (nothing
    // was attempted), so it is repeated until it is answered.
    HttpResponse<String> created =
        awaitValue(
            "PUT /v1/keyspaces/carts answered",
            () -> {
              HttpResponse<String> response =
                  send(0, "PUT", "/v1/keyspaces/" + CARTS, "{\"replication_factor\": 3}");
              return response.statusCode() == 503 ? Optional.empty() : Optional.of(response);
            });
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).hasValue("/v1/keyspaces/" + CARTS);
    JsonNode carts = JSON.readTree(created.body());
    assertThat(carts.path("conflicts").asText()).isEqualTo("causal");
    assertThat(carts.path("replication").path("replication_factor").asInt()).isEqualTo(3);

    io.ringkv.client.Keyspace shop =
        client.putKeyspace(io.ringkv.client.Keyspace.named(SHOP).withReplicationFactor(3));
    assertThat(shop.name()).isEqualTo(SHOP);
    assertThat(shop.conflicts()).isEqualTo(io.ringkv.client.ConflictMode.CAUSAL);

    for (int index = 0; index < nodes.size(); index++) {
      int node = index;
      awaitTrue(
          "both keyspaces listed by GET /v1/keyspaces on node " + (node + 1),
          () -> {
            JsonNode listed = json(send(node, "GET", "/v1/keyspaces", null));
            List<String> causal = new ArrayList<>();
            for (JsonNode keyspace : listed.path("keyspaces")) {
              if (keyspace.path("conflicts").asText().equals("causal")) {
                causal.add(keyspace.path("name").asText());
              }
            }
            return causal.containsAll(List.of(CARTS, SHOP));
          });
    }
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }

  private static Node start(int index, String seeds) throws NodeStartException {
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
            "cluster.join_wait_max_millis=0");
    Node node = Node.start(config, DefaultWiring.create());
    nodes.add(node);
    return node;
  }

  @Test
  void keyspaces_createdOverHttpAndTheClient_areListedEverywhere() throws Exception {
    JsonNode third = json(send(2, "GET", "/v1/keyspaces/" + CARTS, null));
    assertThat(third.path("conflicts").asText()).isEqualTo("causal");
    assertThat(client.keyspaces())
        .extracting(io.ringkv.client.Keyspace::name)
        .contains(CARTS, SHOP, "default");
  }

  // ---- RESP ----

  @Test
  void resp_staleContextThroughTwoNodes_makesSiblings_andTheReadContextCollapsesThem() {
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS);
        Jedis three = jedis(2, CARTS)) {
      String stale = bulk(one.sendCommand(CSET, "resp:cart", "", "empty"));
      bulk(one.sendCommand(CSET, "resp:cart", stale, "milk,eggs"));
      bulk(two.sendCommand(CSET, "resp:cart", stale, "milk,bread"));

      List<String> siblings =
          awaitValue(
              "two siblings in CGET through node 3",
              () -> {
                List<String> read = cget(three, "resp:cart");
                return read.size() == 3 ? Optional.of(read) : Optional.empty();
              });
      assertThat(siblings.subList(1, 3)).containsExactlyInAnyOrder("milk,eggs", "milk,bread");
      String winner = siblings.get(1);
      awaitTrue("GET shows the newest sibling", () -> winner.equals(one.get("resp:cart")));

      bulk(three.sendCommand(CSET, "resp:cart", siblings.get(0), "milk,eggs,bread"));
      awaitTrue(
          "one sibling again through node 1",
          () ->
              cget(one, "resp:cart")
                  .subList(1, cget(one, "resp:cart").size())
                  .equals(List.of("milk,eggs,bread")));
      awaitTrue("GET shows the merge", () -> "milk,eggs,bread".equals(two.get("resp:cart")));
    }
  }

  @Test
  void resp_incrementRetriedWithItsIdempotencyIdThroughAnotherNode_countsOnce() {
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS);
        Jedis three = jedis(2, CARTS)) {
      assertThat(one.sendCommand(INCRBY, "resp:views", "5", "IDEMPOTENCY", "click-1"))
          .isEqualTo(5L);
      assertThat(two.sendCommand(INCRBY, "resp:views", "5", "idempotency", "click-1"))
          .as("the retry through node 2 answers the current value, adding nothing")
          .isEqualTo(5L);
      assertThat(three.sendCommand(INCR, "resp:views", "IDEMPOTENCY", "click-2")).isEqualTo(6L);
      assertThat(one.decrBy("resp:views", 2)).isEqualTo(4L);
      for (Jedis jedis : List.of(one, two, three)) {
        awaitTrue("the counter reads 4 everywhere", () -> "4".equals(jedis.get("resp:views")));
      }
    }
  }

  @Test
  void resp_setsMergeAcrossNodes_andAWrongTypeCommandSaysWrongType() {
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS);
        Jedis three = jedis(2, CARTS)) {
      assertThat(one.sadd("resp:tags", "red", "blue")).isEqualTo(2L);
      assertThat(two.sadd("resp:tags", "blue", "green")).isEqualTo(1L);
      assertThat(three.srem("resp:tags", "red", "absent")).isEqualTo(1L);
      for (Jedis jedis : List.of(one, two, three)) {
        awaitTrue(
            "the set reads blue, green everywhere",
            () -> jedis.smembers("resp:tags").equals(java.util.Set.of("blue", "green")));
      }
      assertThat(one.sismember("resp:tags", "green")).isTrue();
      assertThat(two.scard("resp:tags")).isEqualTo(2L);

      assertThatThrownBy(() -> three.incr("resp:tags"))
          .isInstanceOf(JedisDataException.class)
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThatThrownBy(() -> two.sendCommand(CGET, "resp:tags"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("WRONGTYPE");
    }
  }

  @Test
  void resp_defaultKeyspace_isStillLastWriteWins() {
    try (Jedis one = jedis(0, null);
        Jedis two = jedis(1, null)) {
      assertThat(bulk(one.sendCommand(KEYSPACE))).isEqualTo("default");
      assertThat(one.set("resp:plain", "first")).isEqualTo("OK");
      assertThat(two.set("resp:plain", "second")).isEqualTo("OK");
      awaitTrue("the last write wins", () -> "second".equals(one.get("resp:plain")));
      assertThat(cget(two, "resp:plain")).containsExactly("", "second");
      assertThatThrownBy(() -> two.sendCommand(CSET, "resp:plain", "", "x"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageContaining("conflicts: lww");
      assertThat(one.del("resp:plain")).isEqualTo(1L);
      awaitTrue("deleted everywhere", () -> two.get("resp:plain") == null);
    }
  }

  // ---- HTTP ----

  @Test
  void http_siblingsAre300_andIfMatchWithTheETagCollapsesThem() throws Exception {
    HttpResponse<String> seeded = put(0, "h:cart", "\"empty\"", null);
    assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);
    String stale = seeded.headers().firstValue("ETag").orElseThrow();
    assertThat(stale).matches("\"[A-Za-z0-9_-]+\"");
    assertThat(put(0, "h:cart", "[\"milk\", \"eggs\"]", stale).statusCode()).isEqualTo(200);
    assertThat(put(1, "h:cart", "[\"milk\", \"tea\"]", stale).statusCode()).isEqualTo(200);

    HttpResponse<String> multiple =
        awaitValue(
            "300 with two siblings through node 3",
            () -> {
              HttpResponse<String> read =
                  send(2, "GET", "/api/v1/get?key=h:cart&keyspace=carts", null);
              return read.statusCode() == 300 && json(read).path("siblings").size() == 2
                  ? Optional.of(read)
                  : Optional.empty();
            });
    JsonNode body = json(multiple);
    String etag = multiple.headers().firstValue("ETag").orElseThrow();
    assertThat(body.path("key").asText()).isEqualTo("h:cart");
    assertThat(etag).isEqualTo("\"" + body.path("context").asText() + "\"");
    List<String> values = new ArrayList<>();
    List<Long> timestamps = new ArrayList<>();
    for (JsonNode sibling : body.path("siblings")) {
      values.add(sibling.path("value").toString());
      timestamps.add(sibling.path("timestamp").asLong());
      assertThat(sibling.has("deleted")).isFalse();
    }
    assertThat(values).containsExactlyInAnyOrder("[\"milk\",\"eggs\"]", "[\"milk\",\"tea\"]");
    assertThat(timestamps.get(0)).as("newest first").isGreaterThanOrEqualTo(timestamps.get(1));

    HttpResponse<String> winner =
        send(0, "GET", "/api/v1/get?key=h:cart&keyspace=carts&siblings=winner", null);
    assertThat(winner.statusCode()).isEqualTo(200);
    assertThat(json(winner).path("value").toString()).isEqualTo(values.get(0));

    // A damaged context: one character changed, still base64url, so only its checksum fails.
    String inside = etag.substring(1, etag.length() - 1);
    int middle = inside.length() / 2;
    char changed = inside.charAt(middle) == 'A' ? 'B' : 'A';
    String damaged =
        "\"" + inside.substring(0, middle) + changed + inside.substring(middle + 1) + "\"";
    HttpResponse<String> refused = put(1, "h:cart", "\"broken\"", damaged);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    assertThat(json(refused).path("parameter").asText()).isEqualTo("If-Match");

    HttpResponse<String> merged = put(1, "h:cart", "[\"milk\", \"eggs\", \"tea\"]", etag);
    assertThat(merged.statusCode()).as(merged.body()).isEqualTo(200);
    awaitTrue(
        "one sibling again through node 1",
        () -> {
          HttpResponse<String> read = send(0, "GET", "/api/v1/get?key=h:cart&keyspace=carts", null);
          return read.statusCode() == 200
              && json(read).path("value").toString().equals("[\"milk\",\"eggs\",\"tea\"]")
              && read.headers().firstValue("ETag").isPresent();
        });
  }

  @Test
  void http_counterAndSetRoutes_mergeAcrossNodes() throws Exception {
    String increment = "{\"key\": \"h:views\", \"by\": 5}";
    HttpResponse<String> first =
        send(0, "POST", "/api/v1/counter/incr?keyspace=carts", increment, "Idempotency-Key", "k1");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(json(first).path("value").asLong()).isEqualTo(5);
    HttpResponse<String> retry =
        send(1, "POST", "/api/v1/counter/incr?keyspace=carts", increment, "Idempotency-Key", "k1");
    assertThat(json(retry).path("value").asLong()).as("the retry counts once").isEqualTo(5);
    HttpResponse<String> down =
        send(
            2, "POST", "/api/v1/counter/incr?keyspace=carts", "{\"key\": \"h:views\", \"by\": -2}");
    assertThat(json(down).path("value").asLong()).isEqualTo(3);
    for (int node = 0; node < 3; node++) {
      int index = node;
      awaitTrue(
          "the counter reads 3 on node " + (index + 1),
          () ->
              json(send(index, "GET", "/api/v1/counter?key=h:views&keyspace=carts", null))
                      .path("value")
                      .asLong()
                  == 3);
    }

    HttpResponse<String> added =
        send(
            0,
            "POST",
            "/api/v1/set/add?keyspace=carts",
            "{\"key\": \"h:tags\", \"members\": [\"red\", \"blue\"]}");
    assertThat(json(added).path("changed").asInt()).isEqualTo(2);
    HttpResponse<String> removed =
        send(
            1,
            "POST",
            "/api/v1/set/remove?keyspace=carts",
            "{\"key\": \"h:tags\", \"members\": [\"red\"]}");
    assertThat(json(removed).path("changed").asInt()).isEqualTo(1);
    awaitTrue(
        "the set reads [blue] through node 3",
        () -> {
          HttpResponse<String> read =
              send(2, "GET", "/api/v1/set/members?key=h:tags&keyspace=carts", null);
          return read.statusCode() == 200
              && json(read).path("members").toString().equals("[\"blue\"]")
              && read.headers().firstValue("ETag").isPresent();
        });

    HttpResponse<String> wrongType =
        send(2, "GET", "/api/v1/counter?key=h:tags&keyspace=carts", null);
    assertThat(wrongType.statusCode()).isEqualTo(409);
    assertThat(json(wrongType).path("detail").asText()).startsWith("WRONGTYPE");
  }

  // ---- gRPC through the Java client ----

  @Test
  void grpc_versionsWithSiblings_putWithContext_idempotentIncrement_sets() {
    ReadOptions shop = ReadOptions.defaults().withKeyspace(SHOP);
    PutOptions putShop = PutOptions.defaults().withKeyspace(SHOP);
    byte[] key = utf8("g:cart");
    WriteResult seeded = client.put(key, utf8("empty"), putShop);
    byte[] stale = seeded.causalContext();
    assertThat(stale).isNotEmpty();
    // Round robin: the two writes go through different nodes.
    client.put(key, utf8("milk,eggs"), putShop.withCausalContext(stale));
    client.put(key, utf8("milk,tea"), putShop.withCausalContext(stale));

    Versions conflicted =
        awaitValue(
            "two siblings through getVersions",
            () -> {
              Versions versions = client.getVersions(key, shop);
              return versions.siblings().size() == 2 ? Optional.of(versions) : Optional.empty();
            });
    assertThat(conflicted.conflicted()).isTrue();
    assertThat(conflicted.siblings().stream().map(sibling -> text(sibling.bytes())))
        .containsExactlyInAnyOrder("milk,eggs", "milk,tea");
    assertThat(text(conflicted.value().orElseThrow().bytes()))
        .isEqualTo(text(conflicted.siblings().get(0).bytes()));

    WriteResult merged =
        client.put(
            key,
            utf8("milk,eggs,tea"),
            putShop.withCausalContext(conflicted.causalContext()).withIdempotencyKey("merge-1"));
    assertThat(merged.applied()).isTrue();
    awaitTrue(
        "one sibling again",
        () -> {
          Versions versions = client.getVersions(key, shop);
          return versions.siblings().size() == 1
              && text(versions.siblings().get(0).bytes()).equals("milk,eggs,tea");
        });

    IncrementOptions counted =
        IncrementOptions.defaults().withKeyspace(SHOP).withIdempotencyKey("click-7");
    IncrementResult once = client.increment(utf8("g:views"), 3, counted);
    IncrementResult again = client.increment(utf8("g:views"), 3, counted);
    assertThat(once).isEqualTo(new IncrementResult(3, false));
    assertThat(again).isEqualTo(new IncrementResult(3, true));
    assertThat(client.increment(utf8("g:views"), 1, IncrementOptions.defaults().withKeyspace(SHOP)))
        .isEqualTo(new IncrementResult(4, false));

    SetOptions setShop = SetOptions.defaults().withKeyspace(SHOP);
    assertThat(client.setAdd(utf8("g:tags"), List.of(utf8("red"), utf8("blue")), setShop))
        .isEqualTo(2);
    assertThat(client.setAdd(utf8("g:tags"), List.of(utf8("blue"), utf8("green")), setShop))
        .isEqualTo(1);
    awaitTrue(
        "the members through every node",
        () -> {
          for (int i = 0; i < 3; i++) {
            if (!client
                .setMembers(utf8("g:tags"), shop)
                .utf8()
                .equals(List.of("blue", "green", "red"))) {
              return false;
            }
          }
          return true;
        });
  }

  // ---- across front ends ----

  @Test
  void crossFrontEnd_siblingsWrittenThroughResp_readThroughHttpAndGrpc_withTheSameContext() {
    String context;
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS);
        Jedis three = jedis(2, CARTS)) {
      String stale = bulk(one.sendCommand(CSET, "x:cart", "", "empty"));
      bulk(one.sendCommand(CSET, "x:cart", stale, "from-one"));
      bulk(two.sendCommand(CSET, "x:cart", stale, "from-two"));
      List<String> read =
          awaitValue(
              "two siblings through RESP",
              () -> {
                List<String> cget = cget(three, "x:cart");
                return cget.size() == 3 ? Optional.of(cget) : Optional.empty();
              });
      context = read.get(0);
    }
    byte[] raw = Base64.getUrlDecoder().decode(context);

    HttpResponse<String> overHttp =
        awaitValue(
            "HTTP 300 with the RESP context",
            () -> {
              HttpResponse<String> read =
                  send(1, "GET", "/api/v1/get?key=x:cart&keyspace=carts", null);
              return read.statusCode() == 300 && json(read).path("context").asText().equals(context)
                  ? Optional.of(read)
                  : Optional.empty();
            });
    assertThat(overHttp.headers().firstValue("ETag")).hasValue("\"" + context + "\"");
    List<String> httpValues = new ArrayList<>();
    for (JsonNode sibling : json(overHttp).path("siblings")) {
      httpValues.add(sibling.path("value").asText());
    }
    assertThat(httpValues).containsExactlyInAnyOrder("from-one", "from-two");

    Versions overGrpc =
        awaitValue(
            "gRPC siblings with the RESP context",
            () -> {
              Versions versions =
                  client.getVersions(utf8("x:cart"), ReadOptions.defaults().withKeyspace(CARTS));
              return java.util.Arrays.equals(versions.causalContext(), raw)
                  ? Optional.of(versions)
                  : Optional.empty();
            });
    assertThat(overGrpc.siblings().stream().map(Sibling::bytes).map(CausalEndToEndTest::text))
        .containsExactlyInAnyOrder("from-one", "from-two");
    assertThat(httpValues.get(0))
        .as("every front end shows the same winner")
        .isEqualTo(text(overGrpc.siblings().get(0).bytes()));

    // The context read through gRPC collapses the siblings written through RESP, seen over HTTP.
    client.put(
        utf8("x:cart"),
        utf8("resolved"),
        PutOptions.defaults().withKeyspace(CARTS).withCausalContext(overGrpc.causalContext()));
    awaitTrue(
        "HTTP shows the one resolved value",
        () -> {
          HttpResponse<String> read = send(2, "GET", "/api/v1/get?key=x:cart&keyspace=carts", null);
          return read.statusCode() == 200 && json(read).path("value").asText().equals("resolved");
        });
  }

  // ---- deletes, observed removes, the CLI, default levels ----

  @Test
  void deleteConcurrentWithAWrite_isADeletedSibling_inEveryFrontEnd() throws Exception {
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS)) {
      String stale = bulk(one.sendCommand(CSET, "d:cart", "", "empty"));
      bulk(one.sendCommand(CSET, "d:cart", stale, "kept"));
      bulk(two.sendCommand(CDEL, "d:cart", stale));
      List<String> read =
          awaitValue(
              "a value and a delete as siblings",
              () -> {
                List<String> cget = cget(two, "d:cart");
                return cget.size() == 3 ? Optional.of(cget) : Optional.empty();
              });
      assertThat(read.subList(1, 3)).containsExactlyInAnyOrder("kept", null);
      assertThat(one.get("d:cart")).as("GET shows the newest live value").isIn("kept", null);

      HttpResponse<String> overHttp = send(2, "GET", "/api/v1/get?key=d:cart&keyspace=carts", null);
      assertThat(overHttp.statusCode()).as(overHttp.body()).isEqualTo(300);
      List<String> shapes = new ArrayList<>();
      for (JsonNode sibling : json(overHttp).path("siblings")) {
        shapes.add(
            sibling.path("deleted").asBoolean() ? "deleted" : sibling.path("value").asText());
        assertThat(sibling.path("timestamp").asLong()).isPositive();
      }
      assertThat(shapes).containsExactlyInAnyOrder("kept", "deleted");

      Versions overGrpc =
          client.getVersions(utf8("d:cart"), ReadOptions.defaults().withKeyspace(CARTS));
      assertThat(overGrpc.siblings())
          .extracting(Sibling::deleted)
          .containsExactlyInAnyOrder(true, false);

      // The ETag read over HTTP is a context RESP takes: a CDEL with it deletes both.
      String etag = overHttp.headers().firstValue("ETag").orElseThrow();
      bulk(one.sendCommand(CDEL, "d:cart", etag.substring(1, etag.length() - 1)));
      awaitTrue(
          "nothing live, 404 with an ETag over HTTP",
          () -> {
            HttpResponse<String> gone =
                send(1, "GET", "/api/v1/get?key=d:cart&keyspace=carts", null);
            return gone.statusCode() == 404 && gone.headers().firstValue("ETag").isPresent();
          });
      assertThat(two.get("d:cart")).isNull();
      assertThat(
              client
                  .getVersions(utf8("d:cart"), ReadOptions.defaults().withKeyspace(CARTS))
                  .value())
          .isEmpty();
    }
  }

  @Test
  void setRemoveWithAReadsContext_leavesAConcurrentAdd() throws Exception {
    SetOptions inCarts = SetOptions.defaults().withKeyspace(CARTS);
    assertThat(client.setAdd(utf8("o:tags"), List.of(utf8("red"), utf8("blue")), inCarts))
        .isEqualTo(2);
    HttpResponse<String> members =
        send(1, "GET", "/api/v1/set/members?key=o:tags&keyspace=carts", null);
    assertThat(json(members).path("members").toString()).isEqualTo("[\"blue\",\"red\"]");
    String etag = members.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo("\"" + json(members).path("context").asText() + "\"");

    // An add of red that the members read did not see, through RESP on another node.
    try (Jedis three = jedis(2, CARTS)) {
      assertThat(three.sadd("o:tags", "red")).as("red is present: nothing added").isZero();
      assertThat(three.type("o:tags")).isEqualTo("set");
    }
    HttpResponse<String> removed =
        send(
            0,
            "POST",
            "/api/v1/set/remove?keyspace=carts",
            "{\"key\": \"o:tags\", \"members\": [\"red\", \"blue\"]}",
            "If-Match",
            etag);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    awaitTrue(
        "red survives through its concurrent add; blue is gone",
        () ->
            client
                .setMembers(utf8("o:tags"), ReadOptions.defaults().withKeyspace(CARTS))
                .utf8()
                .equals(List.of("red")));
  }

  @Test
  void cli_createsAKeyspace_countsOnce_andShowsSiblings_againstTheRealCluster() throws Exception {
    Cli create = cli(0, "keyspace", "create", "cli_ks", "--replication-factor", "3");
    assertThat(create.exitCode()).as(create.err()).isZero();
    awaitTrue(
        "cli_ks on node 3", () -> send(2, "GET", "/v1/keyspaces/cli_ks", null).statusCode() == 200);
    assertThat(json(send(2, "GET", "/v1/keyspaces/cli_ks", null)).path("conflicts").asText())
        .isEqualTo("causal");

    Cli first = cli(0, "incr", "c:views", "5", "--keyspace", "cli_ks", "--idempotency-key", "a");
    Cli retry =
        cli(1, "incr", "c:views", "5", "--keyspace", "cli_ks", "--idempotency-key", "a", "--json");
    assertThat(first.out()).as(first.err()).isEqualTo("5\n");
    JsonNode retried = JSON.readTree(retry.out());
    assertThat(retried.path("value").asLong()).isEqualTo(5);
    assertThat(retried.path("duplicate").asBoolean()).isTrue();

    try (Jedis one = jedisAtDefaultLevels(0, "cli_ks");
        Jedis two = jedisAtDefaultLevels(1, "cli_ks")) {
      awaitTrue("the counter reads 5 over RESP", () -> "5".equals(two.get("c:views")));
      String stale = bulk(one.sendCommand(CSET, "c:colour", "", "grey"));
      bulk(one.sendCommand(CSET, "c:colour", stale, "blue"));
      bulk(two.sendCommand(CSET, "c:colour", stale, "red"));
    }
    Cli siblings =
        awaitValue(
            "two siblings printed by get --siblings",
            () -> {
              Cli get = cli(2, "get", "c:colour", "--keyspace", "cli_ks", "--siblings");
              return get.exitCode() == 0 && get.out().lines().count() == 2
                  ? Optional.of(get)
                  : Optional.empty();
            });
    assertThat(siblings.out().lines().toList()).containsExactlyInAnyOrder("blue", "red");
    Cli plain = cli(2, "get", "c:colour", "--keyspace", "cli_ks");
    assertThat(plain.out().strip()).isEqualTo(siblings.out().lines().findFirst().orElseThrow());
    assertThat(plain.err()).contains("2 concurrent values");
  }

  @Test
  void defaultLevels_respCountersAndSiblingsStillMerge() {
    // The keyspace's own levels (QUORUM): an acknowledged write may still be missing on one
    // replica, so every read waits for its condition.
    try (Jedis one = jedisAtDefaultLevels(0, SHOP);
        Jedis two = jedisAtDefaultLevels(1, SHOP);
        Jedis three = jedisAtDefaultLevels(2, SHOP)) {
      for (int i = 0; i < 20; i++) {
        Jedis through = List.of(one, two, three).get(i % 3);
        through.sendCommand(INCRBY, "q:views", "1", "IDEMPOTENCY", "op-" + i);
        // Every increment retried once through the next node.
        List.of(one, two, three)
            .get((i + 1) % 3)
            .sendCommand(INCRBY, "q:views", "1", "IDEMPOTENCY", "op-" + i);
      }
      for (Jedis jedis : List.of(one, two, three)) {
        awaitTrue("20 counted once each", () -> "20".equals(jedis.get("q:views")));
      }
      String stale = bulk(one.sendCommand(CSET, "q:cart", "", "a"));
      bulk(two.sendCommand(CSET, "q:cart", stale, "b"));
      bulk(three.sendCommand(CSET, "q:cart", stale, "c"));
      List<String> read =
          awaitValue(
              "two siblings at QUORUM",
              () -> {
                List<String> cget = cget(one, "q:cart");
                return cget.size() == 3 ? Optional.of(cget) : Optional.empty();
              });
      assertThat(read.subList(1, 3)).containsExactlyInAnyOrder("b", "c");
    }
  }

  @Test
  void droppedKeyspace_isRefusedOnTheConnectionsThatChoseIt() throws Exception {
    assertThat(send(0, "PUT", "/v1/keyspaces/brief", "{\"replication_factor\": 3}").statusCode())
        .isEqualTo(201);
    for (int index = 0; index < 3; index++) {
      int node = index;
      awaitTrue(
          "brief on node " + (node + 1),
          () -> send(node, "GET", "/v1/keyspaces/brief", null).statusCode() == 200);
    }
    try (Jedis one = jedis(0, "brief");
        Jedis two = jedis(1, "brief")) {
      assertThat(one.incrBy("r:views", 5)).isEqualTo(5L);
      assertThat(one.sadd("r:tags", "a")).isEqualTo(1L);
      assertThat(send(2, "DELETE", "/v1/keyspaces/brief", null).statusCode()).isEqualTo(204);
      awaitTrue(
          "brief gone on node 2",
          () -> send(1, "GET", "/v1/keyspaces/brief", null).statusCode() == 404);
      assertThatThrownBy(() -> two.incr("r:views"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageContaining("brief");
    }
  }

  @Test
  void rawKvRoutes_putAndDeleteWithIfMatch_andTheBase64SiblingShape() throws Exception {
    HttpResponse<String> seeded = send(0, "PUT", "/v1/kv/k:raw?keyspace=carts", "grey");
    assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);
    String stale = seeded.headers().firstValue("ETag").orElseThrow();
    assertThat(
            send(0, "PUT", "/v1/kv/k:raw?keyspace=carts", "blue", "If-Match", stale).statusCode())
        .isEqualTo(200);
    assertThat(send(1, "PUT", "/v1/kv/k:raw?keyspace=carts", "red", "If-Match", stale).statusCode())
        .isEqualTo(200);
    HttpResponse<String> multiple =
        awaitValue(
            "300 on the raw route",
            () -> {
              HttpResponse<String> read =
                  send(2, "GET", "/v1/kv/k:raw?keyspace=carts&encoding=base64", null);
              return read.statusCode() == 300 ? Optional.of(read) : Optional.empty();
            });
    List<String> values = new ArrayList<>();
    for (JsonNode sibling : json(multiple).path("siblings")) {
      values.add(text(Base64.getDecoder().decode(sibling.path("value").asText())));
    }
    assertThat(values).containsExactlyInAnyOrder("blue", "red");
    try (Jedis jedis = jedis(1, CARTS)) {
      assertThat(cget(jedis, "k:raw").get(0)).isEqualTo(json(multiple).path("context").asText());
    }

    String etag = multiple.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> deleted =
        send(2, "DELETE", "/v1/kv/k:raw?keyspace=carts", null, "If-Match", etag);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(deleted.headers().firstValue("ETag")).isPresent();
    awaitTrue(
        "404 through node 1",
        () -> send(0, "GET", "/v1/kv/k:raw?keyspace=carts", null).statusCode() == 404);
  }

  @Test
  void resp3_cgetShowsADeletedSiblingAsNull() {
    try (Jedis one = jedis(0, CARTS);
        Jedis two = jedis(1, CARTS)) {
      String stale = bulk(one.sendCommand(CSET, "r3:cart", "", "v0"));
      bulk(one.sendCommand(CSET, "r3:cart", stale, "kept"));
      bulk(two.sendCommand(CDEL, "r3:cart", stale));
      assertThat(two.sendCommand(command("HELLO"), "3")).isNotNull();
      awaitTrue(
          "RESP3 CGET: the context, the value, a null",
          () -> {
            List<String> read = cget(two, "r3:cart");
            return read.size() == 3 && read.contains(null) && read.contains("kept");
          });
    }
  }

  @Test
  void siblingCap_refusesTheSameWayInEveryFrontEnd_andTheReadsContextResolves() throws Exception {
    int siblingsMax = 32; // replication.causal_siblings_max, the default
    try (Jedis one = jedis(0, CARTS)) {
      String stale = bulk(one.sendCommand(CSET, "cap:cart", "", "seed"));
      int accepted = 0;
      JedisDataException refusal = null;
      for (int i = 0; i < siblingsMax + 8 && refusal == null; i++) {
        try {
          bulk(one.sendCommand(CSET, "cap:cart", stale, "value-" + i));
          accepted++;
        } catch (JedisDataException e) {
          refusal = e;
        }
      }
      assertThat(refusal).as("refused after %d writes", accepted).isNotNull();
      assertThat(accepted).isEqualTo(siblingsMax);
      assertThat(refusal.getMessage()).startsWith("ERR").contains(String.valueOf(siblingsMax));
      String staleTag = "\"" + stale + "\"";
      HttpResponse<String> overHttp = put(1, "cap:cart", "\"one-more\"", staleTag);
      assertThat(overHttp.statusCode()).as(overHttp.body()).isEqualTo(409);
      assertThat(json(overHttp).path("type").asText()).isEqualTo("urn:ringkv:problem:conflict");
      assertThatThrownBy(
              () ->
                  client.put(
                      utf8("cap:cart"),
                      utf8("one-more"),
                      PutOptions.defaults()
                          .withKeyspace(CARTS)
                          .withCausalContext(Base64.getUrlDecoder().decode(stale))))
          .isInstanceOfSatisfying(
              io.ringkv.client.RingkvException.class,
              e -> assertThat(e.kind()).isEqualTo(io.ringkv.client.RingkvException.Kind.CONFLICT));

      List<String> read = cget(one, "cap:cart");
      assertThat(read).hasSize(siblingsMax + 1);
      bulk(one.sendCommand(CSET, "cap:cart", read.get(0), "resolved"));
      awaitTrue(
          "one sibling after the write with the read's context",
          () -> cget(one, "cap:cart").equals(List.of(cget(one, "cap:cart").get(0), "resolved")));
    }
    assertThat(send(0, "GET", "/metrics", null).body())
        .containsPattern("ringkv_causal_refusals_total\\{[^}]*\\} [1-9]");
  }

  @Test
  void refusals_wrongTypesOverflowsModesAndUnknownKeyspaces_inEveryFrontEnd() throws Exception {
    try (Jedis one = jedis(0, CARTS);
        Jedis plain = jedis(1, null)) {
      assertThat(one.incrBy("w:counter", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
      assertThatThrownBy(() -> one.incr("w:counter"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("ERR");
      HttpResponse<String> overflow =
          send(1, "POST", "/api/v1/counter/incr?keyspace=carts", "{\"key\": \"w:counter\"}");
      assertThat(overflow.statusCode()).as(overflow.body()).isEqualTo(409);
      assertThat(
              client.increment(
                  utf8("w:counter"), -1, IncrementOptions.defaults().withKeyspace(CARTS)))
          .as("nothing was applied by the refused increments")
          .isEqualTo(new IncrementResult(Long.MAX_VALUE - 1, false));
      assertThat(one.type("w:counter")).isEqualTo("string");

      assertThat(one.sadd("w:set", "a")).isEqualTo(1L);
      assertThatThrownBy(() -> one.get("w:set"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageStartingWith("WRONGTYPE");
      assertThat(send(2, "GET", "/api/v1/get?key=w:set&keyspace=carts", null).statusCode())
          .isEqualTo(409);
      assertThatThrownBy(
              () -> client.getVersions(utf8("w:set"), ReadOptions.defaults().withKeyspace(CARTS)))
          .isInstanceOfSatisfying(
              io.ringkv.client.RingkvException.class,
              e ->
                  assertThat(e.kind()).isEqualTo(io.ringkv.client.RingkvException.Kind.WRONG_TYPE));

      assertThatThrownBy(() -> plain.incr("w:lww"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageContaining("conflicts: lww");
      assertThat(send(0, "POST", "/api/v1/counter/incr", "{\"key\": \"w:lww\"}").statusCode())
          .isEqualTo(400);
      assertThatThrownBy(() -> plain.sendCommand(KEYSPACE, "nowhere"))
          .isInstanceOf(JedisDataException.class)
          .hasMessageContaining("no such keyspace 'nowhere'")
          .hasMessageContaining(CARTS);
      assertThat(send(2, "GET", "/api/v1/get?key=k&keyspace=nowhere", null).statusCode())
          .isEqualTo(404);
      assertThatThrownBy(
              () -> client.get(utf8("k"), ReadOptions.defaults().withKeyspace("nowhere")))
          .isInstanceOfSatisfying(
              io.ringkv.client.RingkvException.class,
              e ->
                  assertThat(e.kind())
                      .isEqualTo(io.ringkv.client.RingkvException.Kind.NO_SUCH_KEYSPACE));
      assertThat(one.clientList()).contains("keyspace=carts");
    }
  }

  @Test
  void grpc_putRetriedWithTheSameContextAndValue_addsNoSibling() {
    PutOptions inShop = PutOptions.defaults().withKeyspace(SHOP);
    byte[] stale = client.put(utf8("g:retry"), utf8("seed"), inShop).causalContext();
    client.put(utf8("g:retry"), utf8("other"), inShop.withCausalContext(stale));
    for (int attempt = 0; attempt < 3; attempt++) { // round robin: through each node once
      client.put(
          utf8("g:retry"),
          utf8("mine"),
          inShop.withCausalContext(stale).withIdempotencyKey("put-1"));
    }
    awaitTrue(
        "two siblings, not four",
        () -> {
          Versions versions =
              client.getVersions(utf8("g:retry"), ReadOptions.defaults().withKeyspace(SHOP));
          return versions.siblings().stream()
              .map(sibling -> text(sibling.bytes()))
              .sorted()
              .toList()
              .equals(List.of("mine", "other"));
        });
  }

  @Test
  void concurrentIncrementsAndAdds_throughAllThreeFrontEnds_areExact() throws Exception {
    int perWriter = 50;
    List<java.util.concurrent.Callable<Void>> writers = new ArrayList<>();
    writers.add(
        () -> {
          try (Jedis jedis = jedisAtDefaultLevels(0, CARTS)) {
            for (int i = 0; i < perWriter; i++) {
              jedis.incr("p:views");
              jedis.sadd("p:members", "resp-" + i);
            }
          }
          return null;
        });
    writers.add(
        () -> {
          for (int i = 0; i < perWriter; i++) {
            HttpResponse<String> added =
                send(
                    1,
                    "POST",
                    "/api/v1/counter/incr?keyspace=carts",
                    "{\"key\": \"p:views\", \"by\": 2}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
            send(
                1,
                "POST",
                "/api/v1/set/add?keyspace=carts",
                "{\"key\": \"p:members\", \"members\": [\"http-" + i + "\"]}");
          }
          return null;
        });
    writers.add(
        () -> {
          for (int i = 0; i < perWriter; i++) {
            client.increment(utf8("p:views"), 3, IncrementOptions.defaults().withKeyspace(CARTS));
            client.setAdd(
                utf8("p:members"),
                List.of(utf8("grpc-" + i)),
                SetOptions.defaults().withKeyspace(CARTS));
          }
          return null;
        });
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers.size());
    try {
      for (java.util.concurrent.Future<Void> done : pool.invokeAll(writers)) {
        done.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long expected = perWriter * (1L + 2L + 3L);
    for (int index = 0; index < 3; index++) {
      int node = index;
      awaitTrue(
          "the counter is exact on node " + (node + 1),
          () ->
              json(send(node, "GET", "/api/v1/counter?key=p:views&keyspace=carts", null))
                      .path("value")
                      .asLong()
                  == expected);
      awaitTrue(
          "every member on node " + (node + 1),
          () ->
              json(send(node, "GET", "/api/v1/set/members?key=p:members&keyspace=carts", null))
                      .path("members")
                      .size()
                  == 3 * perWriter);
    }
    System.out.printf(
        "CausalEndToEndTest: %d increments and %d adds through three front ends, counter %d%n",
        3 * perWriter, 3 * perWriter, expected);
  }

  private record Cli(int exitCode, String out, String err) {}

  /** Runs {@code ringkv <args> --host <node's gRPC address>} in-process. */
  private static Cli cli(int node, String... args) {
    InetSocketAddress grpc = nodes.get(node).address(FrontEndKind.GRPC).orElseThrow();
    List<String> withHost = new ArrayList<>(List.of(args));
    withHost.add("--host");
    withHost.add(grpc.getHostString() + ":" + grpc.getPort());
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine commandLine = new picocli.CommandLine(new io.ringkv.server.cli.RingkvCli());
    commandLine.setOut(new java.io.PrintWriter(out, true));
    commandLine.setErr(new java.io.PrintWriter(err, true));
    int exitCode = commandLine.execute(withHost.toArray(String[]::new));
    return new Cli(exitCode, out.toString(), err.toString());
  }

  // ---- helpers ----

  private static ProtocolCommand command(String name) {
    byte[] raw = SafeEncoder.encode(name);
    return () -> raw;
  }

  private static Jedis jedis(int node, String keyspace) {
    Jedis jedis = jedisAtDefaultLevels(node, keyspace);
    assertThat(bulk(jedis.sendCommand(CONSISTENCY, "WRITE", "ALL"))).isEqualTo("OK");
    return jedis;
  }

  /** A connection that keeps the keyspace's default levels (QUORUM). */
  private static Jedis jedisAtDefaultLevels(int node, String keyspace) {
    InetSocketAddress address = nodes.get(node).address(FrontEndKind.RESP).orElseThrow();
    Jedis jedis = new Jedis(address.getHostString(), address.getPort(), 10_000);
    if (keyspace != null) {
      assertThat(bulk(jedis.sendCommand(KEYSPACE, keyspace))).isEqualTo("OK");
    }
    return jedis;
  }

  private static String bulk(Object reply) {
    return reply == null ? null : new String((byte[]) reply, StandardCharsets.UTF_8);
  }

  /** CGET as strings: the context, then the siblings newest first (null for a delete). */
  private static List<String> cget(Jedis jedis, String key) {
    List<String> read = new ArrayList<>();
    for (Object element : (List<?>) jedis.sendCommand(CGET, key)) {
      read.add(bulk(element));
    }
    return read;
  }

  private static HttpResponse<String> put(int node, String key, String valueJson, String ifMatch) {
    String body = "{\"key\": \"" + key + "\", \"value\": " + valueJson + "}";
    return ifMatch == null
        ? send(node, "POST", "/api/v1/put?keyspace=carts", body)
        : send(node, "POST", "/api/v1/put?keyspace=carts", body, "If-Match", ifMatch);
  }

  private static HttpResponse<String> send(
      int node, String method, String pathAndQuery, String body, String... headers) {
    InetSocketAddress address = nodes.get(node).address(FrontEndKind.HTTP).orElseThrow();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://" + address.getHostString() + ":" + address.getPort() + pathAndQuery))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (!pathAndQuery.startsWith("/v1/keyspaces") && !method.equals("GET")) {
      request.header("X-Consistency-Level", "ALL");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
    awaitValue(what, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
  }

  /** Polls until {@code probe} yields a value or {@link #DEADLINE} passes. */
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

  @Test
  void sameKeyInThreeKeyspaces_staysThreeIndependentKeys() throws Exception {
    try (Jedis plain = jedis(0, null);
        Jedis carts = jedis(1, CARTS);
        Jedis shop = jedis(2, SHOP)) {
      assertThat(plain.set("i:same", "plain")).isEqualTo("OK");
      bulk(carts.sendCommand(CSET, "i:same", "", "causal"));
      assertThat(shop.incrBy("i:same", 7)).isEqualTo(7L);

      awaitTrue("default holds its string", () -> "plain".equals(getThrough(0, null, "i:same")));
      awaitTrue("carts holds its register", () -> "causal".equals(getThrough(1, CARTS, "i:same")));
      awaitTrue("shop holds its counter", () -> "7".equals(getThrough(2, SHOP, "i:same")));
      assertThat(carts.type("i:same")).isEqualTo("string");
      assertThat(
              json(send(0, "GET", "/api/v1/counter?key=i:same&keyspace=shop", null))
                  .path("value")
                  .asLong())
          .isEqualTo(7);
      assertThat(json(send(0, "GET", "/api/v1/get?key=i:same", null)).path("value").asText())
          .isEqualTo("plain");

      // A listing of one keyspace shows only its own keys.
      assertThat(scanAll(shop, "i:*")).containsExactly("i:same");
      bulk(carts.sendCommand(CSET, "i:only-in-carts", "", "x"));
      awaitTrue(
          "carts lists its two keys",
          () -> scanAll(carts, "i:*").equals(java.util.Set.of("i:same", "i:only-in-carts")));
      assertThat(scanAll(plain, "i:*")).containsExactly("i:same");
      assertThat(scanAll(shop, "i:*")).containsExactly("i:same");
    }
  }

  private static String getThrough(int node, String keyspace, String key) {
    try (Jedis jedis = jedis(node, keyspace)) {
      return jedis.get(key);
    }
  }

  private static java.util.Set<String> scanAll(Jedis jedis, String pattern) {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    String cursor = "0";
    do {
      redis.clients.jedis.resps.ScanResult<String> page =
          jedis.scan(cursor, new redis.clients.jedis.params.ScanParams().match(pattern));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals("0"));
    return keys;
  }
}
