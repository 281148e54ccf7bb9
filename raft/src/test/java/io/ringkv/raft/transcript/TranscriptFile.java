package io.ringkv.raft.transcript;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A golden transcript in etcd's datadriven style: blocks separated by blank lines, each a command
 * line (after any {@code #} comment lines), a {@code ----} line, and the expected output, which
 * never holds a blank line.
 *
 * <pre>
 * # Node 1 wins the election.
 * campaign 1
 * ----
 * ok
 * </pre>
 */
final class TranscriptFile {
  /** One command with its expected output. */
  record Block(List<String> comments, String command, String expected, int line) {}

  private TranscriptFile() {}

  static List<Block> parse(Path path) throws IOException {
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    List<Block> blocks = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      if (lines.get(i).isBlank()) {
        i++;
        continue;
      }
      List<String> comments = new ArrayList<>();
      while (i < lines.size() && lines.get(i).startsWith("#")) {
        comments.add(lines.get(i++));
      }
      if (i >= lines.size() || lines.get(i).isBlank()) {
        // Comments alone: keep them as a block with no command.
        blocks.add(new Block(comments, null, "", i));
        continue;
      }
      int commandLine = i + 1;
      String command = lines.get(i++);
      if (i >= lines.size() || !lines.get(i).equals("----")) {
        throw new IllegalArgumentException(
            path + ":" + commandLine + ": expected ---- after command");
      }
      i++;
      StringBuilder expected = new StringBuilder();
      while (i < lines.size() && !lines.get(i).isBlank()) {
        expected.append(lines.get(i++)).append('\n');
      }
      blocks.add(new Block(comments, command, expected.toString(), commandLine));
    }
    return blocks;
  }

  static String render(List<Block> blocks, List<String> outputs) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      if (i > 0) {
        text.append('\n');
      }
      for (String comment : block.comments()) {
        text.append(comment).append('\n');
      }
      if (block.command() != null) {
        text.append(block.command()).append('\n').append("----\n").append(outputs.get(i));
      }
    }
    return text.toString();
  }
}
