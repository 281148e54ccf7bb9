package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static io.ringkv.server.http.HttpFixture.json;
import static io.ringkv.server.http.HttpFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.KvException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyspace administration over real HTTP: listing, creating, replacing and dropping through a
 * scripted {@link io.ringkv.server.kv.KeyspaceAdmin}, a problem naming the field for every bad
 * definition, and what a node without the cluster (the real local service) answers.
 */
class KeyspaceRoutesTest {
  @TempDir Path directory;
  HttpFixture http;
  ScriptedCausalService service;

  private void startScripted() {
    http =
        HttpFixture.start(
            directory, options -> options.wrap = real -> service = new ScriptedCausalService(real));
  }

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
  }

  private HttpResponse<byte[]> putKeyspace(String name, String body) {
    return http.put("/v1/keyspaces/" + name, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void list_showsEveryKeyspaceSortedWithItsReplication() {
    startScripted();
    service
        .admin()
        .add(
            new Keyspace(
                "geo",
                NetworkTopologyStrategy.of(Map.of("dc2", 2, "dc1", 3)),
                ConsistencyLevel.LOCAL_QUORUM,
                ConsistencyLevel.EACH_QUORUM,
                true,
                ConflictMode.CAUSAL));
    HttpResponse<byte[]> response = http.get("/v1/keyspaces");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response))
        .isEqualTo(
            parse(
                """
                {"keyspaces": [
                  {"name": "causal", "replication": {"class": "SimpleStrategy", "replication_factor": 3},
                   "read_level": "QUORUM", "write_level": "QUORUM", "sloppy_quorum": false,
                   "conflicts": "causal"},
                  {"name": "default", "replication": {"class": "SimpleStrategy", "replication_factor": 1},
                   "read_level": "QUORUM", "write_level": "QUORUM", "sloppy_quorum": false,
                   "conflicts": "lww"},
                  {"name": "geo", "replication": {"class": "NetworkTopologyStrategy",
                   "datacenters": {"dc1": 3, "dc2": 2}},
                   "read_level": "LOCAL_QUORUM", "write_level": "EACH_QUORUM", "sloppy_quorum": true,
                   "conflicts": "causal"},
                  {"name": "plain", "replication": {"class": "SimpleStrategy", "replication_factor": 1},
                   "read_level": "ONE", "write_level": "ONE", "sloppy_quorum": false,
                   "conflicts": "lww"}
                ]}"""));
    assertThat(json(http.get("/v1/keyspaces/geo")).path("conflicts").asText()).isEqualTo("causal");
    assertProblem(http.get("/v1/keyspaces/nowhere"), 404, "keyspace-not-found");
  }

  @Test
  void put_newKeyspace_is201AndCausalByDefault_anExistingOneIs200AndKeepsItsMode() {
    startScripted();
    HttpResponse<byte[]> created = putKeyspace("users", "{\"replication_factor\": 3}");
    assertThat(created.statusCode()).as(HttpFixture.describe(created)).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).hasValue("/v1/keyspaces/users");
    assertThat(json(created))
        .isEqualTo(
            parse(
                "{\"name\":\"users\",\"replication\":{\"class\":\"SimpleStrategy\","
                    + "\"replication_factor\":3},\"read_level\":\"QUORUM\","
                    + "\"write_level\":\"QUORUM\",\"sloppy_quorum\":false,"
                    + "\"conflicts\":\"causal\"}"));
    assertThat(service.admin().puts().getLast())
        .isEqualTo(
            new Keyspace(
                "users",
                new SimpleStrategy(3),
                ConsistencyLevel.QUORUM,
                ConsistencyLevel.QUORUM,
                false,
                ConflictMode.CAUSAL));

    HttpResponse<byte[]> replaced =
        putKeyspace(
            "plain",
            "{\"datacenters\": {\"dc1\": 2}, \"read_level\": \"one\", \"write_level\": \"ANY\","
                + " \"sloppy_quorum\": true}");
    assertThat(replaced.statusCode()).as(HttpFixture.describe(replaced)).isEqualTo(200);
    assertThat(replaced.headers().firstValue("Location")).isEmpty();
    assertThat(service.admin().puts().getLast())
        .isEqualTo(
            new Keyspace(
                "plain",
                NetworkTopologyStrategy.of(Map.of("dc1", 2)),
                ConsistencyLevel.ONE,
                ConsistencyLevel.ANY,
                true,
                ConflictMode.LWW));

    assertThat(putKeyspace("logs", "{\"replication_factor\":1,\"conflicts\":\"lww\"}").statusCode())
        .isEqualTo(201);
    assertThat(service.admin().puts().getLast().conflicts()).isEqualTo(ConflictMode.LWW);
  }

  @Test
  void put_badDefinitions_are400NamingTheField_andNeverReachTheAdmin() {
    startScripted();
    Map<String, String> fieldOf =
        Map.ofEntries(
            Map.entry("{}", "replication_factor"),
            Map.entry(
                "{\"replication_factor\":3,\"datacenters\":{\"dc1\":1}}", "replication_factor"),
            Map.entry("{\"replication_factor\":0}", "replication_factor"),
            Map.entry("{\"replication_factor\":33}", "replication_factor"),
            Map.entry("{\"replication_factor\":\"3\"}", "replication_factor"),
            Map.entry("{\"replication_factor\":1.5}", "replication_factor"),
            Map.entry("{\"datacenters\":{}}", "datacenters"),
            Map.entry("{\"datacenters\":[\"dc1\"]}", "datacenters"),
            Map.entry("{\"datacenters\":{\"dc1\":40}}", "datacenters/dc1"),
            Map.entry("{\"replication_factor\":3,\"read_level\":\"ANY\"}", "read_level"),
            Map.entry("{\"replication_factor\":3,\"write_level\":\"MOST\"}", "write_level"),
            Map.entry("{\"replication_factor\":3,\"conflicts\":\"mvcc\"}", "conflicts"),
            Map.entry("{\"replication_factor\":3,\"sloppy_quorum\":\"yes\"}", "sloppy_quorum"),
            Map.entry("{\"replication_factor\":3,\"rf\":3}", "rf"));
    for (Map.Entry<String, String> entry : fieldOf.entrySet()) {
      JsonNode problem = assertProblem(putKeyspace("users", entry.getKey()), 400, "invalid-body");
      assertThat(problem.path("field").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    JsonNode tooBig =
        assertProblem(putKeyspace("users", "{\"replication_factor\":33}"), 400, "invalid-body");
    assertThat(tooBig.path("max").asInt()).isEqualTo(32);
    assertThat(tooBig.path("detail").asText()).contains("33").contains("1 to 32");

    JsonNode badName =
        assertProblem(putKeyspace("Users", "{\"replication_factor\":3}"), 400, "invalid-parameter");
    assertThat(badName.path("parameter").asText()).isEqualTo("name");
    assertThat(badName.path("detail").asText()).contains("Users");
    assertProblem(putKeyspace("", "{\"replication_factor\":3}"), 400, "invalid-parameter");
    assertProblem(putKeyspace("users", "{\"replication_factor\":"), 400, "invalid-json");
    assertThat(service.admin().puts()).isEmpty();
  }

  @Test
  void put_adminRefusals_areTheirProblems() {
    startScripted();
    service
        .admin()
        .failWith(
            KvException.Kind.INVALID_REQUEST,
            "keyspace plain is conflicts: lww; the conflict mode cannot change");
    JsonNode modeChange =
        assertProblem(
            putKeyspace("plain", "{\"replication_factor\":1,\"conflicts\":\"causal\"}"),
            400,
            "invalid-request");
    assertThat(modeChange.path("detail").asText()).contains("cannot change");
    service.admin().failWith(KvException.Kind.UNAVAILABLE, "the metadata group has no leader");
    HttpResponse<byte[]> unavailable = putKeyspace("users", "{\"replication_factor\":3}");
    assertProblem(unavailable, 503, "unavailable");
    assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void delete_dropsThroughTheAdmin_defaultIsRefused_anUnknownOneIs404() {
    startScripted();
    assertThat(http.delete("/v1/keyspaces/plain").statusCode()).isEqualTo(204);
    assertThat(service.admin().drops()).containsExactly("plain");
    assertProblem(http.get("/api/v1/get?key=k&keyspace=plain"), 404, "keyspace-not-found");

    JsonNode defaultKeyspace =
        assertProblem(http.delete("/v1/keyspaces/default"), 400, "invalid-request");
    assertThat(defaultKeyspace.path("detail").asText()).contains("default");
    assertProblem(http.delete("/v1/keyspaces/nowhere"), 404, "keyspace-not-found");
    assertThat(service.admin().drops()).containsExactly("plain", "nowhere");
  }

  @Test
  void aNodeWithoutTheCluster_listsDefault_andRefusesChanges() {
    http = HttpFixture.start(directory);
    JsonNode listing = json(http.get("/v1/keyspaces"));
    assertThat(listing.path("keyspaces")).hasSize(1);
    assertThat(listing.path("keyspaces").get(0).path("name").asText()).isEqualTo("default");
    assertThat(listing.path("keyspaces").get(0).path("conflicts").asText()).isEqualTo("lww");
    JsonNode refused =
        assertProblem(putKeyspace("users", "{\"replication_factor\":1}"), 400, "invalid-request");
    assertThat(refused.path("detail").asText()).contains("without the cluster");
    assertProblem(http.get("/v1/kv/k?keyspace=users"), 404, "keyspace-not-found");
  }

  @Test
  void requestKeyspaceNames_followTheKeyspaceRule() {
    for (String name :
        new String[] {
          "a", "users", "a_b_9", "z".repeat(48), "A", "1a", "_a", "a-b", "", "z".repeat(49)
        }) {
      boolean accepted;
      try {
        new Keyspace(name, new SimpleStrategy(1), ConsistencyLevel.ONE, ConsistencyLevel.ONE);
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertThat(RequestKeyspace.NAME.matcher(name).matches()).as(name).isEqualTo(accepted);
    }
  }
}
