package io.ringkv.server.cli;

import io.ringkv.server.node.StopRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code ringkv up} runs: a local cluster of N nodes, each its own {@code ringkv server}
 * process (so that one can be killed, as a machine would die, and started again alone). Node 1
 * starts first and founds the cluster; once it is up, the others start with node 1's internode
 * address as their seed. Every line a node prints is forwarded prefixed with its name. A node that
 * exits on its own is reported and the rest keep running; on a stop request every node still
 * running gets SIGTERM and is waited for (then killed if it does not stop in time).
 *
 * <p>Used from the CLI thread only; one forwarding thread per child stream.
 */
final class LocalCluster {
  /** How long a node may take to print its up line. */
  private static final long START_TIMEOUT_SECONDS = 120;

  private static final Pattern INTERNODE =
      Pattern.compile("internode (\\[[^\\]]+\\]:\\d+|[^\\s,]+:\\d+)");

  /** One node of the cluster: its name, the flags that make it, and its process. */
  record Member(String id, List<String> serverArguments) {}

  private record Running(
      Member member, List<String> arguments, Process process, CompletableFuture<String> upLine) {}

  private final List<Member> members;
  private final PrintWriter out;
  private final PrintWriter err;
  private final long stopTimeoutMillis;
  private final List<Running> running = new ArrayList<>();

  LocalCluster(List<Member> members, PrintWriter out, PrintWriter err, long stopTimeoutMillis) {
    this.members = List.copyOf(members);
    this.out = out;
    this.err = err;
    this.stopTimeoutMillis = stopTimeoutMillis;
  }

  /** Starts every node, waits for {@code stop}, stops them; the exit status of {@code up}. */
  int run(StopRequest stop, Path dataDirectory) {
    Thread hook = new Thread(this::stopAll, "ringkv-up-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Optional<String> seed = Optional.empty();
      for (Member member : members) {
        List<String> arguments = new ArrayList<>(member.serverArguments());
        seed.ifPresent(address -> arguments.addAll(List.of("--set", "cluster.seeds=" + address)));
        Running node;
        try {
          node = start(member, arguments);
        } catch (IOException e) {
          err.println("ringkv up: cannot start " + member.id() + ": " + e.getMessage());
          stopAll();
          return 1;
        }
        String upLine;
        try {
          upLine = node.upLine().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          err.println(
              "ringkv up: "
                  + member.id()
                  + " did not come up"
                  + (node.process().isAlive()
                      ? " within " + START_TIMEOUT_SECONDS + " s"
                      : " (exit status " + node.process().exitValue() + ")")
                  + "; stopping the others");
          stopAll();
          return 1;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopAll();
          return 1;
        }
        if (seed.isEmpty()) {
          Matcher matcher = INTERNODE.matcher(upLine);
          if (!matcher.find()) {
            err.println("ringkv up: " + member.id() + " printed no internode address: " + upLine);
            stopAll();
            return 1;
          }
          seed = Optional.of(matcher.group(1));
        }
      }
      printHints(dataDirectory);
      watchExits();
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.println(
          "ringkv up: stopping every node ("
              + (stop.isRequested() ? stop.reason() : "interrupted")
              + ")");
      out.flush();
      return stopAll() ? 0 : 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is stopping the nodes
      }
    }
  }

  private Running start(Member member, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>(javaCommand());
    command.add("server");
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).start();
    CompletableFuture<String> upLine = new CompletableFuture<>();
    String prefix = member.id() + " | ";
    forward(process.getInputStream(), out, prefix, upLine, member.id());
    forward(process.getErrorStream(), err, prefix, null, member.id());
    process.onExit().thenRun(() -> upLine.completeExceptionally(new IOException("exited")));
    Running node = new Running(member, List.copyOf(arguments), process, upLine);
    synchronized (running) {
      running.add(node);
    }
    out.println(
        "ringkv up: started "
            + member.id()
            + " (pid "
            + process.pid()
            + "); alone: ./ringkv server "
            + String.join(" ", arguments));
    out.flush();
    return node;
  }

  private void forward(
      InputStream stream,
      PrintWriter to,
      String prefix,
      CompletableFuture<String> upLine,
      String id) {
    Thread.ofVirtual()
        .name("ringkv-up-" + id)
        .start(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  synchronized (to) {
                    to.println(prefix + line);
                    to.flush();
                  }
                  if (upLine != null && line.startsWith("ringkv node " + id + " up: ")) {
                    upLine.complete(line);
                  }
                }
              } catch (IOException closed) {
                // the process ended
              }
            });
  }

  private void watchExits() {
    synchronized (running) {
      for (Running node : running) {
        node.process()
            .onExit()
            .thenAccept(
                process -> {
                  boolean unexpected;
                  synchronized (running) {
                    unexpected = running.remove(node); // stopAll() empties the list first
                  }
                  if (unexpected) {
                    synchronized (err) {
                      err.println(
                          "ringkv up: "
                              + node.member().id()
                              + " (pid "
                              + process.pid()
                              + ") exited with status "
                              + process.exitValue()
                              + "; the others keep running. Start it again with: ./ringkv server "
                              + String.join(" ", node.arguments()));
                      err.flush();
                    }
                  }
                });
      }
    }
  }

  private void printHints(Path dataDirectory) {
    out.println(
        "ringkv up: "
            + members.size()
            + " nodes up. Try:  ./ringkv status   |   redis-cli -p 6379 ping   |   curl"
            + " http://127.0.0.1:8080/health");
    out.println(
        "Ctrl-C stops the cluster cleanly; the data stays under "
            + dataDirectory
            + " for the next run.");
    out.flush();
  }

  /** SIGTERM to every node still running, last started first, then wait; true if all exited 0. */
  private boolean stopAll() {
    List<Running> nodes;
    synchronized (running) {
      nodes = new ArrayList<>(running);
      running.clear();
    }
    boolean clean = true;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).process().toHandle().destroy(); // SIGTERM, keeping our end of its output open
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Process process = nodes.get(i).process();
      try {
        if (!process.waitFor(stopTimeoutMillis + 10_000, TimeUnit.MILLISECONDS)) {
          err.println("ringkv up: " + nodes.get(i).member().id() + " did not stop; killing it");
          process.destroyForcibly();
          clean = false;
        } else if (process.exitValue() != 0 && process.exitValue() != 143) {
          clean = false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        clean = false;
      }
    }
    out.flush();
    err.flush();
    return clean;
  }

  /** The command that runs this CLI again in a new JVM: same java, JVM flags and class path. */
  private static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // A debugger or profiler attached to `up` must not be cloned into every node.
      if (!argument.startsWith("-agentlib")
          && !argument.startsWith("-javaagent")
          && !argument.startsWith("-XX:StartFlightRecording")) {
        command.add(argument);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RingkvCli.class.getName());
    return command;
  }
}
