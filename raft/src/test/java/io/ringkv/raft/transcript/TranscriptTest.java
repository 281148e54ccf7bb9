package io.ringkv.raft.transcript;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every golden transcript under {@code src/test/resources/raft/}: each command's output must
 * equal the checked-in output. Run with {@code -Draft.rewrite=true} to write the actual outputs
 * back into the files instead, then read the diff.
 */
class TranscriptTest {
  private static final Path DIRECTORY = Path.of("src/test/resources/raft");
  private static final boolean REWRITE = Boolean.getBoolean("raft.rewrite");

  @TestFactory
  Stream<DynamicTest> transcripts() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(DIRECTORY)) {
      files = listing.filter(path -> path.toString().endsWith(".txt")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream()
        .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> run(file)));
  }

  private static void run(Path file) throws IOException {
    List<TranscriptFile.Block> blocks = TranscriptFile.parse(file);
    TranscriptCluster cluster = new TranscriptCluster();
    List<String> outputs = new ArrayList<>();
    for (TranscriptFile.Block block : blocks) {
      if (block.command() == null) {
        outputs.add("");
        continue;
      }
      String actual;
      try {
        actual = cluster.run(block.command());
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(file + ":" + block.line() + ": " + block.command() + " failed", e);
      }
      outputs.add(actual);
      if (!REWRITE) {
        assertThat(actual)
            .as("%s:%d: %s", file, block.line(), block.command())
            .isEqualTo(block.expected());
      }
    }
    if (REWRITE) {
      Files.writeString(file, TranscriptFile.render(blocks, outputs), StandardCharsets.UTF_8);
    }
  }
}
