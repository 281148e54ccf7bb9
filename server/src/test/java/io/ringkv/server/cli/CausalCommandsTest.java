package io.ringkv.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.ManualClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.grpc.GrpcTestNode;
import io.ringkv.server.grpc.RecordingCausalService;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ringkv get|put|del|scan --keyspace}, {@code get --siblings}, {@code incr} and {@code
 * ringkv keyspace list|create|drop}, run in-process against a node whose service is a {@link
 * RecordingCausalService}: what reaches the service, and what the commands print.
 */
class CausalCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] CONTEXT =
      CausalCodec.encodeContext(VersionVector.of(Map.of(Actor.of("n1", 1), 3L)));
  private static final String CONTEXT_TEXT =
      Base64.getUrlEncoder().withoutPadding().encodeToString(CONTEXT);

  @TempDir Path directory;

  private RecordingCausalService service;
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
    node =
        GrpcTestNode.start(
            directory,
            new ManualClock(0, 1_700_000_000_000L),
            LimitsConfig.defaults(),
            local -> {
              service =
                  new RecordingCausalService(local)
                      .withKeyspace("shop", ConflictMode.CAUSAL)
                      .withKeyspace("cache", ConflictMode.LWW);
              return service;
            });
  }

  @AfterEach
  void stopNode() throws Exception {
    node.close();
  }

  private Run run(String... args) {
    List<String> withHost = new ArrayList<>(List.of(args));
    withHost.add("--host");
    withHost.add(node.hostAndPort());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new RingkvCli());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(withHost.toArray(String[]::new));
    return new Run(exitCode, out.toString(), err.toString());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private void answerTwoSiblings() {
    service.answerRead(
        new CausalValue.Register(
            CONTEXT,
            List.of(
                new CausalValue.Sibling(utf8("blue"), 20),
                new CausalValue.Sibling(null, 15),
                new CausalValue.Sibling(utf8("red"), 10))));
  }

  @Test
  void get_printsTheNewestAndSaysThereAreSiblings() {
    answerTwoSiblings();

    Run get = run("get", "colour", "--keyspace", "shop");

    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("blue\n");
    assertThat(get.err()).contains("3 concurrent values: showing the newest; --siblings");
    assertThat(service.lastCall().keyspace()).isEqualTo("shop");
  }

  @Test
  void getSiblings_printsEveryValueAndDeletes() {
    answerTwoSiblings();

    Run get = run("get", "colour", "--keyspace", "shop", "--siblings");

    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("blue\n(deleted)\nred\n");
  }

  @Test
  void getJson_carriesTheContextAndTheSiblings() throws Exception {
    answerTwoSiblings();

    JsonNode object = run("get", "colour", "--keyspace", "shop", "--json").jsonLines().get(0);

    assertThat(object.get("value").asText()).isEqualTo("blue");
    assertThat(object.get("context").asText()).isEqualTo(CONTEXT_TEXT);
    assertThat(object.get("siblings")).hasSize(3);
    assertThat(object.get("siblings").get(1).get("deleted").asBoolean()).isTrue();
    assertThat(object.get("siblings").get(2).get("value").asText()).isEqualTo("red");
    assertThat(object.get("siblings").get(2).get("timestamp").asLong()).isEqualTo(10);
  }

  @Test
  void putWithContext_sendsTheContextAndTheIdempotencyKey() throws Exception {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(utf8("green"), 30))),
            0,
            false));

    Run put =
        run(
            "put",
            "colour",
            "green",
            "--keyspace",
            "shop",
            "--context",
            CONTEXT_TEXT,
            "--idempotency-key",
            "fix-1",
            "--json");

    assertThat(put.exitCode()).as(put.err()).isZero();
    JsonNode object = put.jsonLines().get(0);
    assertThat(object.get("applied").asBoolean()).isTrue();
    assertThat(object.get("context").asText()).isEqualTo(CONTEXT_TEXT);
    RecordingCausalService.Call call = service.lastCall();
    assertThat(((CausalWrite.Put) call.write()).context()).isEqualTo(CONTEXT);
    assertThat(call.writeOptions().idempotencyKey()).isEqualTo(utf8("fix-1"));
  }

  @Test
  void put_badContextOrIdempotencyKeyIsAUsageError() {
    Run badContext = run("put", "k", "v", "--keyspace", "shop", "--context", "not base64!");
    Run longKey = run("put", "k", "v", "--idempotency-key", "k".repeat(65));

    assertThat(badContext.exitCode()).isEqualTo(2);
    assertThat(badContext.err()).contains("is not a context");
    assertThat(longKey.exitCode()).isEqualTo(2);
    assertThat(longKey.err()).contains("--idempotency-key must be 1 to 64 bytes");
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void delWithContext_writesATombstoneWithoutReading() {
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(CONTEXT, List.of(new CausalValue.Sibling(null, 40))),
            0,
            false));

    Run del = run("del", "colour", "--keyspace", "shop", "--context", CONTEXT_TEXT);

    assertThat(del.exitCode()).as(del.err()).isZero();
    assertThat(del.out()).isEqualTo("deleted\n");
    assertThat(((CausalWrite.Delete) service.lastCall().write()).context()).isEqualTo(CONTEXT);
  }

  @Test
  void dataCommands_passTheirKeyspace() {
    run("put", "k", "v", "--keyspace", "cache");
    run("del", "k", "--keyspace", "cache");
    run("get", "k", "--keyspace", "cache");
    run("scan", "--keyspace", "cache");

    assertThat(service.calls())
        .extracting(RecordingCausalService.Call::operation, RecordingCausalService.Call::keyspace)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("write", "cache"),
            org.assertj.core.groups.Tuple.tuple("write", "cache"),
            org.assertj.core.groups.Tuple.tuple("get", "cache"),
            org.assertj.core.groups.Tuple.tuple("scan", "cache"));
  }

  @Test
  void incr_addsByAndPrintsTheValue() throws Exception {
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 12), 0, false));
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 7), 0, true));

    Run plain = run("incr", "visits", "--keyspace", "shop");
    Run json =
        run("incr", "visits", "-5", "--keyspace", "shop", "--idempotency-key", "x", "--json");

    assertThat(plain.out()).isEqualTo("12\n");
    JsonNode object = json.jsonLines().get(0);
    assertThat(object.get("value").asLong()).isEqualTo(7);
    assertThat(object.get("duplicate").asBoolean()).isTrue();
    List<RecordingCausalService.Call> calls = service.calls();
    assertThat(((CausalWrite.Increment) calls.get(0).write()).delta()).isEqualTo(1);
    assertThat(((CausalWrite.Increment) calls.get(1).write()).delta()).isEqualTo(-5);
    assertThat(calls.get(1).writeOptions().idempotencyKey()).isEqualTo(utf8("x"));
  }

  @Test
  void incr_refusalsAreUsageErrorsWithTheNodesMessage() {
    service.failNext(
        new KvException(
            KvException.Kind.WRONG_TYPE,
            "WRONGTYPE Operation against a key holding the wrong kind of value"));
    service.failNext(new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace nope"));

    Run wrongType = run("incr", "colour", "--keyspace", "shop");
    Run missing = run("incr", "colour", "--keyspace", "shop");
    Run notANumber = run("incr", "colour", "many");

    assertThat(wrongType.exitCode()).isEqualTo(2);
    assertThat(wrongType.err()).contains("WRONGTYPE");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no keyspace nope");
    assertThat(notANumber.exitCode()).isEqualTo(2);
  }

  @Test
  void keyspaceList_printsATableOrJsonLines() throws Exception {
    Run table = run("keyspace", "list");
    Run json = run("keyspace", "list", "--json");

    assertThat(table.exitCode()).isZero();
    assertThat(table.out().split("\n"))
        .containsExactly(
            "NAME     REPLICATION  READ    WRITE   CONFLICTS  SLOPPY",
            "cache    rf=3         QUORUM  QUORUM  lww        no",
            "default  rf=1         ONE     ONE     lww        no",
            "shop     rf=3         QUORUM  QUORUM  causal     no");
    List<JsonNode> lines = json.jsonLines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2).get("name").asText()).isEqualTo("shop");
    assertThat(lines.get(2).get("replication_factor").asInt()).isEqualTo(3);
    assertThat(lines.get(2).get("conflicts").asText()).isEqualTo("causal");
  }

  @Test
  void keyspaceCreate_sendsTheDefinition() throws Exception {
    Run simple =
        run(
            "keyspace",
            "create",
            "carts",
            "--replication-factor",
            "2",
            "--conflicts",
            "lww",
            "--read-level",
            "one",
            "--write-level",
            "ALL");
    Run topology =
        run(
            "keyspace",
            "create",
            "geo",
            "--datacenter",
            "eu=3",
            "--datacenter",
            "us=2",
            "--sloppy-quorum",
            "--json");

    assertThat(simple.exitCode()).isZero();
    assertThat(simple.out()).isEqualTo("OK carts rf=2\n");
    List<RecordingCausalService.Call> calls = service.calls();
    Keyspace carts = (Keyspace) calls.get(0).write();
    assertThat(carts)
        .isEqualTo(
            new Keyspace(
                "carts",
                new SimpleStrategy(2),
                ConsistencyLevel.ONE,
                ConsistencyLevel.ALL,
                false,
                ConflictMode.LWW));
    Keyspace geo = (Keyspace) calls.get(1).write();
    assertThat(geo.replication()).isEqualTo(NetworkTopologyStrategy.of(Map.of("eu", 3, "us", 2)));
    assertThat(geo.sloppyQuorum()).isTrue();
    assertThat(geo.causal()).isTrue();
    JsonNode object = topology.jsonLines().get(0);
    assertThat(object.get("datacenters").get("eu").asInt()).isEqualTo(3);
    assertThat(object.get("conflicts").asText()).isEqualTo("causal");
  }

  @Test
  void keyspaceCreate_badOptionsAreUsageErrors() {
    Run both = run("keyspace", "create", "k", "--replication-factor", "2", "--datacenter", "eu=1");
    Run mode = run("keyspace", "create", "k", "--conflicts", "maybe");
    Run zero = run("keyspace", "create", "k", "--replication-factor", "0");
    Run badName = run("keyspace", "create", "Bad-Name");

    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("not both");
    assertThat(mode.exitCode()).isEqualTo(2);
    assertThat(mode.err()).contains("choose causal or lww");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(badName.exitCode()).isEqualTo(2);
    assertThat(badName.err()).contains("keyspace 'Bad-Name'");
  }

  @Test
  void keyspaceDrop_dropsAndRefusesDefault() {
    Run dropped = run("keyspace", "drop", "cache");
    Run builtIn = run("keyspace", "drop", "default");
    Run again = run("keyspace", "drop", "cache");

    assertThat(dropped.exitCode()).isZero();
    assertThat(dropped.out()).isEqualTo("dropped cache\n");
    assertThat(builtIn.exitCode()).isEqualTo(2);
    assertThat(builtIn.err()).contains("cannot be dropped");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("no keyspace cache");
  }

  @Test
  void keyspace_withoutASubcommandIsAUsageError() {
    assertThat(run("keyspace").exitCode()).isEqualTo(2);
  }
}
