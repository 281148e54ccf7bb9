package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./ringkv} launcher against the distribution this build just packaged, with
 * the machine's default {@code java} first on PATH and no JAVA_HOME: the launcher must find a JDK
 * 21+ by itself. RINGKV_NO_BUILD stops it from starting a nested Maven build.
 */
class LauncherIT {

  private record Result(int exitCode, String output) {}

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("ringkv"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root with the ringkv launcher").isNotNull();
    return dir;
  }

  private static Result launch(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path root = repoRoot();
    ProcessBuilder builder =
        new ProcessBuilder(concat(List.of("sh", root.resolve("ringkv").toString()), List.of(args)))
            .redirectErrorStream(true)
            .directory(root.toFile());
    builder.environment().remove("JAVA_HOME");
    builder.environment().put("RINGKV_NO_BUILD", "1");
    builder.environment().putAll(env);
    Process process = builder.start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    assertThat(exited).as("launcher exited within 60 s; output so far: %s", output).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  @Test
  void version_runsOnAJdk21OrNewer() throws Exception {
    Result result = launch(Map.of(), "version");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("ringkv " + BuildInfo.version());
    String javaLine =
        result.output().lines().filter(l -> l.startsWith("java ")).findFirst().orElseThrow();
    int feature = Integer.parseInt(javaLine.replaceAll("^java (\\d+).*", "$1"));
    assertThat(feature).isGreaterThanOrEqualTo(21);
  }

  @Test
  void help_works() throws Exception {
    Result result = launch(Map.of(), "--help");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("Usage: ringkv").contains("version");
  }

  @Test
  void javaHomeOlderThan21_isPassedOverForANewerJdk() throws Exception {
    Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    if (!Files.isDirectory(java17)) {
      // Nothing older to offer on this machine; the other tests cover the plain case.
      return;
    }
    Result result = launch(Map.of("JAVA_HOME", java17.toString()), "version");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).doesNotContain("java 17.");
  }

  @Test
  void noJdk21Anywhere_isAClearError() throws Exception {
    Path empty = Files.createTempDirectory("no-jdks");
    Result result =
        launch(
            Map.of("RINGKV_JVM_DIR", empty.toString(), "JAVA_HOME", empty.toString()), "version");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("no JDK 21 or newer");
  }
}
