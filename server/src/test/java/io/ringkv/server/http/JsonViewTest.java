package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ringkv.common.Rng;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link JsonView}: the mapping between JSON values and stored bytes. */
class JsonViewTest {
  static final int ROUNDS = 20_000;
  static final long SEED = Long.getLong("ringkv.seed", System.nanoTime());

  private static final JsonNodeFactory NODES = HttpJson.MAPPER.getNodeFactory();

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void encode_plainString_isItsUtf8Bytes() {
    assertThat(JsonView.encode(TextNode.valueOf("hello world"), "value"))
        .isEqualTo(utf8("hello world"));
    assertThat(JsonView.encode(TextNode.valueOf(""), "value")).isEmpty();
    assertThat(JsonView.encode(TextNode.valueOf("😀 ✓"), "value")).isEqualTo(utf8("😀 ✓"));
    assertThat(JsonView.encode(TextNode.valueOf("not json: {"), "value"))
        .isEqualTo(utf8("not json: {"));
  }

  @Test
  void encode_stringThatReadsAsOtherJson_isAJsonStringLiteral() {
    for (String ambiguous : new String[] {"42", "true", "null", "[1]", "{}", "\"x\"", " -1.5 "}) {
      assertThat(JsonView.encode(TextNode.valueOf(ambiguous), "value"))
          .as(ambiguous)
          .isEqualTo(HttpJson.write(TextNode.valueOf(ambiguous)));
    }
  }

  @Test
  void encode_nonStrings_areCompactJsonText() {
    ObjectNode object = NODES.objectNode();
    object.putArray("a").add(1).add(new BigDecimal("1.10")).add("x");
    assertThat(JsonView.encode(object, "value")).isEqualTo(utf8("{\"a\":[1,1.10,\"x\"]}"));
    assertThat(JsonView.encode(NODES.nullNode(), "value")).isEqualTo(utf8("null"));
  }

  @Test
  void encode_unpairedSurrogate_isRefusedWithItsPointer() {
    ObjectNode object = NODES.objectNode();
    object.putArray("a/b").add("fine").add("bad \ud800 here");
    assertThatThrownBy(() -> JsonView.encode(object, "value"))
        .isInstanceOf(ProblemException.class)
        .hasMessageContaining("/a~1b/1");
    assertThatThrownBy(() -> JsonView.encode(TextNode.valueOf("\udc00"), "value"))
        .isInstanceOf(ProblemException.class);
    assertThat(JsonView.wellFormed("pair 😀")).isTrue();
    assertThat(JsonView.wellFormed("\ud83d")).isFalse();
    assertThat(JsonView.wellFormed("\ude00\ud83d")).isFalse();
  }

  @Test
  void decode_strictJsonOnly() {
    assertThat(JsonView.decode(utf8(" {\"a\" : 1} "))).isEqualTo(NODES.objectNode().put("a", 1));
    assertThat(JsonView.decode(utf8("1 2"))).isEqualTo(TextNode.valueOf("1 2"));
    assertThat(JsonView.decode(utf8("{\"a\":1,\"a\":2}")).isTextual()).isTrue();
    assertThat(JsonView.decode(utf8("[1,]")).isTextual()).isTrue();
    assertThat(JsonView.decode(utf8("NaN")).isTextual()).isTrue();
    assertThat(JsonView.decode(utf8("   "))).isEqualTo(TextNode.valueOf("   "));
    assertThat(JsonView.decode("[".repeat(1001).getBytes(StandardCharsets.UTF_8)).isTextual())
        .isTrue();
    assertThat(JsonView.decode(new byte[] {'"', (byte) 0xFF, '"'}).isTextual()).isTrue();
  }

  @Test
  void roundTrip_randomJsonValues_comeBackEqual() {
    Rng rng = new Rng(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      JsonNode value = randomValue(rng, 3);
      JsonNode back = JsonView.decode(JsonView.encode(value, "value"));
      // Compared as JSON text: 5 stored from a decimal node reads back as the integer 5.
      assertThat(new String(HttpJson.write(back), StandardCharsets.UTF_8))
          .as("seed %d round %d", SEED, round)
          .isEqualTo(new String(HttpJson.write(value), StandardCharsets.UTF_8));
    }
  }

  @Test
  void roundTrip_randomNonJsonUtf8Bytes_areStoredUnchanged() {
    Rng rng = new Rng(SEED);
    String alphabet = " \t{}[]\":,-0123456789tfnulrae";
    int checked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      byte[] bytes = new byte[rng.nextInt(12)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) alphabet.charAt(rng.nextInt(alphabet.length()));
      }
      if (rng.chance(0.2)) {
        bytes =
            (new String(bytes, StandardCharsets.UTF_8) + "é中😀").getBytes(StandardCharsets.UTF_8);
      }
      JsonNode view = JsonView.decode(bytes);
      // Bytes that are not JSON show as their own text; storing that text gives the bytes back.
      if (view.isTextual() && Arrays.equals(utf8(view.textValue()), bytes)) {
        assertThat(JsonView.encode(view, "value"))
            .as("seed %d round %d", SEED, round)
            .isEqualTo(bytes);
        checked++;
      }
    }
    assertThat(checked).as("seed %d", SEED).isPositive();
  }

  private static JsonNode randomValue(Rng rng, int depth) {
    int kind = rng.nextInt(depth > 0 ? 8 : 6);
    return switch (kind) {
      case 0, 1 -> TextNode.valueOf(randomText(rng));
      case 2 -> NODES.numberNode(rng.nextLong() >> rng.nextInt(64));
      case 3 ->
          rng.nextBoolean()
              ? NODES.numberNode(
                  new BigDecimal(BigInteger.valueOf(rng.nextLong()), rng.nextInt(-5, 20)))
              : NODES.numberNode(new BigInteger(80, new java.util.Random(rng.nextLong())));
      case 4 -> NODES.booleanNode(rng.nextBoolean());
      case 5 -> NODES.nullNode();
      case 6 -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = rng.nextInt(4); i > 0; i--) {
          array.add(randomValue(rng, depth - 1));
        }
        yield array;
      }
      default -> {
        ObjectNode object = NODES.objectNode();
        for (int i = rng.nextInt(4); i > 0; i--) {
          object.set(randomText(rng), randomValue(rng, depth - 1));
        }
        yield object;
      }
    };
  }

  /** Short strings from an alphabet rich in JSON syntax, escapes and multi-byte characters. */
  private static String randomText(Rng rng) {
    String alphabet = " \t\n{}[]\":,\\-+.eE0123456789truefalsnl/aé中😀\u0000\u007f\u2028";
    StringBuilder text = new StringBuilder();
    for (int i = rng.nextInt(8); i > 0; i--) {
      int at = rng.nextInt(alphabet.length());
      char c = alphabet.charAt(at);
      if (Character.isHighSurrogate(c) && at + 1 < alphabet.length()) {
        text.append(c).append(alphabet.charAt(at + 1));
      } else if (!Character.isSurrogate(c)) {
        text.append(c);
      }
    }
    return text.toString();
  }
}
