package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.ManualClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.grpc.GrpcTestNode;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.testing.ScriptedService;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ringkv get|put|del|scan} run in-process against a live node, output captured. */
class DataCommandsTest {
  private static final long START_MILLIS = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  private final ManualClock clock = new ManualClock(0, START_MILLIS);
  private GrpcTestNode node;

  private record Run(int exitCode, String out, String err) {
    List<JsonNode> jsonLines() throws Exception {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isEmpty()) {
          lines.add(JSON.readTree(line));
        }
      }
      return lines;
    }
  }

  @BeforeEach
  void startNode() throws Exception {
    node = GrpcTestNode.start(directory.resolve("node"), clock);
  }

  @AfterEach
  void stopNode() throws Exception {
    node.close();
  }

  private static Run execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new RingkvCli());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** Runs {@code args} against the test node. */
  private Run run(String... args) {
    String[] withHost = new String[args.length + 2];
    System.arraycopy(args, 0, withHost, 0, args.length);
    withHost[args.length] = "--host";
    withHost[args.length + 1] = node.hostAndPort();
    return execute(withHost);
  }

  @Test
  void putThenGet_printsTheValue() {
    Run put = run("put", "greeting", "hello world");
    assertThat(put.exitCode()).isZero();
    assertThat(put.out()).isEqualTo("OK\n");
    assertThat(put.err()).isEmpty();

    Run get = run("get", "greeting");
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("hello world\n");
  }

  @Test
  void get_missingKeyExitsOneWithTheMessageOnStderr() {
    Run get = run("get", "nothing");
    assertThat(get.exitCode()).isEqualTo(1);
    assertThat(get.out()).isEmpty();
    assertThat(get.err()).contains("not found: nothing");
  }

  @Test
  void get_jsonShape() throws Exception {
    run("put", "k", "v");
    JsonNode found = run("get", "k", "--json").jsonLines().get(0);
    assertThat(found.get("key").asText()).isEqualTo("k");
    assertThat(found.get("found").asBoolean()).isTrue();
    assertThat(found.get("value").asText()).isEqualTo("v");
    assertThat(found.get("timestamp").asLong()).isEqualTo(START_MILLIS * 1_000);
    assertThat(found.get("expires_at_ms").asLong()).isZero();

    Run missing = run("get", "absent", "--json");
    assertThat(missing.exitCode()).isEqualTo(1);
    JsonNode absent = missing.jsonLines().get(0);
    assertThat(absent.get("found").asBoolean()).isFalse();
    assertThat(absent.has("value")).isFalse();
  }

  @Test
  void put_ttlSetsTheExpiry() throws Exception {
    Run put = run("put", "session", "token", "--ttl", "30", "--json");
    assertThat(put.exitCode()).isZero();
    JsonNode result = put.jsonLines().get(0);
    assertThat(result.get("applied").asBoolean()).isTrue();
    assertThat(result.get("expires_at_ms").asLong()).isEqualTo(START_MILLIS + 30_000);
    clock.advanceNanos(30_000_000_000L);
    assertThat(run("get", "session").exitCode()).isEqualTo(1);
  }

  @Test
  void put_valueFileCarriesBinaryBytesAndJsonShowsThemInBase64() throws Exception {
    byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28, '\n'};
    Path file = directory.resolve("value.bin");
    Files.write(file, binary);

    assertThat(run("put", "blob", "--value-file", file.toString()).exitCode()).isZero();
    JsonNode got = run("get", "blob", "--json").jsonLines().get(0);
    assertThat(got.has("value")).isFalse();
    assertThat(Base64.getDecoder().decode(got.get("value_base64").asText())).isEqualTo(binary);

    Run plain = run("get", "blob");
    assertThat(plain.exitCode()).isZero();
    assertThat(plain.out()).isEqualTo("\\x00\\xff\\xc3(\\n\n");
    assertThat(plain.err()).contains("not UTF-8");
  }

  @Test
  void put_dashReadsStandardInput() {
    InputStream original = System.in;
    try {
      System.setIn(new ByteArrayInputStream("from stdin".getBytes()));
      assertThat(run("put", "k", "--value-file", "-").exitCode()).isZero();
    } finally {
      System.setIn(original);
    }
    assertThat(run("get", "k").out()).isEqualTo("from stdin\n");
  }

  @Test
  void put_conditionThatDoesNotHoldExitsOne() throws Exception {
    assertThat(run("put", "k", "first", "--if-absent").exitCode()).isZero();
    Run second = run("put", "k", "second", "--if-absent", "--json");
    assertThat(second.exitCode()).isEqualTo(1);
    assertThat(second.jsonLines().get(0).get("applied").asBoolean()).isFalse();
    assertThat(second.err()).contains("already has a value");
    assertThat(run("get", "k").out()).isEqualTo("first\n");
    assertThat(run("put", "other", "v", "--if-present").exitCode()).isEqualTo(1);
  }

  @Test
  void put_valueAndValueFileTogetherIsAUsageError() {
    Run both = run("put", "k", "v", "--value-file", "-");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("exactly one of them");
    Run neither = run("put", "k");
    assertThat(neither.exitCode()).isEqualTo(2);
    Run conditions = run("put", "k", "v", "--if-absent", "--if-present");
    assertThat(conditions.exitCode()).isEqualTo(2);
  }

  @Test
  void del_saysWhetherThereWasAValue() throws Exception {
    run("put", "k", "v");
    Run first = run("del", "k");
    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).isEqualTo("deleted\n");
    Run again = run("del", "k", "--json");
    assertThat(again.exitCode()).isZero();
    JsonNode result = again.jsonLines().get(0);
    assertThat(result.get("key").asText()).isEqualTo("k");
    assertThat(result.get("existed").asBoolean()).isFalse();
    assertThat(run("get", "k").exitCode()).isEqualTo(1);
  }

  @Test
  void scan_plainListsEscapedKeyValueLines() {
    run("put", "a", "1");
    run("put", "b", "two\twords");
    Run scan = run("scan");
    assertThat(scan.exitCode()).isZero();
    assertThat(scan.out()).isEqualTo("a\t1\nb\ttwo\\twords\n");
    assertThat(scan.err()).isEmpty();
  }

  @Test
  void scan_jsonLimitAndCursorContinue() throws Exception {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      run("put", String.format("key-%02d", i), "v" + i);
      expected.add(String.format("key-%02d", i));
    }
    List<String> seen = new ArrayList<>();
    String cursor = "0";
    int rounds = 0;
    boolean complete = false;
    while (!complete) {
      Run scan = run("scan", "--json", "--limit", "10", "--page-size", "4", "--cursor", cursor);
      assertThat(scan.exitCode()).isZero();
      List<JsonNode> lines = scan.jsonLines();
      JsonNode last = lines.get(lines.size() - 1);
      for (JsonNode entry : lines.subList(0, lines.size() - 1)) {
        seen.add(entry.get("key").asText());
        assertThat(entry.get("value").asText()).startsWith("v");
      }
      cursor = last.get("cursor").asText();
      complete = last.get("complete").asBoolean();
      rounds++;
    }
    assertThat(rounds).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void scan_plainWithLimitTellsHowToContinue() {
    run("put", "a", "1");
    run("put", "b", "2");
    Run scan = run("scan", "--limit", "1");
    // Scans go in token order: either key may come first.
    assertThat(scan.out()).isIn("a\t1\n", "b\t2\n");
    assertThat(scan.err()).contains("continue with --cursor k");
  }

  @Test
  void unavailableNode_exitsThreeWithTheMessageOnStderr() throws Exception {
    String address = node.hostAndPort();
    node.stopServer();
    Run get = execute("get", "k", "--host", address);
    assertThat(get.exitCode()).isEqualTo(3);
    assertThat(get.out()).isEmpty();
    assertThat(get.err()).startsWith("ringkv get: ").contains(address);
  }

  @Test
  void repeatedHost_failsOverToTheNextNode() throws Exception {
    GrpcTestNode down = GrpcTestNode.start(directory.resolve("down"), clock);
    String downAddress = down.hostAndPort();
    down.close();
    run("put", "k", "v");
    Run get = execute("get", "k", "--host", downAddress, "--host", node.hostAndPort());
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("v\n");
  }

  @Test
  void oversizedKey_isAUsageErrorNamingTheLimit() {
    Run put = run("put", "k".repeat(1025), "v");
    assertThat(put.exitCode()).isEqualTo(2);
    assertThat(put.err()).contains("limits.key_bytes_max (1024)");
  }

  @Test
  void badOptions_areUsageErrors() {
    Run consistency = run("get", "k", "--consistency", "MOST");
    assertThat(consistency.exitCode()).isEqualTo(2);
    assertThat(consistency.err()).contains("unknown consistency level 'MOST'");

    Run any = run("get", "k", "--consistency", "any");
    assertThat(any.exitCode()).isEqualTo(2);
    assertThat(any.err()).contains("ANY is for writes only");

    Run host = execute("get", "k", "--host", "nohostport:x");
    assertThat(host.exitCode()).isEqualTo(2);
    assertThat(host.err()).contains("not host:port");

    Run timeout = run("get", "k", "--timeout", "soon");
    assertThat(timeout.exitCode()).isEqualTo(2);
    assertThat(timeout.err()).contains("'soon' is not a duration");

    Run ttl = run("put", "k", "v", "--ttl", "0");
    assertThat(ttl.exitCode()).isEqualTo(2);
  }

  @Test
  void help_documentsTheExitCodes() {
    Run help = execute("get", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--host=HOST:PORT")
        .contains("Exit codes:")
        .contains("not found");
  }

  @Test
  void consistency_reachesTheServiceOnEveryDataCommand() throws Exception {
    ScriptedService[] service = new ScriptedService[1];
    try (GrpcTestNode scripted =
        GrpcTestNode.start(
            directory.resolve("scripted"),
            clock,
            LimitsConfig.defaults(),
            real -> service[0] = new ScriptedService(real))) {
      String host = scripted.hostAndPort();

      assertThat(execute("put", "k", "v", "--consistency", "all", "--host", host).exitCode())
          .isZero();
      assertThat(execute("get", "k", "--consistency", "one", "--host", host).exitCode()).isZero();
      assertThat(execute("scan", "--consistency", "two", "--host", host).exitCode()).isZero();
      assertThat(execute("del", "k", "--consistency", "any", "--host", host).exitCode()).isZero();
      assertThat(execute("get", "k", "--host", host).exitCode()).isNotZero();

      assertThat(service[0].calls())
          .containsExactly(
              new ScriptedService.Call("write", ConsistencyLevel.ALL),
              new ScriptedService.Call("get", ConsistencyLevel.ONE),
              new ScriptedService.Call("scan", ConsistencyLevel.TWO),
              new ScriptedService.Call("delete", ConsistencyLevel.ANY),
              new ScriptedService.Call("get", null));
    }
  }

  @Test
  void unavailable_failsWithTheCoordinatorsReason() throws Exception {
    ScriptedService[] service = new ScriptedService[1];
    try (GrpcTestNode scripted =
        GrpcTestNode.start(
            directory.resolve("scripted"),
            clock,
            LimitsConfig.defaults(),
            real -> service[0] = new ScriptedService(real))) {
      service[0].failWith(KvException.Kind.UNAVAILABLE, "ALL needs 3 live replicas, 2 are");

      Run put = execute("put", "k", "v", "--consistency", "all", "--host", scripted.hostAndPort());

      assertThat(put.exitCode()).isEqualTo(3);
      assertThat(put.err()).startsWith("ringkv put: ").contains("ALL needs 3 live replicas, 2 are");
    }
  }

  @Test
  void consistencyAndTimeout_areAccepted() {
    assertThat(run("put", "k", "v", "--consistency", "any", "--timeout", "2s").exitCode()).isZero();
    assertThat(run("get", "k", "--consistency", "local-quorum", "--timeout", "1500ms").exitCode())
        .isZero();
  }
}
