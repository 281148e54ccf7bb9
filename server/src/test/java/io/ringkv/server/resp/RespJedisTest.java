package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.CommandDocument;
import redis.clients.jedis.resps.CommandInfo;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/** The front end as a third-party client (Jedis 5) sees it, over a real engine. */
class RespJedisTest {
  @TempDir Path directory;
  private RespFixture fixture;
  private Jedis jedis;

  @BeforeEach
  void start() throws Exception {
    fixture = RespFixture.start(directory);
    jedis = fixture.jedis();
  }

  @AfterEach
  void stop() throws Exception {
    jedis.close();
    fixture.close();
  }

  @Test
  void ping_andEcho() {
    assertThat(jedis.ping()).isEqualTo("PONG");
    assertThat(jedis.ping("hello")).isEqualTo("hello");
    assertThat(jedis.echo("again")).isEqualTo("again");
  }

  @Test
  void set_thenGet() {
    assertThat(jedis.set("k", "v")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("v");
    assertThat(jedis.get("missing")).isNull();
    assertThat(jedis.set("k", "w")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("w");
  }

  @Test
  void set_conditionsMatrix() {
    assertThat(jedis.set("k", "1", SetParams.setParams().xx())).isNull();
    assertThat(jedis.get("k")).isNull();
    assertThat(jedis.set("k", "1", SetParams.setParams().nx())).isEqualTo("OK");
    assertThat(jedis.set("k", "2", SetParams.setParams().nx())).isNull();
    assertThat(jedis.get("k")).isEqualTo("1");
    assertThat(jedis.set("k", "3", SetParams.setParams().xx())).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("3");
  }

  @Test
  void set_getOptionReturnsThePreviousValue() {
    assertThat(jedis.setGet("k", "1")).isNull();
    assertThat(jedis.setGet("k", "2")).isEqualTo("1");
    // NX with GET: not written, but the present value is returned.
    assertThat(jedis.setGet("k", "3", SetParams.setParams().nx())).isEqualTo("2");
    assertThat(jedis.get("k")).isEqualTo("2");
    assertThat(jedis.setGet("absent", "x", SetParams.setParams().xx())).isNull();
    assertThat(jedis.exists("absent")).isFalse();
  }

  @Test
  void set_expiryOptions() {
    long now = RespFixture.START_EPOCH_MILLIS;
    jedis.set("ex", "v", SetParams.setParams().ex(10));
    assertThat(jedis.pttl("ex")).isEqualTo(10_000);
    jedis.set("px", "v", SetParams.setParams().px(1_500));
    assertThat(jedis.pttl("px")).isEqualTo(1_500);
    jedis.set("exat", "v", SetParams.setParams().exAt(now / 1000 + 20));
    assertThat(jedis.pttl("exat")).isEqualTo(20_000);
    jedis.set("pxat", "v", SetParams.setParams().pxAt(now + 2_500));
    assertThat(jedis.pttl("pxat")).isEqualTo(2_500);
    jedis.set("ex", "w", SetParams.setParams().keepTtl());
    assertThat(jedis.get("ex")).isEqualTo("w");
    assertThat(jedis.pttl("ex")).isEqualTo(10_000);
    jedis.set("ex", "x");
    assertThat(jedis.ttl("ex")).isEqualTo(-1);
  }

  @Test
  void set_badOptionCombinationsAreSyntaxErrors() {
    for (String[] arguments :
        List.of(
            new String[] {"k", "v", "NX", "XX"},
            new String[] {"k", "v", "EX", "10", "PX", "100"},
            new String[] {"k", "v", "KEEPTTL", "EX", "10"},
            new String[] {"k", "v", "EX"},
            new String[] {"k", "v", "BOGUS"})) {
      assertThatThrownBy(
              () -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.SET, arguments))
          .isInstanceOf(JedisDataException.class)
          .hasMessage("ERR syntax error");
    }
    assertThatThrownBy(() -> jedis.set("k", "v", SetParams.setParams().ex(0)))
        .hasMessage("ERR invalid expire time in 'set' command");
    assertThatThrownBy(
            () -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.SET, "k", "v", "EX", "x"))
        .hasMessage("ERR value is not an integer or out of range");
    assertThat(jedis.exists("k")).isFalse();
  }

  @Test
  void getDel_returnsAndDeletes() {
    jedis.set("k", "v");
    assertThat(jedis.getDel("k")).isEqualTo("v");
    assertThat(jedis.get("k")).isNull();
    assertThat(jedis.getDel("k")).isNull();
  }

  @Test
  void getEx_changesTheExpiry() {
    jedis.set("k", "v");
    assertThat(jedis.getEx("k", GetExParams.getExParams().ex(5))).isEqualTo("v");
    assertThat(jedis.pttl("k")).isEqualTo(5_000);
    assertThat(jedis.getEx("k", GetExParams.getExParams().px(700))).isEqualTo("v");
    assertThat(jedis.pttl("k")).isEqualTo(700);
    assertThat(jedis.getEx("k", GetExParams.getExParams().persist())).isEqualTo("v");
    assertThat(jedis.pttl("k")).isEqualTo(-1);
    assertThat(jedis.getEx("k", GetExParams.getExParams())).isEqualTo("v");
    assertThat(jedis.getEx("absent", GetExParams.getExParams().ex(5))).isNull();
    assertThat(jedis.exists("absent")).isFalse();
  }

  @Test
  void setEx_pSetEx_setNx() {
    assertThat(jedis.setex("a", 3, "v")).isEqualTo("OK");
    assertThat(jedis.ttl("a")).isEqualTo(3);
    assertThat(jedis.psetex("b", 250, "v")).isEqualTo("OK");
    assertThat(jedis.pttl("b")).isEqualTo(250);
    assertThatThrownBy(() -> jedis.setex("c", 0, "v"))
        .hasMessage("ERR invalid expire time in 'setex' command");
    assertThat(jedis.setnx("n", "1")).isEqualTo(1);
    assertThat(jedis.setnx("n", "2")).isEqualTo(0);
    assertThat(jedis.get("n")).isEqualTo("1");
  }

  @Test
  void mset_thenMget() {
    assertThat(jedis.mset("a", "1", "b", "2", "a", "3")).isEqualTo("OK");
    assertThat(jedis.mget("a", "b", "c", "a")).containsExactly("3", "2", null, "3");
    assertThatThrownBy(
            () -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.MSET, "a", "1", "b"))
        .hasMessage("ERR wrong number of arguments for 'mset' command");
  }

  @Test
  void del_andExists_countKeys() {
    jedis.mset("a", "1", "b", "2");
    assertThat(jedis.exists("a", "b", "c", "a")).isEqualTo(3);
    assertThat(jedis.del("a", "c", "a")).isEqualTo(1);
    assertThat(jedis.unlink("b", "b")).isEqualTo(1);
    assertThat(jedis.exists("a", "b")).isEqualTo(0);
  }

  @Test
  void ttl_followsTheManualClock() {
    jedis.set("k", "v");
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    assertThat(jedis.pttl("missing")).isEqualTo(-2);
    assertThat(jedis.ttl("missing")).isEqualTo(-2);
    assertThat(jedis.expire("k", 10)).isEqualTo(1);
    fixture.clock.advanceNanos(4_000_000_000L);
    assertThat(jedis.ttl("k")).isEqualTo(6);
    assertThat(jedis.pttl("k")).isEqualTo(6_000);
    fixture.clock.advanceNanos(6_000_000_000L);
    assertThat(jedis.get("k")).isNull();
    assertThat(jedis.ttl("k")).isEqualTo(-2);
    assertThat(jedis.expire("k", 10)).isEqualTo(0);
  }

  @Test
  void expire_familyAndOptions() {
    long nowMillis = fixture.clock.epochMillis();
    jedis.set("k", "v");
    assertThat(jedis.expire("k", 100, ExpiryOption.XX)).isEqualTo(0);
    assertThat(jedis.expire("k", 100, ExpiryOption.NX)).isEqualTo(1);
    assertThat(jedis.expire("k", 200, ExpiryOption.NX)).isEqualTo(0);
    assertThat(jedis.expire("k", 50, ExpiryOption.GT)).isEqualTo(0);
    assertThat(jedis.expire("k", 150, ExpiryOption.GT)).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(150);
    assertThat(jedis.expire("k", 200, ExpiryOption.LT)).isEqualTo(0);
    assertThat(jedis.pexpire("k", 20_000, ExpiryOption.LT)).isEqualTo(1);
    assertThat(jedis.pttl("k")).isEqualTo(20_000);
    assertThat(jedis.expireAt("k", nowMillis / 1000 + 30)).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(30);
    assertThat(jedis.pexpireAt("k", nowMillis + 40_000)).isEqualTo(1);
    assertThat(jedis.pttl("k")).isEqualTo(40_000);
    assertThat(jedis.persist("k")).isEqualTo(1);
    assertThat(jedis.persist("k")).isEqualTo(0);
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    // Without expiry, GT never holds (no expiry is infinitely late) and LT always does.
    assertThat(jedis.expire("k", 10, ExpiryOption.GT)).isEqualTo(0);
    assertThat(jedis.expire("k", 10, ExpiryOption.LT)).isEqualTo(1);
    // A time in the past deletes, and counts as set.
    assertThat(jedis.expire("k", -1)).isEqualTo(1);
    assertThat(jedis.exists("k")).isFalse();
    jedis.set("k", "v");
    assertThat(jedis.expireAt("k", 0)).isEqualTo(1);
    assertThat(jedis.exists("k")).isFalse();
  }

  @Test
  void expire_incompatibleOptionsAreRefused() {
    jedis.set("k", "v");
    assertThatThrownBy(
            () ->
                jedis.sendCommand(
                    redis.clients.jedis.Protocol.Command.EXPIRE, "k", "10", "NX", "XX"))
        .hasMessage("ERR NX and XX, GT or LT options at the same time are not compatible");
    assertThatThrownBy(
            () ->
                jedis.sendCommand(
                    redis.clients.jedis.Protocol.Command.EXPIRE, "k", "10", "GT", "LT"))
        .hasMessage("ERR GT and LT options at the same time are not compatible");
    assertThatThrownBy(
            () -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.EXPIRE, "k", "10", "ZZ"))
        .hasMessage("ERR Unsupported option ZZ");
    assertThat(jedis.ttl("k")).isEqualTo(-1);
  }

  @Test
  void type_isStringOrNone() {
    jedis.set("k", "v");
    assertThat(jedis.type("k")).isEqualTo("string");
    assertThat(jedis.type("missing")).isEqualTo("none");
  }

  @Test
  void pipeline_thousandCommandsReplyInOrder() {
    Pipeline pipeline = jedis.pipelined();
    List<Response<String>> gets = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      pipeline.set("key:" + i, "value:" + i);
      gets.add(pipeline.get("key:" + i));
    }
    pipeline.sync();
    for (int i = 0; i < 500; i++) {
      assertThat(gets.get(i).get()).isEqualTo("value:" + i);
    }
  }

  @Test
  void resp3_handshakeAndNullsAndMaps() {
    try (Jedis resp3 = fixture.jedisResp3()) {
      assertThat(resp3.set("k", "v")).isEqualTo("OK");
      assertThat(resp3.get("k")).isEqualTo("v");
      assertThat(resp3.get("missing")).isNull();
      assertThat(resp3.set("k", "w", SetParams.setParams().nx())).isNull();
      assertThat(resp3.mget("k", "missing")).containsExactly("v", null);
      assertThat(resp3.configGet("appendonly")).containsEntry("appendonly", "yes");
      assertThat(resp3.clientInfo()).contains("resp=3");
      ScanResult<String> page = resp3.scan(ScanParams.SCAN_POINTER_START);
      assertThat(page.getResult()).containsExactly("k");
    }
  }

  @Test
  void scan_visitsEveryKeyExactlyOnce() {
    Pipeline pipeline = jedis.pipelined();
    Set<String> all = new HashSet<>();
    for (int i = 0; i < 5_000; i++) {
      String key = (i % 2 == 0 ? "even:" : "odd:") + i;
      all.add(key);
      pipeline.set(key, "v");
    }
    pipeline.sync();
    assertThat(scanAll(new ScanParams().count(137)))
        .hasSize(5_000)
        .containsExactlyInAnyOrderElementsOf(all);
    List<String> odd = scanAll(new ScanParams().count(500).match("odd:*"));
    assertThat(odd).hasSize(2_500).allMatch(key -> key.startsWith("odd:"));
    assertThat(new HashSet<>(odd)).hasSize(2_500);
    assertThat(scanAll(new ScanParams().match("even:1?")))
        .containsExactlyInAnyOrder("even:10", "even:12", "even:14", "even:16", "even:18");
    assertThat(jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams(), "hash").getResult())
        .isEmpty();
  }

  private List<String> scanAll(ScanParams params) {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    int pages = 0;
    do {
      ScanResult<String> page = jedis.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursor();
      assertThat(++pages).as("pages").isLessThan(10_000);
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  @Test
  void scan_invalidCursorIsRefused() {
    assertThatThrownBy(() -> jedis.scan("not-a-cursor")).hasMessage("ERR invalid cursor");
  }

  @Test
  void dbSize_countsKeys() {
    jedis.mset("a", "1", "b", "2");
    assertThat(jedis.dbSize()).isEqualTo(2);
  }

  @Test
  void info_sectionsParse() {
    jedis.set("k", "v");
    jedis.get("k");
    jedis.get("missing");
    Map<String, Map<String, String>> sections = parseInfo(jedis.info());
    assertThat(sections.keySet())
        .containsExactly(
            "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "Keyspace");
    assertThat(sections.get("Server"))
        .containsEntry("redis_mode", "standalone")
        .containsKey("run_id");
    assertThat(sections.get("Server").get("tcp_port"))
        .isEqualTo(Integer.toString(fixture.address().getPort()));
    assertThat(sections.get("Clients")).containsEntry("connected_clients", "1");
    assertThat(Long.parseLong(sections.get("Stats").get("total_commands_processed")))
        .isGreaterThanOrEqualTo(3);
    assertThat(sections.get("Stats"))
        .containsEntry("keyspace_hits", "1")
        .containsEntry("keyspace_misses", "1");
    assertThat(sections.get("Persistence"))
        .containsEntry("ringkv_durability", "none")
        .containsEntry("aof_enabled", "1");
    assertThat(sections.get("Keyspace")).containsEntry("db0", "keys=1");
    assertThat(parseInfo(jedis.info("stats")).keySet()).containsExactly("Stats");
    assertThat(parseInfo(jedis.info("nosuchsection"))).isEmpty();
  }

  static Map<String, Map<String, String>> parseInfo(String text) {
    Map<String, Map<String, String>> sections = new java.util.LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : text.split("\r\n")) {
      if (line.startsWith("# ")) {
        current = new HashMap<>();
        sections.put(line.substring(2), current);
      } else if (!line.isEmpty()) {
        int colon = line.indexOf(':');
        assertThat(colon).as("line '%s'", line).isPositive();
        current.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return sections;
  }

  @Test
  void command_docsAndInfoAreReadableByJedis() {
    Map<String, CommandDocument> docs = jedis.commandDocs("get", "set", "nosuchcommand");
    assertThat(docs.keySet()).containsExactlyInAnyOrder("get", "set");
    assertThat(docs.get("get").getSummary()).isEqualTo("Returns the string value of a key.");
    assertThat(docs.get("set").getGroup()).isEqualTo("string");
    Map<String, CommandInfo> info = jedis.commandInfo("get", "mset");
    assertThat(info.get("get").getArity()).isEqualTo(2);
    assertThat(info.get("get").getFlags()).contains("readonly", "fast");
    assertThat(info.get("mset").getFirstKey()).isEqualTo(1);
    assertThat(info.get("mset").getLastKey()).isEqualTo(-1);
    assertThat(info.get("mset").getStep()).isEqualTo(2);
    assertThat(jedis.commandCount()).isGreaterThan(30);
    assertThat(jedis.commandList())
        .contains("get", "consistency", "keyspace", "incr", "sadd", "cget")
        .doesNotContain("append");
    Map<String, CommandDocument> all = jedis.commandDocs();
    assertThat(all).containsKeys("scan", "hello", "client", "config");
  }

  @Test
  void client_nameAndIdAndList() {
    assertThat(jedis.clientGetname()).isNull();
    assertThat(jedis.clientSetname("tester")).isEqualTo("OK");
    assertThat(jedis.clientGetname()).isEqualTo("tester");
    assertThat(jedis.clientId()).isPositive();
    assertThat(jedis.clientList()).contains("name=tester").contains("id=" + jedis.clientId());
    assertThatThrownBy(() -> jedis.clientSetname("has space"))
        .hasMessage("ERR Client names cannot contain spaces, newlines or special characters.");
    assertThatThrownBy(() -> jedis.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "NOPE"))
        .hasMessage("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.");
  }

  @Test
  void select_zeroOnly() {
    assertThat(jedis.select(0)).isEqualTo("OK");
    assertThatThrownBy(() -> jedis.select(1))
        .hasMessage(
            "ERR ringkv has no numbered databases, only database 0; SELECT 1 is not supported:"
                + " use KEYSPACE <name> to choose a keyspace");
  }

  @Test
  void config_getAnswersWhatBenchmarksAsk() {
    assertThat(jedis.configGet("save")).containsEntry("save", "");
    assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
    assertThat(jedis.configGet("maxmemory*")).containsOnlyKeys("maxmemory", "maxmemory-policy");
    assertThat(jedis.configGet("DATABASES")).containsEntry("databases", "1");
    assertThat(jedis.configGet("nosuchparameter")).isEmpty();
    assertThatThrownBy(() -> jedis.configSet("maxmemory", "1"))
        .hasMessageStartingWith("ERR CONFIG SET is not supported");
  }

  @Test
  void unknownAndNotYetSupportedCommandsAreRefused() {
    jedis.set("counter", "1");
    assertThatThrownBy(() -> jedis.append("counter", "2"))
        .hasMessage("ERR unknown command 'APPEND', with args beginning with: 'counter' '2' ");
    assertThat(jedis.get("counter")).isEqualTo("1");
  }

  @Test
  void countersAndSets_inTheLastWriteWinsDefaultKeyspace_areRefusedNotEmulated() {
    jedis.set("counter", "1");
    // A node without the cluster has only default, which is last-write-wins: an increment there
    // would be a read and a write that can lose updates, so the service refuses it.
    assertThatThrownBy(() -> jedis.incr("counter"))
        .hasMessageStartingWith("ERR keyspace default is conflicts: lww");
    assertThatThrownBy(() -> jedis.sadd("set", "a"))
        .hasMessageStartingWith("ERR keyspace default is conflicts: lww");
    assertThat(jedis.get("counter")).isEqualTo("1");
    assertThat(jedis.smembers("set")).isEmpty();
    assertThatThrownBy(() -> jedis.smembers("counter"))
        .hasMessage("WRONGTYPE Operation against a key holding the wrong kind of value");
  }

  @Test
  void causalRegisterCommands_inTheLastWriteWinsDefaultKeyspace() {
    ProtocolCommand cget = () -> SafeEncoder.encode("CGET");
    ProtocolCommand cset = () -> SafeEncoder.encode("CSET");
    jedis.set("k", "v");

    // CGET shows a last-write-wins value as one sibling with an empty context.
    assertThat((List<?>) jedis.sendCommand(cget, "k"))
        .map(element -> SafeEncoder.encode((byte[]) element))
        .containsExactly("", "v");
    assertThat((List<?>) jedis.sendCommand(cget, "missing"))
        .map(element -> SafeEncoder.encode((byte[]) element))
        .containsExactly("");
    assertThatThrownBy(() -> jedis.sendCommand(cset, "k", "", "w"))
        .hasMessageStartingWith("ERR keyspace default is conflicts: lww");
    assertThat(jedis.get("k")).isEqualTo("v");
    assertThat(SafeEncoder.encode((byte[]) jedis.sendCommand(() -> SafeEncoder.encode("KEYSPACE"))))
        .isEqualTo("default");
  }

  @Test
  void metrics_recordCommands() {
    jedis.set("k", "v");
    jedis.get("k");
    assertThat(fixture.metrics.scrape())
        .contains("frontend=\"resp\"")
        .contains("operation=\"get\"");
  }
}
