package io.ringkv.server.replication;

import static io.ringkv.server.replication.TestCluster.CAUSAL;
import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.server.resp.RespServer;
import io.ringkv.server.resp.RespServerInfo;
import io.ringkv.storage.Durability;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * INCRBYFLOAT end to end: a Redis client (Jedis) talks to the RESP front end of node 1 of three
 * in-process nodes (replication factor 3, real internode transports, the helper of {@link
 * CausalServiceTest}); the decimal increments reach the PN-counters of the replicas, other nodes
 * read the exact value, and the replies and errors are Redis' (docs/api/redis.md).
 */
class CausalIncrByFloatRespTest {
  private static final ProtocolCommand KEYSPACE = () -> SafeEncoder.encode("KEYSPACE");
  private static final ProtocolCommand INCRBYFLOAT = () -> SafeEncoder.encode("INCRBYFLOAT");
  private static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

  @TempDir Path directory;
  private TestCluster cluster;
  private RespServer server;
  private Jedis jedis;

  @BeforeEach
  void start() throws Exception {
    cluster =
        new TestCluster(
            directory,
            3,
            11,
            ReplicationSettings.defaults(directory)
                .withReadRepairChance(0)
                .withTimeouts(2_000, 2_000));
    RespServerInfo info =
        new RespServerInfo(
            "0.1.0-test",
            "node-1",
            RespServerInfo.randomRunId(),
            0,
            1_700_000_000_000L,
            directory.toString(),
            "",
            "lsm",
            Durability.NONE);
    server =
        new RespServer(
            ListenerConfig.of("127.0.0.1", 0),
            LimitsConfig.defaults(),
            cluster.node(1).service,
            new NodeMetrics(),
            info);
    server.start();
    jedis =
        new Jedis(
            new HostAndPort("127.0.0.1", server.boundAddress().getPort()),
            DefaultJedisClientConfig.builder().timeoutMillis(10_000).build());
    assertThat(jedis.sendCommand(KEYSPACE, CAUSAL)).isEqualTo(utf8("OK"));
  }

  @AfterEach
  void stop() throws Exception {
    if (jedis != null) {
      jedis.close();
    }
    if (server != null) {
      server.close();
    }
    cluster.close();
  }

  private String incrByFloat(String key, String... increment) {
    String[] arguments = new String[1 + increment.length];
    arguments[0] = key;
    System.arraycopy(increment, 0, arguments, 1, increment.length);
    return new String((byte[]) jedis.sendCommand(INCRBYFLOAT, arguments), StandardCharsets.UTF_8);
  }

  @Test
  void incrbyfloat_addsExactlyAndAnswersAsRedisPrints_otherNodesReadTheSameValue()
      throws Exception {
    assertThat(incrByFloat("price", "10.50")).isEqualTo("10.5");
    assertThat(incrByFloat("price", "0.1")).isEqualTo("10.6");
    assertThat(incrByFloat("price", "-5.0e3")).isEqualTo("-4989.4");
    assertThat(jedis.get("price")).isEqualTo("-4989.4");
    assertThat(jedis.incrByFloat("price", 0.3)).isEqualTo(-4989.1);

    CausalValue.Counter atNode3 =
        (CausalValue.Counter)
            cluster
                .node(3)
                .service
                .readCausal(
                    utf8("price"), new ReadOptions(ConsistencyLevel.ALL).withKeyspace(CAUSAL))
                .get(30, TimeUnit.SECONDS);
    assertThat(atNode3.exact()).isEqualByComparingTo(new BigDecimal("-4989.1"));
    assertThat(atNode3.text()).isEqualTo("-4989.1");
    assertThat(atNode3.integral()).isFalse();
  }

  @Test
  void integerCommandsOnAFractionalCounter_areRefusedAsRedisDoes_untilTheFractionIsGone() {
    assertThat(incrByFloat("hits", "1.5")).isEqualTo("1.5");
    assertThatThrownBy(() -> jedis.incr("hits")).hasMessageStartingWith(NOT_AN_INTEGER);
    assertThatThrownBy(() -> jedis.decrBy("hits", 2)).hasMessageStartingWith(NOT_AN_INTEGER);
    assertThat(jedis.get("hits")).as("nothing was applied").isEqualTo("1.5");

    assertThat(incrByFloat("hits", "0.5")).isEqualTo("2");
    assertThat(jedis.incr("hits")).isEqualTo(3L);
    assertThat(jedis.get("hits")).isEqualTo("3");
    assertThat(incrByFloat("hits", "1")).isEqualTo("4");
  }

  @Test
  void incrbyfloat_withAnIdempotencyKey_aRetryCountsOnce() {
    assertThat(incrByFloat("paid", "2.25", "IDEMPOTENCY", "request-7")).isEqualTo("2.25");
    assertThat(incrByFloat("paid", "2.25", "IDEMPOTENCY", "request-7"))
        .as("the retry answers the value, not applied again")
        .isEqualTo("2.25");
    assertThat(incrByFloat("paid", "0.75", "IDEMPOTENCY", "request-8")).isEqualTo("3");
  }

  @Test
  void badIncrements_areRefusedWithRedisErrors_andWriteNothing() {
    assertThatThrownBy(() -> incrByFloat("f", "abc")).hasMessage("ERR value is not a valid float");
    assertThatThrownBy(() -> incrByFloat("f", "nan")).hasMessage("ERR value is not a valid float");
    assertThatThrownBy(() -> incrByFloat("f", " 1")).hasMessage("ERR value is not a valid float");
    assertThatThrownBy(() -> incrByFloat("f", "inf"))
        .hasMessage("ERR increment would produce NaN or Infinity");
    assertThatThrownBy(() -> incrByFloat("f", "1e39"))
        .hasMessageStartingWith("ERR increment would produce NaN or Infinity");
    assertThatThrownBy(() -> incrByFloat("f", "0.123456789012345678"))
        .hasMessageStartingWith("ERR value is not a valid float")
        .hasMessageContaining("at most 17 digits after the point");
    assertThatThrownBy(() -> incrByFloat("f", "1", "IDEMPOTENCY"))
        .hasMessageStartingWith("ERR syntax error");
    assertThat(jedis.get("f")).isNull();

    jedis.sadd("tags", "a");
    assertThatThrownBy(() -> incrByFloat("tags", "1.5"))
        .hasMessageStartingWith(
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  }
}
