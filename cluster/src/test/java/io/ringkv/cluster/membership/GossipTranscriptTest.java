package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden transcripts of gossip (etcd raft's {@code testdata} style): each file under {@code
 * src/test/resources/membership/} is a list of blocks, a command, a {@code ----} line and the
 * output expected, ended by a blank line; {@code #} lines are comments. The test runs the commands
 * with {@link TranscriptRunner} and compares the regenerated file with the stored one byte for
 * byte. Run with {@code -Dgolden.update=true} to rewrite the files, then read the diff.
 */
class GossipTranscriptTest {
  private static final Path DIRECTORY = Path.of("src", "test", "resources", "membership");
  private static final String SEPARATOR = "----";

  static Stream<String> transcripts() throws IOException {
    try (Stream<Path> files = Files.list(DIRECTORY)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".txt"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transcripts")
  void transcript_matchesGoldenFile(String name) throws IOException {
    Path file = DIRECTORY.resolve(name);
    String stored = Files.readString(file, StandardCharsets.UTF_8);
    String regenerated = regenerate(stored);
    if (Boolean.getBoolean("golden.update")) {
      if (!regenerated.equals(stored)) {
        Files.writeString(file, regenerated, StandardCharsets.UTF_8);
      }
      return;
    }
    assertThat(regenerated)
        .as(
            "%s differs from its golden file; rerun with -Dgolden.update=true and read the diff",
            name)
        .isEqualTo(stored);
  }

  /** Runs every command of {@code transcript} and returns the file with the outputs replaced. */
  static String regenerate(String transcript) {
    List<String> lines = transcript.lines().toList();
    TranscriptRunner runner = new TranscriptRunner();
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i++);
      if (line.isBlank() || line.startsWith("#")) {
        out.add(line);
        continue;
      }
      if (i >= lines.size() || !lines.get(i).equals(SEPARATOR)) {
        throw new IllegalArgumentException(
            "line " + i + ": a command must be followed by '" + SEPARATOR + "': " + line);
      }
      i++;
      while (i < lines.size() && !lines.get(i).isBlank()) {
        i++; // the stored output, replaced below
      }
      out.add(line);
      out.add(SEPARATOR);
      List<String> printed;
      try {
        printed = runner.run(line);
      } catch (RuntimeException e) {
        throw new AssertionError("command failed: " + line, e);
      }
      out.addAll(printed.isEmpty() ? List.of("ok") : printed);
    }
    return String.join("\n", out) + "\n";
  }
}
