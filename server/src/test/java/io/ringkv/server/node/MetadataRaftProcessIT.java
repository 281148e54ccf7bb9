package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.server.cli.RingkvCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster metadata on Raft with real processes ({@code cluster.metadata: raft},
 * docs/design/metadata-on-raft.md): {@code ringkv up} starts three nodes; node-1, the first seed,
 * founds the metadata group and the other two join through it. Every node must end with the same
 * metadata: the same epoch, the same members Normal with the same token counts and ownership, the
 * same metadata leader and three voters; {@code ringkv status} prints the epoch and the leader.
 * Then {@code kill -9} of node-3 and a restart alone: it comes back from its own log, Normal with
 * the same tokens, and all three agree again. Every port is 0; each wait polls a condition with a
 * deadline.
 */
class MetadataRaftProcessIT {
  private static final long WAIT_SECONDS = 90;
  private static final Pattern UP_LINE =
      Pattern.compile("(node-\\d+) \\| ringkv node node-\\d+ up: .*http ([0-9.]+:\\d+),");
  private static final Pattern STARTED =
      Pattern.compile(
          "ringkv up: started (node-\\d+) \\(pid (\\d+)\\); alone: \\./ringkv server (.*)");

  @TempDir Path workDirectory;

  private final List<ChildJvm> children = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void killLeftovers() {
    for (ChildJvm child : children) {
      child.process.descendants().forEach(ProcessHandle::destroyForcibly);
      child.process.destroyForcibly();
    }
    http.close();
  }

  @Test
  void up_raftMetadata_threeNodesAgreeOnEpochTokensAndLeader() throws Exception {
    ChildJvm up =
        new ChildJvm(
            workDirectory,
            RingkvCli.class.getName(),
            List.of(
                "up",
                "--set",
                "cluster.metadata=raft",
                "--set",
                "resp.port=0",
                "--set",
                "http.port=0",
                "--set",
                "grpc.port=0",
                "--set",
                "internode.port=0",
                "--set",
                "storage.memtable_bytes=1MiB",
                "--set",
                "storage.block_cache_bytes=1MiB"),
            WAIT_SECONDS);
    children.add(up);
    try {
      runScenario(up);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "\n--- up stdout:\n" + up.output + "--- up stderr:\n" + up.stderr(), e);
    }
  }

  private void runScenario(ChildJvm up) throws Exception {
    Map<String, String> httpOf = new TreeMap<>();
    Map<String, Long> pidOf = new TreeMap<>();
    Map<String, String> aloneArgs = new TreeMap<>();
    while (httpOf.size() < 3) {
      String line =
          up.awaitLine(text -> UP_LINE.matcher(text).find() || STARTED.matcher(text).find());
      Matcher started = STARTED.matcher(line);
      if (started.find()) {
        pidOf.put(started.group(1), Long.parseLong(started.group(2)));
        aloneArgs.put(started.group(1), started.group(3));
        continue;
      }
      Matcher upLine = UP_LINE.matcher(line);
      assertThat(upLine.find()).isTrue();
      httpOf.put(upLine.group(1), upLine.group(2));
    }
    long started = System.nanoTime();
    Map<String, JsonNode> settled = new TreeMap<>();
    for (String observer : httpOf.keySet()) {
      settled.put(
          observer,
          awaitStatus(
              httpOf.get(observer),
              s ->
                  s.get("metadata") != null
                      && !s.get("metadata").isNull()
                      && countNormalUp(s) == 3
                      && s.get("metadata").get("voters").size() == 3
                      && !s.get("metadata").get("leader").asText().isEmpty(),
              observer + " sees three Up/Normal members and three voters"));
    }
    // The epoch still moves after the third member is Normal: the leader then raises the default
    // keyspace's replication factor to 3 (one more epoch). Wait until all three report the same
    // epoch with that change applied (every node holds a replica of everything), then compare.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!(sameEpoch(settled) && settled.values().stream().allMatch(s -> replicatedEverywhere(s)))
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200); // poll interval, not a stand-in for the condition
      for (String observer : httpOf.keySet()) {
        settled.put(observer, status(httpOf.get(observer)));
      }
    }
    assertThat(sameEpoch(settled)).as("same epoch everywhere: %s", settled).isTrue();
    assertThat(settled.values())
        .as("the default keyspace at replication factor 3 everywhere: %s", settled)
        .allMatch(MetadataRaftProcessIT::replicatedEverywhere);
    JsonNode reference = settled.get("node-1");
    for (JsonNode status : settled.values()) {
      assertThat(status.get("metadata").get("mode").asText()).isEqualTo("raft");
      assertThat(status.get("metadata").get("leader"))
          .isEqualTo(reference.get("metadata").get("leader"));
      assertThat(status.get("metadata").get("voters"))
          .isEqualTo(reference.get("metadata").get("voters"));
      assertThat(members(status)).isEqualTo(members(reference));
      assertThat(status.get("keyspaces").get(0).get("name").asText()).isEqualTo("default");
      assertThat(status.get("keyspaces").get(0).get("conflicts").asText())
          .as("the built-in keyspace stays last-write-wins")
          .isEqualTo("lww");
    }
    double owns = 0;
    for (JsonNode node : reference.get("nodes")) {
      owns += node.get("owns").asDouble();
      assertThat(node.get("tokens").asInt()).isEqualTo(16);
    }
    assertThat(owns).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    System.out.printf(
        "MetadataRaftProcessIT: 3 nodes agree on epoch %d, leader %s, %d ms after all were up%n",
        reference.get("epoch").asLong(),
        reference.get("metadata").get("leader").asText(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

    String printed = cli("status", "--http", httpOf.get("node-2"));
    assertThat(printed)
        .contains("metadata epoch " + reference.get("epoch").asLong())
        .contains("Metadata on raft: leader " + reference.get("metadata").get("leader").asText())
        .contains("Keyspace default: SimpleStrategy{replication_factor=3}")
        .contains("conflicts lww");

    // kill -9 node-3; started again alone, it comes back from its own metadata log.
    String tokensBefore = members(reference);
    assertThat(ProcessHandle.of(pidOf.get("node-3")).orElseThrow().destroyForcibly()).isTrue();
    List<String> alone = new ArrayList<>(List.of("server"));
    alone.addAll(List.of(aloneArgs.get("node-3").split(" ")));
    ChildJvm restarted =
        new ChildJvm(workDirectory, RingkvCli.class.getName(), List.copyOf(alone), WAIT_SECONDS);
    children.add(restarted);
    String restartedUp = restarted.awaitLine(text -> text.startsWith("ringkv node node-3 up: "));
    Matcher restartedHttp = Pattern.compile("http ([0-9.]+:\\d+),").matcher(restartedUp);
    assertThat(restartedHttp.find()).as(restartedUp).isTrue();
    httpOf.put("node-3", restartedHttp.group(1)); // its ports were picked again
    for (String observer : httpOf.keySet()) {
      JsonNode status =
          awaitStatus(
              httpOf.get(observer),
              s ->
                  countNormalUp(s) == 3
                      && s.get("epoch").asLong() >= reference.get("epoch").asLong()
                      && s.get("metadata").get("voters").size() == 3,
              observer + " sees node-3 back after its restart");
      assertThat(members(status)).as("members seen by " + observer).isEqualTo(tokensBefore);
    }
    String newHttpPort = httpOf.get("node-3").substring(httpOf.get("node-3").indexOf(':') + 1);
    awaitStatus(
        httpOf.get("node-1"),
        s -> nodeLine(s, "node-3").get("httpPort").asText().equals(newHttpPort),
        "node-1's metadata holds node-3's new address");
    assertThat(restarted.stop()).as(restarted.stderr()).isZero();
    assertThat(up.stop()).as(up.stderr()).isZero();
  }

  /** True if every node holds a replica of every key of the default keyspace. */
  private static boolean replicatedEverywhere(JsonNode status) {
    for (JsonNode node : status.get("nodes")) {
      if (Math.abs(node.get("ownsEffective").asDouble() - 1.0) > 1e-9) {
        return false;
      }
    }
    return true;
  }

  /** Each member's id, status, token count and ownership, as one comparable text. */
  private static String members(JsonNode status) {
    StringBuilder text = new StringBuilder();
    for (JsonNode node : status.get("nodes")) {
      text.append(node.get("id").asText())
          .append(' ')
          .append(node.get("status").asText())
          .append(' ')
          .append(node.get("tokens").asInt())
          .append(' ')
          .append(node.get("owns").asDouble())
          .append('\n');
    }
    return text.toString();
  }

  private static JsonNode nodeLine(JsonNode status, String id) {
    for (JsonNode node : status.get("nodes")) {
      if (node.get("id").asText().equals(id)) {
        return node;
      }
    }
    throw new AssertionError("no " + id + " in " + status);
  }

  private static boolean sameEpoch(Map<String, JsonNode> statuses) {
    return statuses.values().stream().map(s -> s.get("epoch").asLong()).distinct().count() == 1;
  }

  private static int countNormalUp(JsonNode status) {
    int count = 0;
    for (JsonNode node : status.get("nodes")) {
      if (node.get("state").asText().equals("UP") && node.get("status").asText().equals("NORMAL")) {
        count++;
      }
    }
    return count;
  }

  private JsonNode status(String httpAddress) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/v1/cluster/status"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private JsonNode awaitStatus(String httpAddress, Predicate<JsonNode> wanted, String what)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = status(httpAddress);
        if (wanted.test(last)) {
          return last;
        }
      } catch (java.io.IOException | AssertionError notYet) {
        // starting or briefly unreachable: ask again
      }
      TimeUnit.MILLISECONDS.sleep(100); // poll interval, not a stand-in for the condition
    }
    throw new AssertionError(
        "not within " + WAIT_SECONDS + " s: " + what + "; last status: " + last);
  }

  private static String cli(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      assertThat(RingkvCli.execute(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
