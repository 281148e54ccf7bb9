package io.ringkv.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ringkv version}: the ringkv version and the JVM it runs on. */
@Command(name = "version", description = "Print the ringkv version and the Java runtime in use.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    for (String line : new BuildInfo().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    return 0;
  }
}
