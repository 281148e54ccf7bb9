package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A golden transcript under {@code src/test/resources/golden/}: the test's output must equal the
 * file byte for byte; run with {@code -Dgolden.update=true} to rewrite it, then read the diff.
 */
final class GoldenFile {
  private static final Path ROOT = Path.of("src", "test", "resources", "golden");

  private GoldenFile() {}

  /** Asserts that {@code actual} is the content of golden file {@code name}, or rewrites it. */
  static void check(String name, String actual) {
    Path file = ROOT.resolve(name);
    try {
      if (Boolean.getBoolean("golden.update")) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        return;
      }
      assertThat(file)
          .as("golden file %s is missing; run with -Dgolden.update=true to write it", file)
          .exists();
      String expected = Files.readString(file, StandardCharsets.UTF_8);
      assertThat(actual)
          .as("output differs from %s; rerun with -Dgolden.update=true and read the diff", file)
          .isEqualTo(expected);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
