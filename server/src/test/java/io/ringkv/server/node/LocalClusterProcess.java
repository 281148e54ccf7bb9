package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.server.cli.RingkvCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

/**
 * A local cluster of real processes for the process ITs: {@code ringkv up} as a child JVM with
 * every port 0 (picked by the system, so a test runs beside a real cluster), the "up:" and
 * "started" lines it prints parsed into each node's HTTP address, pid and the arguments to start it
 * alone, a node restarted alone, and {@code GET /v1/cluster/status} polled with a deadline.
 *
 * <p>Every wait is bounded by {@link #WAIT_SECONDS} unless a caller names a tighter bound; a poll
 * sleeps only between asks of its condition. {@link #close()} kills every child JVM it started (and
 * their children) and must run after each test. Not thread-safe: owned by the test thread.
 */
final class LocalClusterProcess implements AutoCloseable {
  static final long WAIT_SECONDS = 90;
  private static final int NODE_COUNT = 3;
  private static final Pattern UP_LINE =
      Pattern.compile("(node-\\d+) \\| ringkv node node-\\d+ up: .*http ([0-9.]+:\\d+),");
  private static final Pattern STARTED =
      Pattern.compile(
          "ringkv up: started (node-\\d+) \\(pid (\\d+)\\); alone: \\./ringkv server (.*)");
  private static final Pattern HTTP_ADDRESS = Pattern.compile("http ([0-9.]+:\\d+),");
  private static final List<String> EPHEMERAL_PORTS_SMALL_MEMORY =
      List.of(
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

  /** A test's steps once every node is up. */
  interface Scenario {
    void run() throws Exception;
  }

  /** A node started again alone: its JVM and the HTTP address it picked this time. */
  record AloneNode(ChildJvm process, String httpAddress) {}

  private Path workDirectory;
  private final List<ChildJvm> children = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, String> httpOf = new TreeMap<>();
  private final Map<String, Long> pidOf = new TreeMap<>();
  private final Map<String, String> aloneArgs = new TreeMap<>();
  private ChildJvm up;

  /**
   * Runs {@code ringkv up} in {@code workDirectory} (its nodes' data goes under {@code data/}) with
   * {@code settings} (pairs of {@code --set name=value}) ahead of the ephemeral ports and small
   * memory, waits until it has printed every node's "up:" line, then runs {@code scenario}. A
   * failure carries the stdout and stderr of {@code up}.
   */
  void up(Path workDirectory, List<String> settings, Scenario scenario) throws Exception {
    this.workDirectory = workDirectory;
    List<String> args = new ArrayList<>(List.of("up"));
    args.addAll(settings);
    args.addAll(EPHEMERAL_PORTS_SMALL_MEMORY);
    up = start(args);
    try {
      awaitNodesStarted();
      scenario.run();
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "\n--- up stdout:\n" + up.output + "--- up stderr:\n" + up.stderr(), e);
    }
  }

  private void awaitNodesStarted() throws Exception {
    while (httpOf.size() < NODE_COUNT) {
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
  }

  /** The JVM running {@code ringkv up}. */
  ChildJvm upProcess() {
    return up;
  }

  /** Node ids in order (node-1, node-2, ...). */
  List<String> nodes() {
    return List.copyOf(httpOf.keySet());
  }

  /** The node's HTTP address (host:port), as last printed by the node. */
  String httpAddress(String node) {
    return httpOf.get(node);
  }

  /** Sends SIGKILL to the node's JVM; true if the signal was sent. */
  boolean kill(String node) {
    return ProcessHandle.of(pidOf.get(node)).orElseThrow().destroyForcibly();
  }

  /**
   * Starts the node alone with the arguments {@code up} printed for it and waits for its "up:"
   * line; its ports are picked again, so its HTTP address here is replaced by the new one.
   */
  AloneNode restartAlone(String node) throws Exception {
    List<String> alone = new ArrayList<>(List.of("server"));
    alone.addAll(List.of(aloneArgs.get(node).split(" ")));
    ChildJvm restarted = start(alone);
    String upLine = restarted.awaitLine(text -> text.startsWith("ringkv node " + node + " up: "));
    Matcher address = HTTP_ADDRESS.matcher(upLine);
    assertThat(address.find()).as(upLine).isTrue();
    httpOf.put(node, address.group(1));
    return new AloneNode(restarted, address.group(1));
  }

  HttpClient http() {
    return http;
  }

  ObjectMapper json() {
    return json;
  }

  /** GET /v1/cluster/status of the node at {@code httpAddress}; asserts a 200. */
  JsonNode status(String httpAddress) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + httpAddress + "/v1/cluster/status"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  /** The first status {@code wanted} accepts within {@link #WAIT_SECONDS}. */
  JsonNode awaitStatus(String httpAddress, Predicate<JsonNode> wanted, String what)
      throws Exception {
    return awaitStatus(httpAddress, wanted, what, WAIT_SECONDS);
  }

  /** The first status {@code wanted} accepts within {@code seconds}; fails naming {@code what}. */
  JsonNode awaitStatus(String httpAddress, Predicate<JsonNode> wanted, String what, long seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = status(httpAddress);
        if (wanted.test(last)) {
          return last;
        }
      } catch (IOException | AssertionError notYet) {
        // starting or briefly unreachable: ask again
      }
      TimeUnit.MILLISECONDS.sleep(100); // poll interval, not a stand-in for the condition
    }
    throw new AssertionError("not within " + seconds + " s: " + what + "; last status: " + last);
  }

  /** How many nodes of the status are in gossip {@code state} and member {@code memberStatus}. */
  static int countNodes(JsonNode status, String state, String memberStatus) {
    int count = 0;
    for (JsonNode node : status.get("nodes")) {
      if (node.get("state").asText().equals(state)
          && node.get("status").asText().equals(memberStatus)) {
        count++;
      }
    }
    return count;
  }

  /** The status's line for node {@code id}; fails if it has none. */
  static JsonNode nodeLine(JsonNode status, String id) {
    for (JsonNode node : status.get("nodes")) {
      if (node.get("id").asText().equals(id)) {
        return node;
      }
    }
    throw new AssertionError("no " + id + " in " + status);
  }

  /** Runs the CLI in this JVM; what it printed. Asserts exit status 0. */
  static String cli(String... args) {
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

  private ChildJvm start(List<String> args) throws IOException {
    ChildJvm child =
        new ChildJvm(workDirectory, RingkvCli.class.getName(), List.copyOf(args), WAIT_SECONDS);
    children.add(child);
    return child;
  }

  /** Kills every JVM started here, with its children, and closes the HTTP client. */
  @Override
  public void close() {
    for (ChildJvm child : children) {
      child.process.descendants().forEach(ProcessHandle::destroyForcibly);
      child.process.destroyForcibly();
    }
    http.close();
  }
}
