package io.ringkv.server.node;

import io.ringkv.server.cli.ServerCommand;
import picocli.CommandLine;

/**
 * {@code ringkv server} with {@link LineFrontEnd} as its only front end: what {@code
 * ServerProcessIT} runs in a child JVM to write through a front end before sending SIGTERM.
 */
public final class LineServerMain {
  private LineServerMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServerCommand(LineFrontEnd.wiring())).execute(args));
  }
}
