package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.storage.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over a raw socket: every framing limit answers an error naming the limit and closes
 * (the stream cannot be resynchronised); every per-command limit answers an error and keeps the
 * connection; nothing stored changes.
 */
class RespBadInputTest {
  private static final LimitsConfig LIMITS =
      new LimitsConfig(64, 1024, 2048, 32, 256, 4 << 20, 4 << 20);

  @TempDir Path directory;
  private RespFixture fixture;

  private RawRespClient start() throws Exception {
    return start(ListenerConfig.of("127.0.0.1", 0));
  }

  private RawRespClient start(ListenerConfig listener) throws Exception {
    fixture = RespFixture.start(directory, listener, LIMITS, Durability.NONE, null);
    return fixture.raw();
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static String error(Object reply) {
    assertThat(reply).isInstanceOf(RawRespClient.Error.class);
    return ((RawRespClient.Error) reply).line();
  }

  @Test
  void oversizedBulk_answersTheLimitAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2049\r\n");
      assertThat(error(client.read()))
          .isEqualTo(
              "ERR Protocol error: invalid bulk length 2049, more than resp_bulk_bytes_max (2048)");
      assertThat(client.closedByServer()).isTrue();
    }
    try (RawRespClient client = fixture.raw()) {
      assertThat(client.call("EXISTS", "k")).isEqualTo(0L);
    }
  }

  @Test
  void oversizedMultibulkCount_answersTheLimitAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("*33\r\n");
      assertThat(error(client.read()))
          .isEqualTo(
              "ERR Protocol error: invalid multibulk length 33, more than resp_arguments_max (32)");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void oversizedInlineLine_answersTheLimitAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("SET k " + "v".repeat(300));
      assertThat(error(client.read()))
          .isEqualTo(
              "ERR Protocol error: too big inline request, more than resp_inline_bytes_max (256"
                  + " bytes)");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void malformedMultibulkLength_answersAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("*abc\r\n");
      assertThat(error(client.read())).isEqualTo("ERR Protocol error: invalid multibulk length");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void negativeBulkLength_answersAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("*1\r\n$-5\r\n");
      assertThat(error(client.read())).isEqualTo("ERR Protocol error: invalid bulk length");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void missingCrlfAfterBulk_answersAndCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("*1\r\n$4\r\nPINGxx");
      assertThat(error(client.read()))
          .isEqualTo("ERR Protocol error: expected CRLF after a bulk string of 4 bytes");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void protocolError_afterGoodCommandsAnswersThemFirst() throws Exception {
    try (RawRespClient client = start()) {
      client.send("PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n");
      assertThat(client.read()).isEqualTo("PONG");
      assertThat(client.read()).isEqualTo("PONG");
      assertThat(error(client.read())).startsWith("ERR Protocol error");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void wrongArity_answersAndKeepsTheConnection() throws Exception {
    try (RawRespClient client = start()) {
      assertThat(error(client.call("GET")))
          .isEqualTo("ERR wrong number of arguments for 'get' command");
      assertThat(error(client.call("get", "a", "b")))
          .isEqualTo("ERR wrong number of arguments for 'get' command");
      assertThat(error(client.call("CLIENT", "SETNAME")))
          .isEqualTo("ERR wrong number of arguments for 'client|setname' command");
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void unknownCommand_quotesItsArguments() throws Exception {
    try (RawRespClient client = start()) {
      assertThat(error(client.call("FOO", "a", "b")))
          .isEqualTo("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
      assertThat(error(client.call("foo")))
          .isEqualTo("ERR unknown command 'foo', with args beginning with: ");
      // Line breaks in an argument cannot break the reply line.
      assertThat(error(client.call("FOO", "a\r\nb")))
          .isEqualTo("ERR unknown command 'FOO', with args beginning with: 'a  b' ");
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void inlineCommands_workLikeRedisCli() throws Exception {
    try (RawRespClient client = start()) {
      client.send("SET \"hello world\" 'it''s'\r\n");
      assertThat(error(client.read()))
          .isEqualTo("ERR Protocol error: unbalanced quotes in request");
      assertThat(client.closedByServer()).isTrue();
    }
    try (RawRespClient client = fixture.raw()) {
      client.send(
          "SET \"hello world\" \"a\\x00b\"\r\nGET \"hello world\"\nPING\r\n\r\n  \r\nECHO 'x y'\r\n");
      assertThat(client.read()).isEqualTo("OK");
      assertThat(client.read()).isEqualTo(new byte[] {'a', 0, 'b'});
      assertThat(client.read()).isEqualTo("PONG");
      assertThat(RawRespClient.text(client.read())).isEqualTo("x y");
    }
  }

  @Test
  void binaryKeysAndValues_roundTrip() throws Exception {
    try (RawRespClient client = start()) {
      byte[] key = {0, (byte) 0xff, 'k', 0, '\r', '\n'};
      byte[] value = {(byte) 0xff, 0, (byte) 0x80, '\n'};
      assertThat(client.call("SET".getBytes(), key, value)).isEqualTo("OK");
      assertThat(client.call("GET".getBytes(), key)).isEqualTo(value);
      assertThat(client.call("EXISTS".getBytes(), new byte[] {0, (byte) 0xff, 'k'})).isEqualTo(0L);
      Object scan = client.call("SCAN", "0", "COUNT", "100");
      assertThat(((List<?>) scan).get(1)).asList().containsExactly(key);
    }
  }

  @Test
  void emptyKeyAndEmptyValue_areOrdinary() throws Exception {
    try (RawRespClient client = start()) {
      assertThat(client.call("SET", "", "")).isEqualTo("OK");
      assertThat(client.call("GET", "")).isEqualTo(new byte[0]);
      assertThat(client.call("EXISTS", "")).isEqualTo(1L);
      assertThat(client.call("SET", "", "x")).isEqualTo("OK");
      assertThat(client.call("GET", "")).isEqualTo("x".getBytes());
      List<?> scan = (List<?>) client.call("SCAN", "0");
      assertThat((List<?>) scan.get(1)).hasSize(1);
      assertThat(client.call("DEL", "")).isEqualTo(1L);
      assertThat(client.call("GET", "")).isNull();
    }
  }

  @Test
  void invalidUtf8_roundTripsUnchanged() throws Exception {
    try (RawRespClient client = start()) {
      byte[][] samples = {
        {(byte) 0xc3, 0x28}, // bad continuation
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a lone surrogate, encoded
        {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // five-byte form
        {(byte) 0xc0, (byte) 0x80}, // overlong NUL
        "naïve ☃ 𝄞".getBytes(StandardCharsets.UTF_8)
      };
      for (byte[] sample : samples) {
        assertThat(client.call("SET".getBytes(), sample, sample)).isEqualTo("OK");
        assertThat(client.call("GET".getBytes(), sample)).isEqualTo(sample);
      }
      // An unknown command's bytes come back unchanged in the error too.
      Object reply = client.call(new byte[] {'X', (byte) 0xff});
      assertThat(error(reply).getBytes(StandardCharsets.ISO_8859_1)).contains((byte) 0xff);
    }
  }

  @Test
  void oversizedValue_isRefusedAndTheKeyStaysUnchanged() throws Exception {
    try (RawRespClient client = start()) {
      assertThat(client.call("SET", "k", "old")).isEqualTo("OK");
      String big = "v".repeat(1025);
      assertThat(error(client.call("SET", "k", big)))
          .isEqualTo("ERR value of 1025 bytes exceeds value_bytes_max (1024)");
      assertThat(error(client.call("MSET", "a", "1", "k", big)))
          .isEqualTo("ERR value of 1025 bytes exceeds value_bytes_max (1024)");
      assertThat(error(client.call("SETEX", "k", "10", big)))
          .isEqualTo("ERR value of 1025 bytes exceeds value_bytes_max (1024)");
      assertThat(RawRespClient.text(client.call("GET", "k"))).isEqualTo("old");
      assertThat(client.call("EXISTS", "a")).isEqualTo(0L);
      assertThat(client.call("TTL", "k")).isEqualTo(-1L);
    }
  }

  @Test
  void oversizedKey_isRefusedAndNothingIsStored() throws Exception {
    try (RawRespClient client = start()) {
      String key = "k".repeat(65);
      assertThat(error(client.call("SET", key, "v")))
          .isEqualTo("ERR key of 65 bytes exceeds key_bytes_max (64)");
      assertThat(error(client.call("GET", key)))
          .isEqualTo("ERR key of 65 bytes exceeds key_bytes_max (64)");
      assertThat(client.call("DBSIZE")).isEqualTo(0L);
      assertThat(client.call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void maxConnections_refusesTheExtraOneWithAnError() throws Exception {
    RawRespClient first = start(new ListenerConfig("127.0.0.1", 0, 2, 0));
    try (first;
        RawRespClient second = fixture.raw()) {
      assertThat(first.call("PING")).isEqualTo("PONG");
      assertThat(second.call("PING")).isEqualTo("PONG");
      try (RawRespClient third = fixture.raw()) {
        assertThat(error(third.read())).isEqualTo("ERR max number of clients reached");
        assertThat(third.closedByServer()).isTrue();
      }
      assertThat(first.call("PING")).isEqualTo("PONG");
      Object info = first.call("INFO", "stats");
      assertThat(RawRespClient.text(info)).contains("rejected_connections:1");
    }
    // Once they leave, a new one is welcome again (bounded wait for the server to notice).
    assertThat(pingUntilAdmitted()).isEqualTo("PONG");
  }

  private Object pingUntilAdmitted() throws Exception {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      try (RawRespClient client = fixture.raw()) {
        Object reply = client.call("PING");
        if (!(reply instanceof RawRespClient.Error)) {
          return reply;
        }
      } catch (java.io.IOException e) {
        // refused and closed before the PING was read: try again
      }
    }
    throw new AssertionError("closed connections were never released");
  }

  @Test
  void idleTimeout_closesIdleConnections() throws Exception {
    try (RawRespClient client = start(new ListenerConfig("127.0.0.1", 0, 100, 200))) {
      assertThat(client.call("PING")).isEqualTo("PONG");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void quit_answersThenCloses() throws Exception {
    try (RawRespClient client = start()) {
      client.send("PING\r\nQUIT\r\nPING\r\n");
      assertThat(client.read()).isEqualTo("PONG");
      assertThat(client.read()).isEqualTo("OK");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void resp3_typesOnTheWire() throws Exception {
    try (RawRespClient client = start()) {
      Object hello = client.call("HELLO", "3", "SETNAME", "raw");
      assertThat(hello).isInstanceOf(java.util.Map.class);
      java.util.Map<?, ?> map = (java.util.Map<?, ?>) hello;
      assertThat(map.get("proto")).isEqualTo(3L);
      assertThat(RawRespClient.text(map.get("mode"))).isEqualTo("standalone");
      assertThat(client.call("GET", "missing")).isNull();
      Object config = client.call("CONFIG", "GET", "save");
      assertThat(config).isInstanceOf(java.util.Map.class);
      client.send("INFO server\r\n");
      byte[] info = (byte[]) client.read();
      assertThat(new String(info, StandardCharsets.UTF_8)).startsWith("txt:# Server");
      assertThat(error(client.call("HELLO", "4")))
          .isEqualTo("NOPROTO unsupported protocol version");
      Object hello2 = client.call("HELLO", "2");
      assertThat(hello2).isInstanceOf(List.class);
      assertThat(client.call("CLIENT", "GETNAME")).isEqualTo("raw".getBytes());
    }
  }

  @Test
  void commandInfo_describesSubcommands() throws Exception {
    try (RawRespClient client = start()) {
      List<?> info = (List<?>) client.call("COMMAND", "INFO", "client", "nosuch");
      List<?> client0 = (List<?>) info.get(0);
      assertThat(RawRespClient.text(client0.get(0))).isEqualTo("client");
      List<String> subcommands = new ArrayList<>();
      for (Object subcommand : (List<?>) client0.get(9)) {
        subcommands.add(RawRespClient.text(((List<?>) subcommand).get(0)));
      }
      assertThat(subcommands).contains("client|setname", "client|getname", "client|id");
      assertThat(info.get(1)).isNull();
    }
  }
}
