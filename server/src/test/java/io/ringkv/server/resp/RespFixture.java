package io.ringkv.server.resp;

import io.ringkv.common.Clock;
import io.ringkv.common.ManualClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * A real node's Redis front end for tests: a real engine in a temporary directory, the real
 * LocalKeyValueService, and a RespServer on 127.0.0.1 port 0. Close it in @AfterEach.
 */
final class RespFixture implements AutoCloseable {
  /** A wall clock far from 0, so that expiries are ordinary epoch times. */
  static final long START_EPOCH_MILLIS = 1_700_000_000_000L;

  final ManualClock clock;
  final StorageEngine engine;
  final LocalKeyValueService service;
  final RespServer server;
  final NodeMetrics metrics = new NodeMetrics();

  private RespFixture(
      Path directory,
      ListenerConfig listener,
      LimitsConfig limits,
      Durability durability,
      String password,
      UnaryOperator<KeyValueService> wrap)
      throws Exception {
    clock = new ManualClock(1_000_000_000L, START_EPOCH_MILLIS);
    Clock engineClock = clock;
    engine = StorageEngines.open(EngineOptions.defaults(directory).withClock(engineClock));
    service = new LocalKeyValueService(engine, clock, durability);
    RespServerInfo info =
        new RespServerInfo(
            "0.1.0-test",
            "node-1",
            RespServerInfo.randomRunId(),
            0,
            START_EPOCH_MILLIS,
            directory.toString(),
            "",
            "lsm",
            durability);
    server = new RespServer(listener, limits, wrap.apply(service), metrics, info, clock, password);
    server.start();
  }

  static RespFixture start(Path directory) throws Exception {
    return new RespFixture(
        directory,
        ListenerConfig.of("127.0.0.1", 0),
        LimitsConfig.defaults(),
        Durability.NONE,
        null,
        UnaryOperator.identity());
  }

  /**
   * A node whose front end calls {@code wrap} around the real service (to record or fail calls).
   */
  static RespFixture start(Path directory, UnaryOperator<KeyValueService> wrap) throws Exception {
    return new RespFixture(
        directory,
        ListenerConfig.of("127.0.0.1", 0),
        LimitsConfig.defaults(),
        Durability.NONE,
        null,
        wrap);
  }

  static RespFixture start(
      Path directory,
      ListenerConfig listener,
      LimitsConfig limits,
      Durability durability,
      String password)
      throws Exception {
    return new RespFixture(
        directory, listener, limits, durability, password, UnaryOperator.identity());
  }

  InetSocketAddress address() {
    return server.boundAddress();
  }

  HostAndPort hostAndPort() {
    return new HostAndPort("127.0.0.1", address().getPort());
  }

  Jedis jedis() {
    return new Jedis(
        hostAndPort(), DefaultJedisClientConfig.builder().timeoutMillis(10_000).build());
  }

  Jedis jedisResp3() {
    return new Jedis(
        hostAndPort(),
        DefaultJedisClientConfig.builder()
            .timeoutMillis(10_000)
            .protocol(RedisProtocol.RESP3)
            .build());
  }

  RawRespClient raw() throws Exception {
    return new RawRespClient(address());
  }

  @Override
  public void close() throws Exception {
    server.close();
    service.close();
    engine.close();
  }
}
