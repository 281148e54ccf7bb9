package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ringkv server} and {@code ringkv up} in-process, for what ends before a node runs: help
 * and refused configurations. Running, signals and exit statuses are covered by {@code
 * ServerProcessIT}.
 */
class ServerCommandTest {
  @TempDir Path directory;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new RingkvCli());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void serverHelp_saysWhatItDoesAndHowToConfigureIt() {
    Run run = run("server", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Run one ringkv node in the foreground until SIGTERM or Ctrl-C")
        .contains("--config=FILE")
        .contains("--set=KEY=VALUE")
        .contains("RINGKV_RESP_PORT=6380")
        .contains("Exit status:");
  }

  @Test
  void upHelp_saysWhatItRuns() {
    Run run = run("up", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("Run a local ringkv cluster in the foreground")
        .contains("./data/node-i")
        .contains("--nodes=N")
        .contains("--set=KEY=VALUE");
  }

  @Test
  void server_unknownOption_exitsTwoWithTheSuggestion() {
    Run run = run("server", "--set", "resp.prot=6380");

    assertThat(run.exitCode()).isEqualTo(ServerCommand.EXIT_INVALID_CONFIG);
    assertThat(run.err())
        .isEqualTo(
            "ringkv server: invalid configuration:"
                + System.lineSeparator()
                + "  unknown option 'resp.prot' from --set (did you mean 'resp.port'?)"
                + System.lineSeparator());
  }

  @Test
  void server_everyProblem_isListed() {
    Run run = run("server", "--set", "resp.port=x", "--set", "storage.fsync=never");

    assertThat(run.exitCode()).isEqualTo(ServerCommand.EXIT_INVALID_CONFIG);
    assertThat(run.err()).contains("resp.port is 'x'").contains("storage.fsync is 'never'");
  }

  @Test
  void server_missingConfigFile_exitsTwo() {
    Path missing = directory.resolve("nope.yaml");

    Run run = run("server", "--config", missing.toString());

    assertThat(run.exitCode()).isEqualTo(ServerCommand.EXIT_INVALID_CONFIG);
    assertThat(run.err()).contains("config file " + missing + " does not exist");
  }

  @Test
  void up_invalidConfiguration_exitsTwo() {
    Run run = run("up", "--set", "limits.value_bytes_max=0");

    assertThat(run.exitCode()).isEqualTo(ServerCommand.EXIT_INVALID_CONFIG);
    assertThat(run.err()).startsWith("ringkv up: invalid configuration:");
  }

  @Test
  void upMembers_nameNodesMovePortsAndKeepTheUsersFlags() {
    ServerCommand.ConfigArguments arguments = new ServerCommand.ConfigArguments();
    arguments.sets.add("storage.fsync=sync");

    List<LocalCluster.Member> members = UpCommand.members(NodeConfig.defaults(), 3, arguments);

    assertThat(members)
        .extracting(LocalCluster.Member::id)
        .containsExactly("node-1", "node-2", "node-3");
    assertThat(String.join(" ", members.get(2).serverArguments()))
        .isEqualTo(
            "--set storage.fsync=sync --set node.id=node-3 --set resp.port=6381"
                + " --set http.port=8082 --set grpc.port=9092 --set internode.port=7002");
    // Node 1 founds the cluster; the others learn its address once it is up.
    assertThat(members.get(0).serverArguments()).endsWith("--set", "cluster.seeds=");
  }

  @Test
  void up_tooManyNodes_exitsTwoNamingTheLimit() {
    Run run = run("up", "--nodes", "17");

    assertThat(run.exitCode()).isEqualTo(ServerCommand.EXIT_INVALID_CONFIG);
    assertThat(run.err()).contains("--nodes is 17; allowed: 1 to 16");
  }
}
