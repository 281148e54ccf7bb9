package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.testing.ScriptedService;
import io.ringkv.server.testing.ScriptedService.Call;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.CommandDocument;
import redis.clients.jedis.util.SafeEncoder;

/**
 * CONSISTENCY, the per-connection consistency levels, as a Redis client library (Jedis) sees them:
 * what the command shows and refuses, that every command of the connection carries its levels to
 * the data service, and how the service's UNAVAILABLE and TIMEOUT failures read.
 */
class RespConsistencyTest {
  private static final ProtocolCommand CONSISTENCY = () -> SafeEncoder.encode("CONSISTENCY");

  @TempDir Path directory;
  private RespFixture fixture;
  private ScriptedService service;
  private Jedis jedis;

  @BeforeEach
  void start() throws Exception {
    fixture =
        RespFixture.start(
            directory,
            real -> {
              service = new ScriptedService(real);
              return service;
            });
    jedis = fixture.jedis();
  }

  @AfterEach
  void stop() throws Exception {
    jedis.close();
    fixture.close();
  }

  private Object consistency(String... arguments) {
    return decode(jedis.sendCommand(CONSISTENCY, arguments));
  }

  private static Object decode(Object reply) {
    if (reply instanceof byte[] bytes) {
      return SafeEncoder.encode(bytes);
    }
    if (reply instanceof List<?> list) {
      return list.stream().map(RespConsistencyTest::decode).toList();
    }
    return reply;
  }

  @Test
  void consistency_showsDefaultUntilSet() {
    assertThat(consistency()).isEqualTo(List.of("read", "DEFAULT", "write", "DEFAULT"));
  }

  @Test
  void consistency_level_setsReadsAndWrites() {
    assertThat(consistency("quorum")).isEqualTo("OK");

    assertThat(consistency()).isEqualTo(List.of("read", "QUORUM", "write", "QUORUM"));
  }

  @Test
  void consistency_readAndWrite_setOneEach() {
    assertThat(consistency("READ", "one")).isEqualTo("OK");
    assertThat(consistency("write", "local-quorum")).isEqualTo("OK");
    assertThat(consistency()).isEqualTo(List.of("read", "ONE", "write", "LOCAL_QUORUM"));

    assertThat(consistency("WRITE", "ANY")).isEqualTo("OK");
    assertThat(consistency("READ", "default")).isEqualTo("OK");
    assertThat(consistency()).isEqualTo(List.of("read", "DEFAULT", "write", "ANY"));
  }

  @Test
  void consistency_default_goesBackToTheKeyspaceDefaults() {
    consistency("READ", "ALL");
    consistency("WRITE", "ONE");

    assertThat(consistency("DEFAULT")).isEqualTo("OK");

    assertThat(consistency()).isEqualTo(List.of("read", "DEFAULT", "write", "DEFAULT"));
  }

  @Test
  void consistency_isPerConnection() throws Exception {
    consistency("TWO");
    try (Jedis other = fixture.jedis()) {
      assertThat(decode(other.sendCommand(CONSISTENCY)))
          .isEqualTo(List.of("read", "DEFAULT", "write", "DEFAULT"));
      service.clearCalls();
      other.get("k");
    }
    jedis.get("k");

    assertThat(service.calls())
        .containsExactly(new Call("get", null), new Call("get", ConsistencyLevel.TWO));
  }

  @Test
  void consistency_unknownLevel_namesTheAllowedLevels() {
    assertThatThrownBy(() -> consistency("MOST"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage(
            "ERR unknown consistency level 'MOST'; allowed: ONE, TWO, THREE, QUORUM, ALL,"
                + " LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, ANY, or DEFAULT");
    assertThatThrownBy(() -> consistency("WRITE", "SOME"))
        .hasMessageStartingWith("ERR unknown consistency level 'SOME'; allowed: ONE,");
    assertThat(consistency()).isEqualTo(List.of("read", "DEFAULT", "write", "DEFAULT"));
  }

  @Test
  void consistency_anyForReads_isRefused() {
    assertThatThrownBy(() -> consistency("READ", "any"))
        .hasMessage(
            "ERR consistency level ANY is for writes only; reads allow ONE, TWO, THREE, QUORUM,"
                + " ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM");
    assertThatThrownBy(() -> consistency("ANY"))
        .hasMessage(
            "ERR consistency level ANY is for writes only and CONSISTENCY <level> sets reads too;"
                + " use CONSISTENCY WRITE ANY");
    assertThat(consistency()).isEqualTo(List.of("read", "DEFAULT", "write", "DEFAULT"));
  }

  @Test
  void consistency_badShape_isASyntaxErrorWithTheUsage() {
    String usage = "ERR syntax error; usage: CONSISTENCY [[READ | WRITE] <level> | DEFAULT]";
    assertThatThrownBy(() -> consistency("BOTH", "ONE")).hasMessage(usage);
    assertThatThrownBy(() -> consistency("READ", "ONE", "WRITE")).hasMessage(usage);
  }

  @Test
  void levels_reachTheServiceOnEveryCommand() {
    consistency("READ", "ONE");
    consistency("WRITE", "ALL");
    jedis.set("k", "v");
    service.clearCalls();

    jedis.get("k");
    jedis.mget("k", "j");
    jedis.exists("k");
    jedis.ttl("k");
    jedis.scan(ScanParams.SCAN_POINTER_START);
    jedis.set("k", "w");
    jedis.setnx("n", "1");
    jedis.mset("a", "1", "b", "2");
    jedis.expire("k", 100);
    jedis.expire("k", 200, ExpiryOption.GT);
    jedis.persist("k");
    jedis.getDel("a");
    jedis.del("b");

    List<Call> calls = service.calls();
    assertThat(calls).hasSizeGreaterThan(14);
    for (Call call : calls) {
      ConsistencyLevel expected =
          switch (call.operation()) {
            case "get", "multi_get", "scan" -> ConsistencyLevel.ONE;
            default -> ConsistencyLevel.ALL;
          };
      assertThat(call.consistency()).as(call.toString()).isEqualTo(expected);
    }
    assertThat(calls).extracting(Call::operation).contains("get", "multi_get", "scan", "write");
  }

  @Test
  void levels_showInClientList() {
    consistency("READ", "LOCAL_ONE");

    assertThat(jedis.clientInfo())
        .contains(" read-consistency=LOCAL_ONE write-consistency=DEFAULT");
  }

  @Test
  void unavailable_isAnUnavailableError() {
    service.failWith(
        KvException.Kind.UNAVAILABLE,
        "QUORUM needs 2 of 3 replicas alive, 1 is (node-2, node-3 down)");

    assertThatThrownBy(() -> jedis.get("k"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("UNAVAILABLE QUORUM needs 2 of 3 replicas alive, 1 is (node-2, node-3 down)");
    assertThatThrownBy(() -> jedis.set("k", "v"))
        .hasMessage("UNAVAILABLE QUORUM needs 2 of 3 replicas alive, 1 is (node-2, node-3 down)");
  }

  @Test
  void timeout_ofAWrite_saysItMayHaveApplied() {
    service.failWith(KvException.Kind.TIMEOUT, "1 of 2 acknowledgements in 2000 ms");

    assertThatThrownBy(() -> jedis.set("k", "v"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage(
            "TIMEOUT 1 of 2 acknowledgements in 2000 ms; the write may or may not have been"
                + " applied");
    assertThatThrownBy(() -> jedis.del("k"))
        .hasMessageEndingWith("; the write may or may not have been applied");
  }

  @Test
  void timeout_ofARead_isATimeoutError() {
    service.failWith(KvException.Kind.TIMEOUT, "1 of 2 answers in 2000 ms");

    assertThatThrownBy(() -> jedis.get("k")).hasMessage("TIMEOUT 1 of 2 answers in 2000 ms");
  }

  @Test
  void failures_leaveTheConnectionUsable() {
    service.failWith(KvException.Kind.UNAVAILABLE, "no replica alive");
    assertThatThrownBy(() -> jedis.get("k")).hasMessageStartingWith("UNAVAILABLE ");

    service.failWith(null, null);

    assertThat(jedis.set("k", "v")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("v");
  }

  @Test
  void consistency_inResp3_isAMap() throws Exception {
    try (RawRespClient raw = fixture.raw()) {
      raw.call("HELLO", "3");
      raw.call("CONSISTENCY", "WRITE", "TWO");

      Object reply = raw.call("CONSISTENCY");

      assertThat(reply).isInstanceOf(Map.class);
      Map<?, ?> map = (Map<?, ?>) reply;
      assertThat(map).hasSize(2);
      assertThat(map.entrySet())
          .extracting(e -> decode(e.getKey()) + "=" + decode(e.getValue()))
          .containsExactly("read=DEFAULT", "write=TWO");
    }
  }

  @Test
  void command_listsAndDocumentsConsistency() {
    assertThat(jedis.commandList()).contains("consistency");
    assertThat(jedis.commandInfo("consistency").get("consistency").getArity()).isEqualTo(-1);
    CommandDocument doc = jedis.commandDocs("consistency").get("consistency");
    assertThat(doc.getSummary()).startsWith("Shows or sets the consistency levels");
  }
}
