package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenTest {

  @Test
  void compareTo_isSignedOrder() {
    assertThat(Token.MIN).isLessThan(Token.of(-1));
    assertThat(Token.of(-1)).isLessThan(Token.of(0));
    assertThat(Token.of(0)).isLessThan(Token.MAX);
  }

  @Test
  void next_wrapsFromMaxToMin() {
    assertThat(Token.MAX.next()).isEqualTo(Token.MIN);
    assertThat(Token.of(-1).next()).isEqualTo(Token.of(0));
  }

  @Test
  void distanceTo_isClockwiseAndUnsigned() {
    assertThat(Token.of(10).distanceTo(Token.of(15))).isEqualTo(5);
    assertThat(Token.MAX.distanceTo(Token.MIN)).isEqualTo(1);
    assertThat(Token.of(15).distanceTo(Token.of(10))).isEqualTo(-5L); // 2^64 - 5 unsigned
    assertThat(Token.of(7).distanceTo(Token.of(7))).isZero();
  }

  @Test
  void forKey_isTheMurmur3Token() {
    byte[] key = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(Token.forKey(key)).isEqualTo(Token.of(0xcbd8a7b341bd9b02L));
    assertThat(Token.forKey(new byte[0])).isEqualTo(Token.of(0));
    assertThat(Token.MIN.isMinimum()).isTrue();
    assertThat(Token.forKey(key).isMinimum()).isFalse();
  }
}
