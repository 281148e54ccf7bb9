package io.ringkv.server.cli;

import io.ringkv.server.config.ConfigException;
import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.node.DefaultWiring;
import io.ringkv.server.node.NodeRunner;
import io.ringkv.server.node.NodeWiring;
import io.ringkv.server.node.StopRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv server}: runs one node in the foreground until SIGTERM or SIGINT, then stops it
 * cleanly (front ends, log sync, storage, lock) and exits 0.
 */
@Command(
    name = "server",
    header = "Run one ringkv node in the foreground until SIGTERM or Ctrl-C.",
    description = {
      "Run one ringkv node in the foreground until SIGTERM or Ctrl-C (SIGINT), then stop it"
          + " cleanly: finish in-flight requests, sync the write-ahead log, close the storage.",
      "",
      "Configuration: conf/ringkv.yaml (or --config FILE), overridden by RINGKV_* environment"
          + " variables (RINGKV_RESP_PORT=6380 sets resp.port), overridden by --set flags."
          + " Every option is listed, with its default, in conf/ringkv.yaml and"
          + " docs/configuration.md.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly after SIGTERM or SIGINT",
      "1:the node could not start (port in use, data directory locked, storage damaged) or did"
          + " not stop cleanly",
      "2:invalid arguments or configuration"
    })
public final class ServerCommand implements Callable<Integer> {
  /** Exit status for a configuration that was refused. */
  static final int EXIT_INVALID_CONFIG = 2;

  @CommandLine.Mixin ConfigArguments configuration = new ConfigArguments();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  private final NodeWiring wiring;

  /** The command as the CLI runs it: the production front ends. */
  public ServerCommand() {
    this(DefaultWiring.create());
  }

  /** The command with other front ends (embedding, tests). */
  public ServerCommand(NodeWiring wiring) {
    this.wiring = wiring;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<NodeConfig> config = configuration.load("ringkv server", out, err);
    if (config.isEmpty()) {
      return EXIT_INVALID_CONFIG;
    }
    return NodeRunner.run(
        List.of(config.get()),
        wiring,
        StopRequest.onTerminationSignals(err),
        out,
        err,
        nodes -> out.println("SIGTERM or Ctrl-C stops the node cleanly."));
  }

  /** {@code --config} and {@code --set}, shared by {@code server} and {@code up}. */
  static final class ConfigArguments {
    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "YAML configuration file (default: conf/ringkv.yaml in the working directory when it"
                + " exists, else the built-in defaults, which are the same values).")
    Path file;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description =
            "Set one option, such as --set resp.port=6380 or --set storage.fsync=sync;"
                + " repeatable; wins over the file and RINGKV_* environment variables.")
    List<String> sets = new ArrayList<>();

    /**
     * Loads the configuration and prints where it came from; on a refused configuration prints
     * every problem on {@code err} and returns empty.
     */
    Optional<NodeConfig> load(String command, PrintWriter out, PrintWriter err) {
      Optional<Path> chosen = ConfigLoader.chooseFile(file);
      try {
        NodeConfig config = ConfigLoader.load(chosen.orElse(null), System.getenv(), sets);
        out.println(
            "ringkv "
                + BuildInfo.version()
                + ", config "
                + chosen
                    .map(Path::toString)
                    .orElse("built-in defaults (no " + ConfigLoader.DEFAULT_FILE + " here)"));
        return Optional.of(config);
      } catch (ConfigException e) {
        err.println(command + ": invalid configuration:");
        for (String problem : e.problems()) {
          err.println("  " + problem);
        }
        err.flush();
        return Optional.empty();
      }
    }
  }
}
