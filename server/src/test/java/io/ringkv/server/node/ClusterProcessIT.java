package io.ringkv.server.node;

import static io.ringkv.server.node.LocalClusterProcess.cli;
import static io.ringkv.server.node.LocalClusterProcess.countNodes;
import static io.ringkv.server.node.LocalClusterProcess.nodeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.GossipStateFile;
import io.ringkv.cluster.membership.PersistentGossipState;
import io.ringkv.storage.fs.LocalFileSystem;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
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
  private static final long DOWN_BOUND_SECONDS = 10;

  @TempDir Path workDirectory;

  @AutoClose private final LocalClusterProcess cluster = new LocalClusterProcess();

  @Test
  void up_threeNodesNormal_killedNodeDownWithinTenSeconds_restartedUpWithSameTokens()
      throws Exception {
    cluster.up(workDirectory, List.of(), this::runScenario);
  }

  private void runScenario() throws Exception {
    ChildJvm up = cluster.upProcess();

    // Three nodes, Up and Normal on every node, primary ownership summing to 100%.
    for (String observer : cluster.nodes()) {
      JsonNode status =
          cluster.awaitStatus(
              cluster.httpAddress(observer),
              s -> countNodes(s, "UP", "NORMAL") == 3,
              observer + " sees three Up/Normal nodes");
      double owns = 0;
      for (JsonNode node : status.get("nodes")) {
        owns += node.get("owns").asDouble();
        assertThat(node.get("tokens").asInt()).isEqualTo(16);
      }
      assertThat(owns).as("ownership seen by " + observer).isCloseTo(1.0, within(1e-9));
    }
    String printed = cli("status", "--http", cluster.httpAddress("node-1"));
    assertThat(printed).contains("Datacenter: dc1");
    assertThat(printed.lines().filter(l -> l.startsWith("UN "))).hasSize(3);

    JsonNode before = nodeLine(cluster.status(cluster.httpAddress("node-1")), "node-3");
    PersistentGossipState storedBefore = storedState("node-3");

    // kill -9 node-3: the others see it Down within the bound.
    long killedAt = System.nanoTime();
    assertThat(cluster.kill("node-3")).isTrue();
    for (String observer : List.of("node-1", "node-2")) {
      cluster.awaitStatus(
          cluster.httpAddress(observer),
          s -> nodeLine(s, "node-3").get("state").asText().equals("DOWN"),
          observer + " sees node-3 Down",
          DOWN_BOUND_SECONDS);
    }
    System.out.printf(
        "ClusterProcessIT: node-3 killed, Down on node-1 and node-2 after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    assertThat(up.process.isAlive()).as("up keeps the other nodes running").isTrue();

    // Started again alone, with the command `up` printed for it.
    ChildJvm restarted = cluster.restartAlone("node-3").process();
    JsonNode after =
        nodeLine(
            cluster.awaitStatus(
                cluster.httpAddress("node-1"),
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

  private PersistentGossipState storedState(String node) throws Exception {
    return new GossipStateFile(new LocalFileSystem(), workDirectory.resolve("data").resolve(node))
        .load()
        .orElseThrow();
  }

  private static org.assertj.core.data.Offset<Double> within(double delta) {
    return org.assertj.core.data.Offset.offset(delta);
  }
}
