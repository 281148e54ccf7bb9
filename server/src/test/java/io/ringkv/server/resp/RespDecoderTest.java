package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RespDecoderTest {
  private static final int BULK_MAX = 1024;
  private static final int ARGUMENTS_MAX = 16;
  private static final int INLINE_MAX = 64;

  private static RespDecoder decoder() {
    return new RespDecoder(BULK_MAX, ARGUMENTS_MAX, INLINE_MAX);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Feeds the chunks one after another into one buffer, decoding after each. */
  private static List<String> decodeChunks(List<byte[]> chunks) throws RespProtocolException {
    RespDecoder decoder = decoder();
    ByteBuf buffer = Unpooled.buffer();
    List<String> commands = new ArrayList<>();
    for (byte[] chunk : chunks) {
      buffer.writeBytes(chunk);
      byte[][] command;
      while ((command = decoder.decode(buffer)) != null) {
        commands.add(render(command));
      }
    }
    assertThat(buffer.isReadable()).as("bytes left undecoded").isFalse();
    return commands;
  }

  private static List<String> decodeWhole(byte[] stream) throws RespProtocolException {
    return decodeChunks(List.of(stream));
  }

  private static String render(byte[][] command) {
    return Arrays.stream(command)
        .map(argument -> "[" + new String(argument, StandardCharsets.ISO_8859_1) + "]")
        .collect(Collectors.joining(" "));
  }

  private static final byte[] PIPELINE =
      bytes(
          "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
              + "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
              + "PING\r\n"
              + "set \"a b\" 'c d' \"\\x41\\n\"\n"
              + "\r\n"
              + "*0\r\n"
              + "*1\r\n$4\r\nPING\r\n");

  @Test
  void decode_pipelineOfFramesAndInlineLines() throws Exception {
    assertThat(decodeWhole(PIPELINE))
        .containsExactly(
            "[SET] [key] [va\r\nl]",
            "[GET] []",
            "[PING]",
            "[set] [a b] [c d] [A\n]",
            "",
            "",
            "[PING]");
  }

  @Test
  void decode_byteByByteGivesTheSameCommands() throws Exception {
    List<byte[]> singleBytes = new ArrayList<>();
    for (byte b : PIPELINE) {
      singleBytes.add(new byte[] {b});
    }
    assertThat(decodeChunks(singleBytes)).isEqualTo(decodeWhole(PIPELINE));
  }

  @Test
  void decode_everySplitPointGivesTheSameCommands() throws Exception {
    List<String> expected = decodeWhole(PIPELINE);
    for (int split = 0; split <= PIPELINE.length; split++) {
      List<byte[]> chunks =
          List.of(
              Arrays.copyOfRange(PIPELINE, 0, split),
              Arrays.copyOfRange(PIPELINE, split, PIPELINE.length));
      assertThat(decodeChunks(chunks)).as("split at %d", split).isEqualTo(expected);
    }
  }

  @Test
  void decode_incompleteFrameWaitsForMoreBytes() throws Exception {
    RespDecoder decoder = decoder();
    ByteBuf buffer = Unpooled.buffer().writeBytes(bytes("*2\r\n$3\r\nGET\r\n$3\r\nke"));
    assertThat(decoder.decode(buffer)).isNull();
    buffer.writeBytes(bytes("y\r\n"));
    assertThat(render(decoder.decode(buffer))).isEqualTo("[GET] [key]");
  }

  @Test
  void decode_binaryArgumentsAreKeptByteForByte() throws Exception {
    byte[] binary = {0, (byte) 0xff, '\r', '\n', (byte) 0xc3, 0x28};
    ByteBuf buffer =
        Unpooled.wrappedBuffer(RawRespClient.encode(bytes("SET"), binary, new byte[0]));
    byte[][] command = decoder().decode(buffer);
    assertThat(command[1]).isEqualTo(binary);
    assertThat(command[2]).isEmpty();
  }

  @Test
  void decode_manyArgumentsGrowTheArray() throws Exception {
    byte[][] arguments = new byte[ARGUMENTS_MAX][];
    for (int i = 0; i < arguments.length; i++) {
      arguments[i] = bytes("a" + i);
    }
    byte[][] command = decoder().decode(Unpooled.wrappedBuffer(RawRespClient.encode(arguments)));
    assertThat(command.length).isEqualTo(ARGUMENTS_MAX);
    assertThat(new String(command[ARGUMENTS_MAX - 1], StandardCharsets.US_ASCII)).isEqualTo("a15");
  }

  private static void assertProtocolError(String stream, String message) {
    assertThatThrownBy(() -> decodeWhole(bytes(stream)))
        .isInstanceOf(RespProtocolException.class)
        .hasMessageContaining(message);
  }

  @Test
  void decode_nonNumericMultibulkLengthIsAnError() {
    assertProtocolError("*abc\r\n", "ERR Protocol error: invalid multibulk length");
  }

  @Test
  void decode_negativeBulkLengthIsAnError() {
    assertProtocolError("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length");
  }

  @Test
  void decode_missingCrlfAfterBulkIsAnError() {
    assertProtocolError("*1\r\n$3\r\nGETXY", "expected CRLF after a bulk string of 3 bytes");
  }

  @Test
  void decode_lengthLineWithoutCarriageReturnIsAnError() {
    assertProtocolError("*1\n", "must end with CRLF");
  }

  @Test
  void decode_overlongLengthLineIsAnError() {
    assertProtocolError("*" + "1".repeat(40), "invalid multibulk length");
  }

  @Test
  void decode_wrongPrefixInsideFrameIsAnError() {
    assertProtocolError("*1\r\n+GET\r\n", "expected '$', got '+'");
  }

  @Test
  void decode_bulkLongerThanTheLimitNamesTheLimit() {
    assertProtocolError(
        "*1\r\n$" + (BULK_MAX + 1) + "\r\n",
        "invalid bulk length 1025, more than resp_bulk_bytes_max (1024)");
  }

  @Test
  void decode_moreArgumentsThanTheLimitNamesTheLimit() {
    assertProtocolError(
        "*" + (ARGUMENTS_MAX + 1) + "\r\n",
        "invalid multibulk length 17, more than resp_arguments_max (16)");
  }

  @Test
  void decode_inlineLineLongerThanTheLimitNamesTheLimit() {
    assertProtocolError("a".repeat(INLINE_MAX + 1), "too big inline request");
    assertProtocolError("a".repeat(INLINE_MAX + 1), "resp_inline_bytes_max (64 bytes)");
  }

  @Test
  void decode_inlineLineAtTheLimitIsAccepted() throws Exception {
    assertThat(decodeWhole(bytes("a".repeat(INLINE_MAX) + "\n")))
        .containsExactly("[" + "a".repeat(INLINE_MAX) + "]");
  }

  @Test
  void decode_inlineWithTooManyArgumentsIsAnError() {
    assertProtocolError("a ".repeat(ARGUMENTS_MAX + 1) + "\n", "too many arguments");
  }

  @Test
  void decode_unbalancedQuotesIsAnError() {
    assertProtocolError("set \"abc\n", "unbalanced quotes");
    assertProtocolError("set 'abc\n", "unbalanced quotes");
    assertProtocolError("set \"abc\"def\n", "unbalanced quotes");
  }
}
