package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running one of ringkv's main classes on the test class path: its stdout as lines
 * (read on a thread), its stderr in a file. {@code RINGKV_*} variables of the test's environment
 * are not passed on. Every wait is bounded by {@code waitSeconds}.
 */
final class ChildJvm {
  final Process process;
  final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final StringBuffer output = new StringBuffer();
  final Path errors;
  final Thread reader;
  private final long waitSeconds;

  ChildJvm(Path workDirectory, String mainClass, List<String> args, long waitSeconds)
      throws IOException {
    this.waitSeconds = waitSeconds;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    errors = Files.createTempFile(workDirectory, "stderr", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDirectory.toFile())
            .redirectError(errors.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("RINGKV_"));
    process = builder.start();
    reader =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      output.append(line).append('\n');
                      lines.add(line);
                    }
                  } catch (IOException ended) {
                    // The process is gone.
                  }
                });
  }

  /** The first line from now on that {@code wanted} accepts; fails after the wait bound. */
  String awaitLine(Predicate<String> wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && wanted.test(line)) {
        return line;
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError(
        "no such line within "
            + waitSeconds
            + " s; stdout:\n"
            + output
            + "stderr:\n"
            + Files.readString(errors));
  }

  /** Sends SIGTERM and waits for the exit; the exit status. */
  int stop() throws Exception {
    // SIGTERM. Through the handle: Process.destroy() would also close our end of its stdout
    // and lose the lines it prints while stopping.
    process.toHandle().destroy();
    boolean exited = process.waitFor(waitSeconds, TimeUnit.SECONDS);
    assertThat(exited)
        .as("exited within %d s after SIGTERM; stdout:\n%s", waitSeconds, output)
        .isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(waitSeconds)); // the last lines of stdout
    return process.exitValue();
  }

  String stderr() throws IOException {
    return Files.readString(errors);
  }
}
