package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.resps.CommandDocument;
import redis.clients.jedis.resps.CommandInfo;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The causal commands as a third-party Redis client (Jedis 5) sees them, in RESP2 and RESP3: the
 * reply types its typed methods expect (SADD and INCR integers, SMEMBERS a set, SISMEMBER a
 * boolean), ringkv's own commands through sendCommand, and COMMAND INFO / DOCS entries. The data
 * service is {@link ScriptedCausalService}.
 */
class RespCausalJedisTest {
  private static final ProtocolCommand KEYSPACE = () -> SafeEncoder.encode("KEYSPACE");
  private static final ProtocolCommand CGET = () -> SafeEncoder.encode("CGET");
  private static final ProtocolCommand CSET = () -> SafeEncoder.encode("CSET");
  private static final byte[] CONTEXT = {1, 2, 3};

  @TempDir Path directory;
  private RespFixture fixture;
  private ScriptedCausalService service;

  @BeforeEach
  void start() throws Exception {
    fixture =
        RespFixture.start(
            directory,
            real -> {
              service = new ScriptedCausalService(real);
              return service;
            });
    service.addKeyspace("carts", ConflictMode.CAUSAL);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private void scriptSet(String key, String... members) {
    service.answerRead(
        key,
        new CausalValue.Set(
            CONTEXT, java.util.Arrays.stream(members).map(RespCausalJedisTest::bytes).toList()));
  }

  private void scriptCounters(long... values) {
    for (long value : values) {
      service.answerWrite(
          new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, value), 0, false));
    }
  }

  private void scriptSetWrites(int... changed) {
    for (int count : changed) {
      service.answerWrite(
          new CausalWriteOutcome(new CausalValue.Set(CONTEXT, List.of()), count, false));
    }
  }

  private void setsAndCountersThrough(Jedis jedis) {
    assertThat(jedis.sendCommand(KEYSPACE, "carts")).isEqualTo(bytes("OK"));
    scriptSetWrites(2, 1);
    scriptSet("tags", "blue", "red");
    scriptCounters(1, 11, 10, 8);

    assertThat(jedis.sadd("tags", "red", "blue")).isEqualTo(2L);
    assertThat(jedis.srem("tags", "green", "red")).isEqualTo(1L);
    assertThat(jedis.smembers("tags")).containsExactlyInAnyOrder("blue", "red");
    assertThat(jedis.sismember("tags", "red")).isTrue();
    assertThat(jedis.sismember("tags", "green")).isFalse();
    assertThat(jedis.scard("tags")).isEqualTo(2L);
    assertThat(jedis.smembers("none")).isEmpty();
    assertThat(jedis.incr("hits")).isEqualTo(1L);
    assertThat(jedis.incrBy("hits", 10)).isEqualTo(11L);
    assertThat(jedis.decr("hits")).isEqualTo(10L);
    assertThat(jedis.decrBy("hits", 2)).isEqualTo(8L);

    assertThat(service.writes()).hasSize(6);
    assertThat(
            service.writes().stream()
                .map(ScriptedCausalService.ReceivedWrite::write)
                .filter(write -> write instanceof CausalWrite.Increment)
                .toList())
        .containsExactly(
            new CausalWrite.Increment(1),
            new CausalWrite.Increment(10),
            new CausalWrite.Increment(-1),
            new CausalWrite.Increment(-2));
    assertThat(service.writes())
        .allSatisfy(write -> assertThat(write.options().keyspace()).isEqualTo("carts"));
  }

  @Test
  void setsAndCounters_replyTypesJedisExpects_resp2() {
    try (Jedis jedis = fixture.jedis()) {
      setsAndCountersThrough(jedis);
    }
  }

  @Test
  void setsAndCounters_replyTypesJedisExpects_resp3() {
    try (Jedis jedis = fixture.jedisResp3()) {
      setsAndCountersThrough(jedis);
    }
  }

  @Test
  void wrongType_isJedisDataExceptionWithRedisText() {
    service.answerRead(
        "name",
        new CausalValue.Register(new byte[0], List.of(new CausalValue.Sibling(bytes("plain"), 1))));
    try (Jedis jedis = fixture.jedis()) {
      assertThatThrownBy(() -> jedis.smembers("name"))
          .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
      assertThat(jedis.type("name")).isEqualTo("string");
    }
  }

  @Test
  void cgetAndCset_throughSendCommand() {
    service.answerRead(
        "k",
        new CausalValue.Register(
            CONTEXT,
            List.of(
                new CausalValue.Sibling(bytes("b"), 2), new CausalValue.Sibling(bytes("a"), 1))));
    service.answerWrite(
        new CausalWriteOutcome(
            new CausalValue.Register(
                new byte[] {9}, List.of(new CausalValue.Sibling(bytes("ab"), 3))),
            0,
            false));
    try (Jedis jedis = fixture.jedis()) {
      List<?> siblings = (List<?>) jedis.sendCommand(CGET, "k");
      assertThat(siblings).hasSize(3);
      String context = SafeEncoder.encode((byte[]) siblings.getFirst());
      assertThat(context).isEqualTo("AQID");

      assertThat(SafeEncoder.encode((byte[]) jedis.sendCommand(CSET, "k", context, "ab")))
          .isEqualTo("CQ");
    }
    assertThat(((CausalWrite.Put) service.writes().getFirst().write()).context())
        .isEqualTo(CONTEXT);
  }

  @Test
  void commandInfoAndDocs_describeTheNewCommands() {
    try (Jedis jedis = fixture.jedis()) {
      Map<String, CommandInfo> info =
          jedis.commandInfo(
              "incr", "incrby", "sadd", "smembers", "sismember", "cget", "cset", "keyspace");
      assertThat(info.get("incr").getArity()).isEqualTo(-2);
      assertThat(info.get("incr").getFlags()).contains("write", "denyoom", "fast");
      assertThat(info.get("incrby").getArity()).isEqualTo(-3);
      assertThat(info.get("sadd").getArity()).isEqualTo(-3);
      assertThat(info.get("sadd").getFirstKey()).isEqualTo(1);
      assertThat(info.get("sadd").getLastKey()).isEqualTo(1);
      assertThat(info.get("sadd").getStep()).isEqualTo(1);
      assertThat(info.get("smembers").getFlags()).contains("readonly");
      assertThat(info.get("sismember").getArity()).isEqualTo(3);
      assertThat(info.get("cget").getFlags()).contains("readonly");
      assertThat(info.get("cset").getArity()).isEqualTo(4);
      assertThat(info.get("cset").getFlags()).contains("write");
      assertThat(info.get("keyspace").getFirstKey()).isZero();

      Map<String, CommandDocument> docs = jedis.commandDocs("incr", "sadd", "cget", "keyspace");
      assertThat(docs.get("incr").getGroup()).isEqualTo("string");
      assertThat(docs.get("sadd").getGroup()).isEqualTo("set");
      assertThat(docs.get("cget").getSummary()).contains("causal context");
      assertThat(docs.get("keyspace").getGroup()).isEqualTo("connection");
    }
  }
}
