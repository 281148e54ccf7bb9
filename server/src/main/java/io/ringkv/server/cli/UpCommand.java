package io.ringkv.server.cli;

import io.ringkv.server.config.ConfigException;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.node.DefaultWiring;
import io.ringkv.server.node.Node;
import io.ringkv.server.node.NodeRunner;
import io.ringkv.server.node.NodeWiring;
import io.ringkv.server.node.StopRequest;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv up}: runs the main job, the local cluster, in the foreground. Today that is one
 * node; the cluster issue raises {@link #NODES} to 3. Node i is named {@code node-i}, keeps its
 * data under {@code <data_directory>/node-i} and listens on each configured port + i - 1
 * (DESIGN.md, "Ports and names"), so that running it again finds the same data.
 */
@Command(
    name = "up",
    header = "Run the local cluster (for now one node, node-1) in the foreground.",
    description = {
      "Run the local ringkv cluster in the foreground: for now a single node, node-1, on the"
          + " default ports (Redis protocol 6379, HTTP 8080, gRPC 9090) with its data under"
          + " ./data/node-1. Prints every endpoint; Ctrl-C stops it cleanly, and running it again"
          + " brings the same data back.",
      "",
      "Reads the same configuration as 'ringkv server' (conf/ringkv.yaml, RINGKV_*, --set), except"
          + " that node i is always named node-i and listens on each configured port + i - 1.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly after SIGTERM or SIGINT",
      "1:a node could not start (port in use, data directory locked) or did not stop cleanly",
      "2:invalid arguments or configuration"
    })
final class UpCommand implements Callable<Integer> {
  /** Nodes in the local cluster. The cluster issue makes it 3. */
  static final int NODES = 1;

  @CommandLine.Mixin
  ServerCommand.ConfigArguments configuration = new ServerCommand.ConfigArguments();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  private final NodeWiring wiring;

  UpCommand() {
    this(DefaultWiring.create());
  }

  UpCommand(NodeWiring wiring) {
    this.wiring = wiring;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<NodeConfig> base = configuration.load("ringkv up", out, err);
    if (base.isEmpty()) {
      return ServerCommand.EXIT_INVALID_CONFIG;
    }
    List<NodeConfig> members;
    try {
      members = members(base.get(), NODES);
    } catch (ConfigException e) {
      err.println("ringkv up: invalid configuration:\n  " + e.getMessage());
      return ServerCommand.EXIT_INVALID_CONFIG;
    }
    return NodeRunner.run(
        members,
        wiring,
        StopRequest.onTerminationSignals(err),
        out,
        err,
        nodes -> printHints(nodes, out));
  }

  /** The configuration of each node of a local cluster of {@code count} nodes. */
  static List<NodeConfig> members(NodeConfig base, int count) {
    List<NodeConfig> members = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      members.add(base.withNodeId("node-" + i).withPortOffset(i - 1));
    }
    return members;
  }

  private static void printHints(List<Node> nodes, PrintWriter out) {
    Node first = nodes.get(0);
    Optional<InetSocketAddress> resp = first.address(FrontEndKind.RESP);
    Optional<InetSocketAddress> http = first.address(FrontEndKind.HTTP);
    resp.ifPresent(
        a ->
            out.println(
                "try:  redis-cli -h " + a.getHostString() + " -p " + a.getPort() + " ping"));
    http.ifPresent(
        a -> out.println("try:  curl http://" + a.getHostString() + ":" + a.getPort() + "/health"));
    out.println(
        "Ctrl-C stops the cluster cleanly; the data stays under "
            + first.config().node().dataDirectory()
            + " for the next run.");
  }
}
