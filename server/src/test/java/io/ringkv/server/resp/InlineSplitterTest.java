package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InlineSplitterTest {
  private static List<String> split(String line) {
    byte[][] arguments = InlineSplitter.split(line.getBytes(StandardCharsets.ISO_8859_1));
    return arguments == null
        ? null
        : Arrays.stream(arguments)
            .map(argument -> new String(argument, StandardCharsets.ISO_8859_1))
            .toList();
  }

  @Test
  void split_whitespaceSeparates() {
    assertThat(split("  set\tkey   value ")).containsExactly("set", "key", "value");
    assertThat(split("   ")).isEmpty();
  }

  @Test
  void split_doubleQuotesTakeEscapes() {
    assertThat(split("set \"a b\" \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\""))
        .containsExactly("set", "a b", "AJ\n\r\t\b\u0007\\\"");
  }

  @Test
  void split_singleQuotesAreLiteralButForEscapedQuote() {
    assertThat(split("set 'a \\n b' 'it\\'s'")).containsExactly("set", "a \\n b", "it's");
  }

  @Test
  void split_quotesMayStartInsideAWord() {
    assertThat(split("foo\"bar baz\"")).containsExactly("foobar baz");
  }

  @Test
  void split_emptyQuotedArgument() {
    assertThat(split("set \"\" ''")).containsExactly("set", "", "");
  }

  @Test
  void split_closingQuoteMustBeFollowedBySpace() {
    assertThat(split("\"a\"b")).isNull();
    assertThat(split("'a'b")).isNull();
  }

  @Test
  void split_unterminatedQuoteIsUnbalanced() {
    assertThat(split("\"abc")).isNull();
    assertThat(split("'abc")).isNull();
  }

  @Test
  void split_invalidHexEscapeIsTakenAsLetters() {
    assertThat(split("\"\\xZZ\"")).containsExactly("xZZ");
  }
}
