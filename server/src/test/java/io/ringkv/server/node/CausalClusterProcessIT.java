package io.ringkv.server.node;

import static io.ringkv.server.node.LocalClusterProcess.countNodes;
import static io.ringkv.server.node.LocalClusterProcess.nodeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.server.cli.RingkvCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Causal keyspaces through the CLI against a real three-process cluster ({@code ringkv up}, every
 * port 0): {@code ringkv keyspace create} on one node is listed by another, {@code ringkv incr}
 * with an idempotency key retried through another node counts once, two {@code ringkv put
 * --context} with the same stale context through two nodes show as two values of {@code ringkv get
 * --siblings}, and a put with the read's context leaves one. Each wait polls with a deadline.
 */
class CausalClusterProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path workDirectory;

  @AutoClose private final LocalClusterProcess cluster = new LocalClusterProcess();

  /** Node id to its gRPC address (host:port), the CLI's {@code --host}. */
  private final Map<String, String> grpcOf = new TreeMap<>();

  private record Run(int exitCode, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @Test
  void cli_keyspaceCreate_incrCountsARetryOnce_getSiblingsShowsConcurrentPuts() throws Exception {
    cluster.up(workDirectory, List.of(), this::runScenario);
  }

  private void runScenario() throws Exception {
    ChildJvm up = cluster.upProcess();
    for (String observer : cluster.nodes()) {
      cluster.awaitStatus(
          cluster.httpAddress(observer),
          status -> countNodes(status, "UP", "NORMAL") == 3,
          observer + " sees three Up/Normal nodes");
    }
    JsonNode status = cluster.status(cluster.httpAddress("node-1"));
    for (String node : cluster.nodes()) {
      JsonNode line = nodeLine(status, node);
      assertThat(line.path("grpcPort").asInt()).as(line.toString()).isPositive();
      grpcOf.put(node, line.path("host").asText() + ":" + line.path("grpcPort").asInt());
    }

    // The metadata group may still be electing its leader: "unavailable" means nothing was
    // attempted, so the create is repeated until a node answers it.
    Run create =
        await(
            "keyspace create answered",
            () -> {
              Run run = cli("node-1", "keyspace", "create", "carts", "--replication-factor", "3");
              return run.exitCode() == 0 || !run.err().toLowerCase().contains("unavailable")
                  ? Optional.of(run)
                  : Optional.empty();
            });
    assertThat(create.exitCode()).as(create.err()).isZero();
    await(
        "carts listed by node-3",
        () -> {
          Run list = cli("node-3", "keyspace", "list");
          return list.exitCode() == 0 && list.out().contains("carts")
              ? Optional.of(list)
              : Optional.empty();
        });
    Run listed = cli("node-3", "keyspace", "list");
    assertThat(listed.out().lines().filter(line -> line.contains("carts")))
        .singleElement()
        .asString()
        .contains("causal");

    // A counter: a retry with the same idempotency key through another node counts once.
    Run first =
        cli("node-1", "incr", "views", "5", "--keyspace", "carts", "--idempotency-key", "a");
    assertThat(first.out()).as(first.err()).isEqualTo("5\n");
    Run retry =
        cli(
            "node-2",
            "incr",
            "views",
            "5",
            "--keyspace",
            "carts",
            "--idempotency-key",
            "a",
            "--json");
    assertThat(retry.exitCode()).as(retry.err()).isZero();
    assertThat(retry.json().path("value").asLong()).isEqualTo(5);
    assertThat(retry.json().path("duplicate").asBoolean()).isTrue();
    Run third = cli("node-3", "incr", "views", "--keyspace", "carts");
    assertThat(third.out()).as(third.err()).isEqualTo("6\n");
    await(
        "the counter reads 6 through node-2",
        () -> {
          Run get = cli("node-2", "get", "views", "--keyspace", "carts");
          return get.out().strip().equals("6") ? Optional.of(get) : Optional.empty();
        });

    // Two puts with the same stale context through two nodes: two siblings.
    Run seeded = cli("node-1", "put", "colour", "grey", "--keyspace", "carts", "--json");
    assertThat(seeded.exitCode()).as(seeded.err()).isZero();
    String stale = seeded.json().path("context").asText();
    assertThat(stale).isNotEmpty();
    for (String[] put : List.of(new String[] {"node-1", "blue"}, new String[] {"node-2", "red"})) {
      Run run = cli(put[0], "put", "colour", put[1], "--keyspace", "carts", "--context", stale);
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    Run siblings =
        await(
            "two siblings printed by get --siblings through node-3",
            () -> {
              Run get = cli("node-3", "get", "colour", "--keyspace", "carts", "--siblings");
              return get.exitCode() == 0 && get.out().lines().count() == 2
                  ? Optional.of(get)
                  : Optional.empty();
            });
    assertThat(siblings.out().lines().toList()).containsExactlyInAnyOrder("blue", "red");
    System.out.printf(
        "CausalClusterProcessIT: siblings through node-3: %s%n", siblings.out().lines().toList());

    Run read = cli("node-3", "get", "colour", "--keyspace", "carts", "--json");
    assertThat(read.json().path("siblings")).hasSize(2);
    String context = read.json().path("context").asText();
    Run merged =
        cli("node-3", "put", "colour", "purple", "--keyspace", "carts", "--context", context);
    assertThat(merged.exitCode()).as(merged.err()).isZero();
    await(
        "one value again through node-1",
        () -> {
          Run get = cli("node-1", "get", "colour", "--keyspace", "carts", "--siblings");
          return get.out().equals("purple\n") ? Optional.of(get) : Optional.empty();
        });

    assertThat(up.stop()).as(up.stderr()).isZero();
  }

  /** Runs the CLI in this JVM against {@code node}'s gRPC address. */
  private Run cli(String node, String... args) {
    List<String> withHost = new ArrayList<>(List.of(args));
    withHost.add("--host");
    withHost.add(grpcOf.get(node));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new RingkvCli());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(withHost.toArray(String[]::new));
    return new Run(exitCode, out.toString(), err.toString());
  }

  private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LocalClusterProcess.WAIT_SECONDS);
    while (true) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + LocalClusterProcess.WAIT_SECONDS + " s: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(100); // poll interval, not a stand-in for the condition
    }
  }
}
