package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link PercentDecoding}: URL path text to key bytes. */
class PercentDecodingTest {

  @Test
  void decode_plainText_isItsBytes() {
    assertThat(PercentDecoding.decode("users/42"))
        .isEqualTo("users/42".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void decode_escapes_areBytesInEitherCase() {
    assertThat(PercentDecoding.decode("%00%ff%FF%2f%25"))
        .isEqualTo(new byte[] {0, (byte) 0xFF, (byte) 0xFF, '/', '%'});
    assertThat(PercentDecoding.decode("%E2%9C%93")).isEqualTo("✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decode_plus_staysAPlus() {
    assertThat(PercentDecoding.decode("a+b")).isEqualTo(new byte[] {'a', '+', 'b'});
  }

  @Test
  void decode_rawLatin1Chars_areTheirBytes() {
    // Netty hands over each raw request-line byte as one char.
    assertThat(PercentDecoding.decode("\u00e2\u009c\u0093"))
        .isEqualTo("✓".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decode_truncatedOrNonHexEscape_namesTheOffset() {
    assertThatThrownBy(() -> PercentDecoding.decode("ab%4"))
        .isInstanceOf(ProblemException.class)
        .hasMessageContaining("truncated percent-escape at offset 2");
    assertThatThrownBy(() -> PercentDecoding.decode("%"))
        .hasMessageContaining("truncated percent-escape at offset 0");
    assertThatThrownBy(() -> PercentDecoding.decode("x%g1"))
        .hasMessageContaining("'%g1' is not hexadecimal at offset 1");
    assertThatThrownBy(() -> PercentDecoding.decode("✓"))
        .hasMessageContaining("must be percent-encoded");
  }
}
