package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.storage.Durability;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;

class RespAuthTest {
  @TempDir Path directory;
  private RespFixture fixture;

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private void start(String password) throws Exception {
    fixture =
        RespFixture.start(
            directory,
            ListenerConfig.of("127.0.0.1", 0),
            LimitsConfig.defaults(),
            Durability.NONE,
            password);
  }

  private static String error(Object reply) {
    assertThat(reply).isInstanceOf(RawRespClient.Error.class);
    return ((RawRespClient.Error) reply).line();
  }

  @Test
  void auth_withoutPasswordConfiguredIsRefusedLikeRedis() throws Exception {
    start(null);
    try (RawRespClient client = fixture.raw()) {
      assertThat(error(client.call("AUTH", "secret")))
          .isEqualTo(
              "ERR AUTH <password> called without any password configured for the default user."
                  + " Are you sure your configuration is correct?");
      assertThat(client.call("AUTH", "default", "anything")).isEqualTo("OK");
      assertThat(error(client.call("AUTH", "someone", "anything"))).startsWith("WRONGPASS");
      assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
    }
  }

  @Test
  void requirePass_everyCommandButAuthHelloQuitNeedsAuth() throws Exception {
    start("s3cret");
    try (RawRespClient client = fixture.raw()) {
      assertThat(error(client.call("GET", "k"))).isEqualTo("NOAUTH Authentication required.");
      assertThat(error(client.call("PING"))).isEqualTo("NOAUTH Authentication required.");
      assertThat(error(client.call("HELLO", "3"))).startsWith("NOAUTH HELLO must be called");
      assertThat(error(client.call("AUTH", "wrong")))
          .isEqualTo("WRONGPASS invalid username-password pair or user is disabled.");
      assertThat(error(client.call("AUTH", "other", "s3cret"))).startsWith("WRONGPASS");
      assertThat(client.call("AUTH", "s3cret")).isEqualTo("OK");
      assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
      assertThat(client.call("GET", "k")).isEqualTo("v".getBytes());
    }
    try (RawRespClient client = fixture.raw()) {
      assertThat(client.call("AUTH", "default", "s3cret")).isEqualTo("OK");
    }
    try (RawRespClient client = fixture.raw()) {
      assertThat(client.call("QUIT")).isEqualTo("OK");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void requirePass_helloAuthAuthenticatesAndSwitchesProtocol() throws Exception {
    start("s3cret");
    try (RawRespClient client = fixture.raw()) {
      assertThat(error(client.call("HELLO", "3", "AUTH", "default", "nope")))
          .startsWith("WRONGPASS");
      assertThat(error(client.call("GET", "k"))).isEqualTo("NOAUTH Authentication required.");
      Object hello = client.call("HELLO", "3", "AUTH", "default", "s3cret");
      assertThat(hello).isInstanceOf(java.util.Map.class);
      assertThat(client.call("GET", "k")).isNull();
    }
  }

  @Test
  void requirePass_jedisWithPasswordWorksAndWithoutIsRefused() throws Exception {
    start("s3cret");
    try (Jedis jedis =
        new Jedis(
            fixture.hostAndPort(), DefaultJedisClientConfig.builder().password("s3cret").build())) {
      assertThat(jedis.set("k", "v")).isEqualTo("OK");
    }
    try (Jedis jedis =
        new Jedis(
            fixture.hostAndPort(),
            DefaultJedisClientConfig.builder()
                .password("s3cret")
                .protocol(RedisProtocol.RESP3)
                .build())) {
      assertThat(jedis.get("k")).isEqualTo("v");
    }
    try (Jedis jedis = fixture.jedis()) {
      assertThatThrownBy(() -> jedis.get("k")).isInstanceOf(JedisAccessControlException.class);
    }
  }
}
