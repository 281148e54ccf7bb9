package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RingkvCliTest {

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
  void version_printsRingkvAndJavaVersions() {
    Run run = run("version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("ringkv " + BuildInfo.version());
    assertThat(run.out()).contains("java " + Runtime.version().feature());
  }

  @Test
  void version_isAFilteredVersionNotAPlaceholder() {
    assertThat(BuildInfo.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void help_listsOnlyRealSubcommands() {
    Run run = run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("version").contains("help");
    assertThat(new CommandLine(new RingkvCli()).getSubcommands().keySet())
        .containsExactlyInAnyOrder(
            "server",
            "up",
            "get",
            "put",
            "del",
            "scan",
            "incr",
            "keyspace",
            "status",
            "version",
            "help");
  }

  @Test
  void unknownSubcommand_isAUsageError() {
    Run run = run("frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unmatched argument").contains("frobnicate");
  }
}
