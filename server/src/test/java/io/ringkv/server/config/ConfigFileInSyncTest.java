package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/ringkv.yaml} and the code agree: the file lists every option the node knows and no
 * other, each with a comment, each at its default; and docs/configuration.md documents each one.
 */
class ConfigFileInSyncTest {
  private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)([a-z0-9_]+):.*$");

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("conf/ringkv.yaml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root with conf/ringkv.yaml").isNotNull();
    return dir;
  }

  private static Path shippedFile() {
    return repoRoot().resolve("conf/ringkv.yaml");
  }

  @Test
  void shippedFile_listsEveryKnownOptionAndNoOther() throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(shippedFile().toFile());
    Set<String> inFile = new LinkedHashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> sections = root.fields(); sections.hasNext(); ) {
      Map.Entry<String, JsonNode> section = sections.next();
      for (Iterator<String> keys = section.getValue().fieldNames(); keys.hasNext(); ) {
        inFile.add(section.getKey() + "." + keys.next());
      }
    }

    // Same options, in the same order as the schema.
    assertThat(List.copyOf(inFile)).isEqualTo(List.copyOf(ConfigSchema.paths()));
  }

  @Test
  void shippedFile_holdsTheDefaults() {
    NodeConfig fromFile = ConfigLoader.load(shippedFile(), Map.of(), List.of());

    assertThat(fromFile).isEqualTo(NodeConfig.defaults());
  }

  @Test
  void shippedFile_hasACommentAboveEverySectionAndOption() throws IOException {
    List<String> lines = Files.readAllLines(shippedFile());
    List<String> uncommented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher key = KEY_LINE.matcher(lines.get(i));
      if (key.matches() && (i == 0 || !lines.get(i - 1).strip().startsWith("#"))) {
        uncommented.add("line " + (i + 1) + ": " + lines.get(i));
      }
    }

    assertThat(uncommented).as("keys without a comment line above them").isEmpty();
  }

  @Test
  void documentation_describesEveryOption() throws IOException {
    String documentation = Files.readString(repoRoot().resolve("docs/configuration.md"));
    List<String> missing = new ArrayList<>();
    for (String path : ConfigSchema.paths()) {
      if (!documentation.contains("`" + path + "`")) {
        missing.add(path);
      }
    }

    assertThat(missing).as("options missing from docs/configuration.md").isEmpty();
  }
}
