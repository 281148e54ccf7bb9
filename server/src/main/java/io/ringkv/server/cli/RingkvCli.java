package io.ringkv.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ringkv} command line. Only subcommands that work are registered: a command a user can
 * see in {@code --help} is a command they can run.
 */
@Command(
    name = "ringkv",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    description = "ringkv: a leaderless, Dynamo-style distributed key-value database.",
    subcommands = {
      ServerCommand.class,
      UpCommand.class,
      GetCommand.class,
      PutCommand.class,
      DeleteCommand.class,
      ScanCommand.class,
      IncrCommand.class,
      KeyspaceCommand.class,
      StatusCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RingkvCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No subcommand: show what there is, and exit with the usage status.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the CLI and returns its exit code, without exiting (for tests). */
  public static int execute(String... args) {
    return new CommandLine(new RingkvCli()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
