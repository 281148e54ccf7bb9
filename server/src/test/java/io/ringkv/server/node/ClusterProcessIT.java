package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.GossipStateFile;
import io.ringkv.cluster.membership.PersistentGossipState;
import io.ringkv.server.cli.RingkvCli;
import io.ringkv.storage.fs.LocalFileSystem;
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
import java.util.Arrays;
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
 * Issue 5's acceptance check with real processes: {@code ringkv up} brings three nodes Up and
 * Normal with ownership summing to 100%; {@code kill -9} of one is seen Down by the others within
 * 10 s (the bound the issue sets); started again alone it comes back Up with the same tokens and a
 * higher generation. Every port is 0 (picked by the system), so the test runs beside a real
 * cluster. Each wait polls a condition with a deadline.
 */
class ClusterProcessIT {
  private static final long WAIT_SECONDS = 90;
  private static final long DOWN_BOUND_SECONDS = 10;
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
  void up_threeNodesNormal_killedNodeDownWithinTenSeconds_restartedUpWithSameTokens()
      throws Exception {
    ChildJvm up =
        start(
            "up",
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
            "storage.block_cache_bytes=1MiB");
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

    // Three nodes, Up and Normal on every node, primary ownership summing to 100%.
    for (String observer : httpOf.keySet()) {
      JsonNode status =
          awaitStatus(
              httpOf.get(observer),
              s -> countNodes(s, "UP", "NORMAL") == 3,
              observer + " sees three Up/Normal nodes");
      double owns = 0;
      for (JsonNode node : status.get("nodes")) {
        owns += node.get("owns").asDouble();
        assertThat(node.get("tokens").asInt()).isEqualTo(16);
      }
      assertThat(owns).as("ownership seen by " + observer).isCloseTo(1.0, within(1e-9));
    }
    String printed = cli("status", "--http", httpOf.get("node-1"));
    assertThat(printed).contains("Datacenter: dc1");
    assertThat(printed.lines().filter(l -> l.startsWith("UN "))).hasSize(3);

    JsonNode before = nodeLine(status(httpOf.get("node-1")), "node-3");
    PersistentGossipState storedBefore = storedState("node-3");

    // kill -9 node-3: the others see it Down within the bound.
    long killedAt = System.nanoTime();
    assertThat(ProcessHandle.of(pidOf.get("node-3")).orElseThrow().destroyForcibly()).isTrue();
    for (String observer : List.of("node-1", "node-2")) {
      awaitStatus(
          httpOf.get(observer),
          s -> nodeLine(s, "node-3").get("state").asText().equals("DOWN"),
          observer + " sees node-3 Down",
          DOWN_BOUND_SECONDS);
    }
    System.out.printf(
        "ClusterProcessIT: node-3 killed, Down on node-1 and node-2 after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    assertThat(up.process.isAlive()).as("up keeps the other nodes running").isTrue();

    // Started again alone, with the command `up` printed for it.
    List<String> alone = new ArrayList<>(List.of("server"));
    alone.addAll(Arrays.asList(aloneArgs.get("node-3").split(" ")));
    ChildJvm restarted = start(alone.toArray(String[]::new));
    restarted.awaitLine(text -> text.startsWith("ringkv node node-3 up: "));
    JsonNode after =
        nodeLine(
            awaitStatus(
                httpOf.get("node-1"),
                s -> {
                  JsonNode line = nodeLine(s, "node-3");
                  return line.get("state").asText().equals("UP")
                      && line.get("generation").asLong() > before.get("generation").asLong();
                },
                "node-1 sees node-3 Up with a higher generation"),
            "node-3");
    assertThat(after.get("status").asText()).isEqualTo("NORMAL");
    assertThat(after.get("tokens").asInt()).isEqualTo(before.get("tokens").asInt());
    assertThat(after.get("owns").asDouble()).isEqualTo(before.get("owns").asDouble());
    PersistentGossipState storedAfter = storedState("node-3");
    assertThat(storedAfter.applicationStates().get(ApplicationState.TOKENS))
        .isEqualTo(storedBefore.applicationStates().get(ApplicationState.TOKENS));
    assertThat(storedAfter.generation()).isGreaterThan(storedBefore.generation());

    assertThat(restarted.stop()).as(restarted.stderr()).isZero();
    assertThat(up.stop()).as(up.stderr()).isZero();
  }

  private ChildJvm start(String... args) throws Exception {
    ChildJvm child =
        new ChildJvm(workDirectory, RingkvCli.class.getName(), List.of(args), WAIT_SECONDS);
    children.add(child);
    return child;
  }

  private PersistentGossipState storedState(String node) throws Exception {
    return new GossipStateFile(new LocalFileSystem(), workDirectory.resolve("data").resolve(node))
        .load()
        .orElseThrow();
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
    return awaitStatus(httpAddress, wanted, what, WAIT_SECONDS);
  }

  private JsonNode awaitStatus(
      String httpAddress, Predicate<JsonNode> wanted, String what, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
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
    throw new AssertionError("not within " + seconds + " s: " + what + "; last status: " + last);
  }

  private static int countNodes(JsonNode status, String state, String memberStatus) {
    int count = 0;
    for (JsonNode node : status.get("nodes")) {
      if (node.get("state").asText().equals(state)
          && node.get("status").asText().equals(memberStatus)) {
        count++;
      }
    }
    return count;
  }

  private static JsonNode nodeLine(JsonNode status, String id) {
    for (JsonNode node : status.get("nodes")) {
      if (node.get("id").asText().equals(id)) {
        return node;
      }
    }
    throw new AssertionError("no " + id + " in " + status);
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

  private static org.assertj.core.data.Offset<Double> within(double delta) {
    return org.assertj.core.data.Offset.offset(delta);
  }
}
