package io.ringkv.server.cli;

import io.ringkv.server.config.ConfigException;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.node.StopRequest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv up}: runs the main job, a local cluster of {@code --nodes} nodes (3 by default), in
 * the foreground. Node i is named {@code node-i}, keeps its data under {@code
 * <data_directory>/node-i}, listens on each configured port + i - 1 (DESIGN.md, "Ports and names")
 * and runs in its own process ({@link LocalCluster}), so that running it again finds the same
 * cluster and one node can be killed and started again alone.
 */
@Command(
    name = "up",
    header = "Run a local cluster (3 nodes by default) in the foreground.",
    description = {
      "Run a local ringkv cluster in the foreground: node-1 to node-N, each in its own process,"
          + " node i on the Redis protocol port 6379+i-1, HTTP 8080+i-1, gRPC 9090+i-1 and"
          + " internode 7000+i-1, with its data under ./data/node-i. Node 1 founds the cluster and"
          + " is every other node's seed. Prints every endpoint; Ctrl-C stops every node cleanly,"
          + " and running it again brings the same cluster back with its data.",
      "",
      "Reads the same configuration as 'ringkv server' (conf/ringkv.yaml, RINGKV_*, --set), except"
          + " that node i is always named node-i, listens on each configured port + i - 1, and"
          + " takes node 1 as its seed. Each node's line 'alone: ./ringkv server ...' is the"
          + " command that starts it again by itself.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly after SIGTERM or SIGINT",
      "1:a node could not start (port in use, data directory locked) or did not stop cleanly",
      "2:invalid arguments or configuration"
    })
final class UpCommand implements Callable<Integer> {
  /** Nodes in the local cluster unless --nodes says otherwise. */
  static final int NODES_DEFAULT = 3;

  /** The most nodes {@code up} runs on one machine. */
  static final int NODES_MAX = 16;

  @CommandLine.Mixin
  ServerCommand.ConfigArguments configuration = new ServerCommand.ConfigArguments();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description = "Nodes in the cluster, 1 to " + NODES_MAX + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "" + NODES_DEFAULT)
  int nodes;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (nodes < 1 || nodes > NODES_MAX) {
      err.println("ringkv up: --nodes is " + nodes + "; allowed: 1 to " + NODES_MAX);
      return ServerCommand.EXIT_INVALID_CONFIG;
    }
    Optional<NodeConfig> base = configuration.load("ringkv up", out, err);
    if (base.isEmpty()) {
      return ServerCommand.EXIT_INVALID_CONFIG;
    }
    List<LocalCluster.Member> members;
    try {
      members = members(base.get(), nodes, configuration);
    } catch (ConfigException e) {
      err.println("ringkv up: invalid configuration:\n  " + e.getMessage());
      return ServerCommand.EXIT_INVALID_CONFIG;
    }
    LocalCluster cluster =
        new LocalCluster(members, out, err, base.get().node().shutdownTimeoutMillis());
    return cluster.run(StopRequest.onTerminationSignals(err), base.get().node().dataDirectory());
  }

  /**
   * The {@code ringkv server} arguments of each node: the user's {@code --config} and {@code --set}
   * flags, then the node's name and ports. Node 1 has no seed (it founds the cluster); the others
   * get node 1's internode address once it is up.
   *
   * @throws ConfigException if a node's configuration would be invalid (a port past 65535)
   */
  static List<LocalCluster.Member> members(
      NodeConfig base, int count, ServerCommand.ConfigArguments arguments) {
    List<LocalCluster.Member> members = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = "node-" + i;
      NodeConfig config = base.withNodeId(id).withPortOffset(i - 1);
      List<String> args = new ArrayList<>();
      if (arguments.file != null) {
        args.addAll(List.of("--config", arguments.file.toString()));
      }
      for (String set : arguments.sets) {
        args.addAll(List.of("--set", set));
      }
      args.addAll(
          List.of(
              "--set", "node.id=" + id,
              "--set", "resp.port=" + config.resp().listener().port(),
              "--set", "http.port=" + config.http().listener().port(),
              "--set", "grpc.port=" + config.grpc().listener().port(),
              "--set", "internode.port=" + config.internode().port()));
      if (i == 1) {
        args.addAll(List.of("--set", "cluster.seeds="));
      }
      members.add(new LocalCluster.Member(id, args));
    }
    return members;
  }
}
