package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GlobPatternTest {
  private static boolean matches(String pattern, String subject) {
    return GlobPattern.matches(
        pattern.getBytes(StandardCharsets.ISO_8859_1),
        subject.getBytes(StandardCharsets.ISO_8859_1),
        false);
  }

  @Test
  void matches_literalsAndWildcards() {
    assertThat(matches("user:1", "user:1")).isTrue();
    assertThat(matches("user:1", "user:12")).isFalse();
    assertThat(matches("user:*", "user:")).isTrue();
    assertThat(matches("user:*", "user:123")).isTrue();
    assertThat(matches("*", "")).isTrue();
    assertThat(matches("", "")).isTrue();
    assertThat(matches("", "a")).isFalse();
    assertThat(matches("h?llo", "hello")).isTrue();
    assertThat(matches("h?llo", "hllo")).isFalse();
    assertThat(matches("*a*b*c", "xxaxxbxxc")).isTrue();
    assertThat(matches("*a*b*c", "xxaxxbxxcx")).isFalse();
    assertThat(matches("a**b", "ab")).isTrue();
  }

  @Test
  void matches_sets() {
    assertThat(matches("h[ae]llo", "hallo")).isTrue();
    assertThat(matches("h[ae]llo", "hillo")).isFalse();
    assertThat(matches("h[^e]llo", "hallo")).isTrue();
    assertThat(matches("h[^e]llo", "hello")).isFalse();
    assertThat(matches("h[a-b]llo", "hbllo")).isTrue();
    assertThat(matches("h[b-a]llo", "hallo")).isTrue();
    assertThat(matches("h[a-b]llo", "hcllo")).isFalse();
    assertThat(matches("[\\]]", "]")).isTrue();
    assertThat(matches("a[bc", "ab")).isTrue();
  }

  @Test
  void matches_escapes() {
    assertThat(matches("a\\*b", "a*b")).isTrue();
    assertThat(matches("a\\*b", "axb")).isFalse();
    assertThat(matches("a\\?", "a?")).isTrue();
  }

  @Test
  void matches_ignoringCase() {
    byte[] pattern = "MaxMemory*".getBytes(StandardCharsets.US_ASCII);
    assertThat(
            GlobPattern.matches(
                pattern, "maxmemory-policy".getBytes(StandardCharsets.US_ASCII), true))
        .isTrue();
    assertThat(
            GlobPattern.matches(
                pattern, "maxmemory-policy".getBytes(StandardCharsets.US_ASCII), false))
        .isFalse();
  }

  @Test
  void matches_binaryBytes() {
    byte[] subject = {0, (byte) 0xff, 'x'};
    assertThat(GlobPattern.matches(new byte[] {'?', (byte) 0xff, '*'}, subject, false)).isTrue();
  }

  @Test
  void matches_manyStarsStayFast() {
    String pattern = "a*".repeat(50) + "b";
    assertThat(matches(pattern, "a".repeat(5000))).isFalse();
  }
}
