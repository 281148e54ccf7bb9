package io.ringkv.server.node;

import static io.ringkv.server.node.LocalClusterProcess.cli;
import static io.ringkv.server.node.LocalClusterProcess.countNodes;
import static io.ringkv.server.node.LocalClusterProcess.nodeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
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
  @TempDir Path workDirectory;

  @AutoClose private final LocalClusterProcess cluster = new LocalClusterProcess();

  @Test
  void up_raftMetadata_threeNodesAgreeOnEpochTokensAndLeader() throws Exception {
    cluster.up(workDirectory, List.of("--set", "cluster.metadata=raft"), this::runScenario);
  }

  private void runScenario() throws Exception {
    ChildJvm up = cluster.upProcess();
    long started = System.nanoTime();
    Map<String, JsonNode> settled = new TreeMap<>();
    for (String observer : cluster.nodes()) {
      settled.put(
          observer,
          cluster.awaitStatus(
              cluster.httpAddress(observer),
              s ->
                  s.get("metadata") != null
                      && !s.get("metadata").isNull()
                      && countNodes(s, "UP", "NORMAL") == 3
                      && s.get("metadata").get("voters").size() == 3
                      && !s.get("metadata").get("leader").asText().isEmpty(),
              observer + " sees three Up/Normal members and three voters"));
    }
    // The epoch still moves after the third member is Normal: the leader then raises the default
    // keyspace's replication factor to 3 (one more epoch). Wait until all three report the same
    // epoch with that change applied (every node holds a replica of everything), then compare.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LocalClusterProcess.WAIT_SECONDS);
    while (!(sameEpoch(settled) && settled.values().stream().allMatch(s -> replicatedEverywhere(s)))
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200); // poll interval, not a stand-in for the condition
      for (String observer : cluster.nodes()) {
        settled.put(observer, cluster.status(cluster.httpAddress(observer)));
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

    String printed = cli("status", "--http", cluster.httpAddress("node-2"));
    assertThat(printed)
        .contains("metadata epoch " + reference.get("epoch").asLong())
        .contains("Metadata on raft: leader " + reference.get("metadata").get("leader").asText())
        .contains("Keyspace default: SimpleStrategy{replication_factor=3}")
        .contains("conflicts lww");

    // kill -9 node-3; started again alone, it comes back from its own metadata log.
    String tokensBefore = members(reference);
    assertThat(cluster.kill("node-3")).isTrue();
    ChildJvm restarted = cluster.restartAlone("node-3").process(); // its ports are picked again
    for (String observer : cluster.nodes()) {
      JsonNode status =
          cluster.awaitStatus(
              cluster.httpAddress(observer),
              s ->
                  countNodes(s, "UP", "NORMAL") == 3
                      && s.get("epoch").asLong() >= reference.get("epoch").asLong()
                      && s.get("metadata").get("voters").size() == 3,
              observer + " sees node-3 back after its restart");
      assertThat(members(status)).as("members seen by " + observer).isEqualTo(tokensBefore);
    }
    String node3Http = cluster.httpAddress("node-3");
    String newHttpPort = node3Http.substring(node3Http.indexOf(':') + 1);
    cluster.awaitStatus(
        cluster.httpAddress("node-1"),
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

  private static boolean sameEpoch(Map<String, JsonNode> statuses) {
    return statuses.values().stream().map(s -> s.get("epoch").asLong()).distinct().count() == 1;
  }
}
