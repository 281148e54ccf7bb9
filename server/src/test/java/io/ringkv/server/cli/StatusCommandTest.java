package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.server.cluster.ClusterStatusReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ringkv status} prints of a node's report. */
class StatusCommandTest {
  private static final ClusterStatusReport.NodeLine LINE =
      new ClusterStatusReport.NodeLine(
          "node-1",
          true,
          "UP",
          "NORMAL",
          "127.0.0.1",
          7000,
          6379,
          8080,
          9090,
          "dc1",
          "rack1",
          16,
          2048,
          1.0,
          1.0,
          7,
          3,
          0);

  @Test
  void render_showsTheAnsweringNodesHintsAndRepairDebt() {
    ClusterStatusReport report =
        new ClusterStatusReport(
            "node-1",
            "ringkv",
            3,
            "JOINED",
            List.of(LINE),
            new ClusterStatusReport.HintStatus(3 << 20, 1, 120, 100, 2, 5, 7));
    String text = StatusCommand.render(report);
    assertThat(text).contains("UN  node-1*");
    assertThat(text)
        .contains("Hints held by node-1: 3.0 MiB pending for 1 node(s); 120 stored, 100 delivered")
        .contains(
            "Repair debt: 7 write(s) a replica missed for good (5 past the hint window, 2 over the"
                + " hint bound or with hints off).");
  }

  @Test
  void render_withoutHints_saysNothingOfThem() {
    ClusterStatusReport report =
        new ClusterStatusReport("node-1", "ringkv", 3, "JOINED", List.of(LINE), null);
    assertThat(StatusCommand.render(report)).doesNotContain("Hints").doesNotContain("Repair debt");
  }

  @Test
  void render_raftMetadata_showsTheEpochLeaderAndVoters() {
    ClusterStatusReport report =
        new ClusterStatusReport(
            "node-2",
            "ringkv",
            9,
            "JOINED",
            List.of(LINE),
            null,
            new ClusterStatusReport.MetadataStatus(
                "raft",
                "node-1",
                "FOLLOWER",
                2,
                List.of("node-1", "node-2", "node-3"),
                List.of("node-4"),
                14));
    assertThat(StatusCommand.render(report))
        .contains("(metadata epoch 9)")
        .contains(
            "Metadata on raft: leader node-1, term 2, voters node-1 node-2 node-3, learners node-4"
                + " (node-2 is FOLLOWER at index 14)");
  }

  @Test
  void keyspaces_areRenderedAndSurviveTheJsonRoundTripWithTheirConflictMode() throws Exception {
    ClusterStatusReport report =
        new ClusterStatusReport("node-1", "ringkv", 3, "JOINED", List.of(LINE), null)
            .withKeyspaces(
                List.of(
                    ClusterStatusReport.KeyspaceLine.of(Keyspace.defaultKeyspace(3)),
                    ClusterStatusReport.KeyspaceLine.of(
                        Keyspace.defaultKeyspace(3)
                            .withSloppyQuorum(true)
                            .withConflicts(ConflictMode.CAUSAL))));
    assertThat(StatusCommand.render(report))
        .contains(
            "Keyspace default: SimpleStrategy{replication_factor=3}, read QUORUM, write QUORUM,"
                + " conflicts lww\n")
        .contains(", sloppy quorum, conflicts causal\n");

    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(report);
    assertThat(json.readTree(text).path("keyspaces").path(1).path("conflicts").asText())
        .isEqualTo("causal");
    assertThat(json.readValue(text, ClusterStatusReport.class)).isEqualTo(report);
    // A report from a build without keyspaces reads with none.
    String older = text.replace("\"keyspaces\"", "\"ignored\"");
    assertThat(
            json.configure(
                    com.fasterxml.jackson.databind.DeserializationFeature
                        .FAIL_ON_UNKNOWN_PROPERTIES,
                    false)
                .readValue(older, ClusterStatusReport.class)
                .keyspaces())
        .isEmpty();
  }

  @Test
  void render_gossipMetadata_printsNoMetadataLine() {
    ClusterStatusReport report =
        new ClusterStatusReport("node-1", "ringkv", 3, "JOINED", List.of(LINE), null);
    assertThat(StatusCommand.render(report)).doesNotContain("Metadata on");
  }
}
