package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.storage.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random pipelines of string commands against a HashMap model: every reply must be what the model
 * says, in order. With SYNC durability writes complete later on other threads, which exercises the
 * queue of pending replies and the per-key ordering of effects. The seed is printed; rerun one with
 * -Dresp.seed=N.
 */
class RespRandomizedPipelineTest {
  private static final int KEYS = 24;

  @TempDir Path directory;

  @ParameterizedTest
  @EnumSource(
      value = Durability.class,
      names = {"NONE", "SYNC"})
  void pipeline_matchesAHashMapModel(Durability durability) throws Exception {
    long seed = Long.getLong("resp.seed", ThreadLocalRandom.current().nextLong());
    System.out.println("RespRandomizedPipelineTest " + durability + " seed " + seed);
    Random random = new Random(seed);
    int commands = durability == Durability.SYNC ? 1_500 : 6_000;
    Map<String, String> model = new HashMap<>();
    try (RespFixture fixture =
            RespFixture.start(
                directory,
                ListenerConfig.of("127.0.0.1", 0),
                LimitsConfig.defaults(),
                durability,
                null);
        RawRespClient client = fixture.raw()) {
      int sent = 0;
      while (sent < commands) {
        int batch = 1 + random.nextInt(200);
        List<String[]> requests = new ArrayList<>(batch);
        List<Object> expected = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
          String[] request = randomCommand(random);
          requests.add(request);
          expected.add(apply(model, request));
        }
        StringBuilder wire = new StringBuilder();
        for (String[] request : requests) {
          byte[][] arguments = new byte[request.length][];
          for (int a = 0; a < request.length; a++) {
            arguments[a] = request[a].getBytes(StandardCharsets.UTF_8);
          }
          wire.append(new String(RawRespClient.encode(arguments), StandardCharsets.ISO_8859_1));
        }
        client.send(wire.toString());
        for (int i = 0; i < batch; i++) {
          Object reply = normalize(client.read());
          assertThat(reply)
              .as("seed %d, command %d: %s", seed, sent + i, String.join(" ", requests.get(i)))
              .isEqualTo(expected.get(i));
        }
        sent += batch;
      }
      for (int k = 0; k < KEYS; k++) {
        String key = "key" + k;
        assertThat(normalize(client.call("GET", key)))
            .as("seed %d, final value of %s", seed, key)
            .isEqualTo(model.get(key));
      }
    }
  }

  private static String key(Random random) {
    return "key" + random.nextInt(KEYS);
  }

  private static String value(Random random) {
    return "v" + random.nextInt(1_000_000);
  }

  private static String[] randomCommand(Random random) {
    return switch (random.nextInt(14)) {
      case 0, 1 -> new String[] {"SET", key(random), value(random)};
      case 2 -> new String[] {"SET", key(random), value(random), "NX"};
      case 3 -> new String[] {"SET", key(random), value(random), "XX", "GET"};
      case 4, 5 -> new String[] {"GET", key(random)};
      case 6 -> new String[] {"GETDEL", key(random)};
      case 7 -> new String[] {"SETNX", key(random), value(random)};
      case 8 -> new String[] {"DEL", key(random), key(random)};
      case 9 -> new String[] {"EXISTS", key(random), key(random), key(random)};
      case 10 -> new String[] {"MSET", key(random), value(random), key(random), value(random)};
      case 11 -> new String[] {"MGET", key(random), key(random), key(random)};
      case 12 -> new String[] {"PING"};
      default -> new String[] {"NOSUCH", key(random)};
    };
  }

  /** What Redis answers, and what it does to the model. */
  private static Object apply(Map<String, String> model, String[] request) {
    String key = request.length > 1 ? request[1] : null;
    switch (request[0]) {
      case "SET" -> {
        if (request.length == 3) {
          model.put(key, request[2]);
          return "OK";
        }
        if (request[3].equals("NX")) {
          if (model.containsKey(key)) {
            return null;
          }
          model.put(key, request[2]);
          return "OK";
        }
        String previous = model.get(key); // XX GET
        if (previous != null) {
          model.put(key, request[2]);
        }
        return previous;
      }
      case "GET" -> {
        return model.get(key);
      }
      case "GETDEL" -> {
        return model.remove(key);
      }
      case "SETNX" -> {
        if (model.containsKey(key)) {
          return 0L;
        }
        model.put(key, request[2]);
        return 1L;
      }
      case "DEL" -> {
        Set<String> keys = new HashSet<>(List.of(request).subList(1, request.length));
        long deleted = 0;
        for (String k : keys) {
          deleted += model.remove(k) != null ? 1 : 0;
        }
        return deleted;
      }
      case "EXISTS" -> {
        long present = 0;
        for (int i = 1; i < request.length; i++) {
          present += model.containsKey(request[i]) ? 1 : 0;
        }
        return present;
      }
      case "MSET" -> {
        for (int i = 1; i < request.length; i += 2) {
          model.put(request[i], request[i + 1]);
        }
        return "OK";
      }
      case "MGET" -> {
        List<Object> values = new ArrayList<>();
        for (int i = 1; i < request.length; i++) {
          values.add(model.get(request[i]));
        }
        return values;
      }
      case "PING" -> {
        return "PONG";
      }
      default -> {
        return "ERR unknown command '" + request[0] + "', with args beginning with: '" + key + "' ";
      }
    }
  }

  /** Bulk strings as text and errors as their line, to compare with the model. */
  private static Object normalize(Object reply) {
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (reply instanceof RawRespClient.Error error) {
      return error.line();
    }
    if (reply instanceof List<?> list) {
      List<Object> normalized = new ArrayList<>();
      for (Object element : list) {
        normalized.add(normalize(element));
      }
      return normalized;
    }
    return reply;
  }
}
