package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs nodes in the foreground as the CLI does, with the stop requested by the test. */
class NodeRunnerTest {
  @TempDir Path dataDirectory;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private NodeConfig config(String... sets) {
    String[] all = new String[sets.length + 2];
    all[0] = "node.data_directory=" + dataDirectory;
    all[1] = "resp.port=0";
    System.arraycopy(sets, 0, all, 2, sets.length);
    return ConfigLoader.fromSets(all);
  }

  @Test
  void run_printsUpLinesServesUntilStopThenStopsCleanly() throws Exception {
    StopRequest stop = new StopRequest();
    CompletableFuture<List<Node>> up = new CompletableFuture<>();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                NodeRunner.run(
                    List.of(config()),
                    LineFrontEnd.wiring(),
                    stop,
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    up::complete));
    List<Node> nodes = up.get(60, TimeUnit.SECONDS);
    try (LineClient client =
        new LineClient(nodes.get(0).address(FrontEndKind.RESP).orElseThrow())) {
      client.put("k", "v");
    }

    stop.request("test");

    assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(NodeRunner.EXIT_STOPPED);
    assertThat(out.toString())
        .startsWith(nodes.get(0).upLine() + System.lineSeparator())
        .contains("ringkv: stopping (test)")
        .contains("ringkv node node-1 stopped: log synced, storage closed");
    assertThat(err.toString()).isEmpty();
    // Stopped for real: the directory can be taken by a new node, with the write in it.
    try (Node again = Node.start(config(), LineFrontEnd.wiring());
        LineClient client = new LineClient(again.address(FrontEndKind.RESP).orElseThrow())) {
      assertThat(client.get("k")).isEqualTo("v");
    }
  }

  @Test
  void run_stopRequestedBeforeTheNodesAreUp_stopsRightAfterStart() {
    StopRequest stop = new StopRequest();
    stop.request("early");

    int exit =
        NodeRunner.run(
            List.of(config()),
            LineFrontEnd.wiring(),
            stop,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            nodes -> {});

    assertThat(exit).isEqualTo(NodeRunner.EXIT_STOPPED);
    assertThat(out.toString()).contains("up: ").contains("stopping (early)").contains("stopped");
  }

  @Test
  void run_nodeThatCannotStart_exitsFailedAndStopsTheNodesAlreadyUp() throws Exception {
    AtomicReference<List<Node>> up = new AtomicReference<>();
    try (ServerSocket occupier = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NodeConfig first = config("node.id=first");
      NodeConfig second = config("node.id=second", "resp.port=" + occupier.getLocalPort());

      int exit =
          NodeRunner.run(
              List.of(first, second),
              LineFrontEnd.wiring(),
              new StopRequest(),
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              up::set);

      assertThat(exit).isEqualTo(NodeRunner.EXIT_FAILED);
      assertThat(up.get()).isNull();
      assertThat(err.toString())
          .startsWith(
              "ringkv: node second could not start: cannot start the resp front end on"
                  + " 127.0.0.1:"
                  + occupier.getLocalPort());
      assertThat(out.toString()).contains("ringkv node first stopped");
    }
    // The first node was stopped: its directory is free.
    Node.start(config("node.id=first"), LineFrontEnd.wiring()).close();
  }
}
