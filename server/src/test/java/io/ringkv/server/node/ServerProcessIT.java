package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.WriteOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringkv server} and {@code ringkv up} as real child JVMs: they print the up line, refuse a
 * second node on their directory, stop on SIGTERM ({@link ProcessHandle#destroy()} on Linux) with
 * exit status 0, and leave every acknowledged write for the next start. Each wait is bounded.
 */
class ServerProcessIT {
  private static final long WAIT_SECONDS = 60;
  private static final Pattern LINE_ENDPOINT = Pattern.compile("up: line ([0-9.]+):(\\d+),");

  @TempDir Path workDirectory;

  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    for (ChildJvm child : children) {
      child.process.destroyForcibly();
    }
  }

  private ChildJvm child(String mainClass, List<String> args) throws IOException {
    ChildJvm child = new ChildJvm(workDirectory, mainClass, args, WAIT_SECONDS);
    children.add(child);
    return child;
  }

  private NodeConfig config(Path dataDirectory) {
    return ConfigLoader.fromSets(
        "node.data_directory=" + dataDirectory, "resp.port=0", "http.port=0", "grpc.port=0");
  }

  private static List<String> zeroPorts(Path dataDirectory) {
    return List.of(
        "--set", "node.data_directory=" + dataDirectory,
        "--set", "resp.port=0",
        "--set", "http.port=0",
        "--set", "grpc.port=0",
        "--set", "internode.port=0",
        // No seed: the node founds a cluster of its own (the default seed is port 7000).
        "--set", "cluster.seeds=");
  }

  @Test
  void server_sigterm_stopsCleanlyWithStatusZeroAndKeepsTheData() throws Exception {
    Path data = workDirectory.resolve("data");
    try (Node before = Node.start(config(data), NodeWiring.none())) {
      before
          .service()
          .write(bytes("before"), Mutation.put(bytes("kept")), WriteOptions.defaults())
          .join();
    }
    List<String> args = new ArrayList<>(List.of("server"));
    args.addAll(zeroPorts(data));
    ChildJvm server = child("io.ringkv.server.cli.RingkvCli", args);

    String up = server.awaitLine(line -> line.startsWith("ringkv node node-1 up: "));
    assertThat(up).endsWith("data " + data.resolve("node-1"));

    // While it runs, its directory is refused to anyone else, with its pid.
    NodeStartException refused =
        catchThrowableOfType(
            NodeStartException.class, () -> Node.start(config(data), NodeWiring.none()));
    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.DATA_DIRECTORY_IN_USE);
    assertThat(refused.getMessage())
        .startsWith(
            "data directory "
                + data.resolve("node-1")
                + " is in use by another ringkv process (pid ")
        .contains("lock file " + data.resolve("node-1").resolve(NodeLock.FILE_NAME));

    assertThat(server.stop()).as(server.stderr()).isZero();
    assertThat(server.output.toString())
        .as("stderr: %s", server.stderr())
        .contains("ringkv: stopping (SIGTERM)")
        .contains("ringkv node node-1 stopped: log synced, storage closed");

    try (Node after = Node.start(config(data), NodeWiring.none())) {
      var value = after.service().get(bytes("before"), ReadOptions.defaults()).join();
      assertThat(value.isPresent()).isTrue();
      assertThat(new String(value.value(), StandardCharsets.UTF_8)).isEqualTo("kept");
    }
  }

  @Test
  void server_writesAcknowledgedBeforeSigterm_areFoundByTheNextStart() throws Exception {
    Path data = workDirectory.resolve("data");
    List<String> args = new ArrayList<>(zeroPorts(data));
    args.addAll(List.of("--set", "storage.fsync=none"));
    ChildJvm server = child(LineServerMain.class.getName(), args);
    Matcher endpoint = LINE_ENDPOINT.matcher(server.awaitLine(line -> line.contains(" up: ")));
    assertThat(endpoint.find()).isTrue();
    InetSocketAddress address =
        new InetSocketAddress(endpoint.group(1), Integer.parseInt(endpoint.group(2)));
    int writes = 500;
    try (LineClient client = new LineClient(address)) {
      for (int i = 0; i < writes; i++) {
        client.put("key-" + i, "value-" + i);
      }
    }

    assertThat(server.stop()).as(server.stderr()).isZero();

    try (Node again = Node.start(config(data), LineFrontEnd.wiring());
        LineClient client = new LineClient(again.address(FrontEndKind.RESP).orElseThrow())) {
      int found = 0;
      for (int i = 0; i < writes; i++) {
        if (("value-" + i).equals(client.get("key-" + i))) {
          found++;
        }
      }
      System.out.printf(
          "ServerProcessIT: writes acknowledged %d, found after restart %d%n", writes, found);
      assertThat(found).isEqualTo(writes);
    }
  }

  private static final Pattern FRONT_END = Pattern.compile("(resp|http|grpc) ([0-9.]+):(\\d+)");

  /** The addresses in an up line, by front-end name. */
  private static java.util.Map<String, InetSocketAddress> endpoints(String upLine) {
    java.util.Map<String, InetSocketAddress> found = new java.util.TreeMap<>();
    Matcher matcher = FRONT_END.matcher(upLine);
    while (matcher.find()) {
      found.put(
          matcher.group(1),
          new InetSocketAddress(matcher.group(2), Integer.parseInt(matcher.group(3))));
    }
    return found;
  }

  @Test
  void server_writesThroughEveryFrontEnd_surviveSigtermAndRestart() throws Exception {
    Path data = workDirectory.resolve("data");
    List<String> args = new ArrayList<>(List.of("server"));
    args.addAll(zeroPorts(data));
    ChildJvm first = child("io.ringkv.server.cli.RingkvCli", args);
    var at = endpoints(first.awaitLine(line -> line.startsWith("ringkv node node-1 up: ")));
    assertThat(at).containsOnlyKeys("resp", "http", "grpc");
    int writes = 300;
    try (var jedis =
        new redis.clients.jedis.Jedis(at.get("resp").getHostString(), at.get("resp").getPort())) {
      for (int i = 0; i < writes; i++) {
        assertThat(jedis.set("resp-" + i, "value-" + i)).isEqualTo("OK");
      }
    }
    var http = java.net.http.HttpClient.newHttpClient();
    var put =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://" + hostPort(at.get("http")) + "/api/v1/put"))
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"key\":\"json\",\"value\":{\"list\":[1,2,3]}}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    try (var client =
        io.ringkv.client.RingkvClient.builder()
            .addNode(at.get("grpc").getHostString(), at.get("grpc").getPort())
            .build()) {
      client.put(bytes("grpc"), bytes("over grpc"));
    }
    assertThat(first.stop()).as(first.stderr()).isZero();

    ChildJvm second = child("io.ringkv.server.cli.RingkvCli", args);
    var again = endpoints(second.awaitLine(line -> line.startsWith("ringkv node node-1 up: ")));
    try (var jedis =
        new redis.clients.jedis.Jedis(
            again.get("resp").getHostString(), again.get("resp").getPort())) {
      int found = 0;
      for (int i = 0; i < writes; i++) {
        if (("value-" + i).equals(jedis.get("resp-" + i))) {
          found++;
        }
      }
      System.out.printf(
          "ServerProcessIT: %d writes over RESP acknowledged, %d found after SIGTERM and restart%n",
          writes, found);
      assertThat(found).isEqualTo(writes);
      assertThat(jedis.get("grpc")).isEqualTo("over grpc");
    }
    var get =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        "http://" + hostPort(again.get("http")) + "/api/v1/get?key=json"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(get.body()).isEqualTo("{\"key\":\"json\",\"value\":{\"list\":[1,2,3]}}");
    assertThat(second.stop()).as(second.stderr()).isZero();
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  @Test
  void up_runsNodeOneOnTheDataUnderTheWorkingDirectory() throws Exception {
    Path data = workDirectory.resolve("data");
    try (Node earlier = Node.start(config(data), NodeWiring.none())) {
      earlier
          .service()
          .write(bytes("earlier"), Mutation.put(bytes("run")), WriteOptions.defaults())
          .join();
    }
    List<String> args = new ArrayList<>(List.of("up", "--nodes", "1"));
    args.addAll(List.of("--set", "resp.port=0", "--set", "http.port=0", "--set", "grpc.port=0"));
    args.addAll(List.of("--set", "internode.port=0"));
    ChildJvm up = child("io.ringkv.server.cli.RingkvCli", args);

    String line = up.awaitLine(text -> text.startsWith("node-1 | ringkv node node-1 up: "));

    assertThat(line).endsWith("data ./data/node-1");
    assertThat(up.stop()).as(up.stderr()).isZero();
    assertThat(up.output.toString()).contains("ringkv node node-1 stopped");
    // It ran on the data of the earlier run, and left it for the next.
    try (Node after = Node.start(config(data), NodeWiring.none())) {
      assertThat(after.service().get(bytes("earlier"), ReadOptions.defaults()).join().isPresent())
          .isTrue();
    }
  }

  @Test
  void server_invalidConfiguration_exitsTwoWithTheProblem() throws Exception {
    ChildJvm server =
        child("io.ringkv.server.cli.RingkvCli", List.of("server", "--set", "resp.prot=1"));

    assertThat(server.process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(server.process.exitValue()).isEqualTo(2);
    assertThat(server.stderr())
        .contains("unknown option 'resp.prot' from --set (did you mean 'resp.port'?)");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
