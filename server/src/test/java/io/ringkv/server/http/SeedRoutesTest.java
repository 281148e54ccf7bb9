package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static io.ringkv.server.http.HttpFixture.json;
import static io.ringkv.server.http.HttpFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's JSON routes, {@code GET /api/v1/get} and {@code POST /api/v1/put}, end to end. */
class SeedRoutesTest {
  @TempDir Path directory;
  HttpFixture http;

  @BeforeEach
  void startServer() {
    http = HttpFixture.start(directory);
  }

  @AfterEach
  void stopServer() throws Exception {
    http.close();
  }

  private HttpResponse<byte[]> put(String key, JsonNode value) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    body.put("key", key);
    body.set("value", value);
    return http.post("/api/v1/put", body.toString(), "Content-Type", "application/json");
  }

  private HttpResponse<byte[]> get(String key) {
    return http.get("/api/v1/get?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  @Test
  void put_thenGet_returnsEachKindOfJsonValueExactly() {
    List<String> values =
        List.of(
            "\"hello\"",
            "\"\"",
            "\"42\"",
            "\"true\"",
            "\"[1,2]\"",
            "\" 7 \"",
            "\"\\\"quoted\\\"\"",
            "\"héllo wörld ✓ 😀 \\u0000 \\n\"",
            "[1,\"two\",[3],{\"four\":4},null,true]",
            "[]",
            "{}",
            "{\"a\":{\"b\":[true,false,null]},\"ü\":\"😀\"}",
            "42",
            "-3.5",
            "1.10",
            "0",
            "12345678901234567890123456789",
            "1E+400",
            "true",
            "false",
            "null");
    for (int i = 0; i < values.size(); i++) {
      JsonNode value = parse(values.get(i));
      String key = "seed-" + i;
      HttpResponse<byte[]> written = put(key, value);
      assertThat(written.statusCode()).as(HttpFixture.describe(written)).isEqualTo(200);
      assertThat(json(written).path("key").asText()).isEqualTo(key);
      assertThat(json(written).path("timestamp").asLong()).isPositive();

      HttpResponse<byte[]> read = get(key);
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode body = json(read);
      assertThat(body.path("key").asText()).isEqualTo(key);
      assertThat(body.get("value")).as(values.get(i)).isEqualTo(value);
      assertThat(body.get("value").toString()).as(values.get(i)).isEqualTo(value.toString());
    }
  }

  @Test
  void put_plainString_isStoredAsItsUtf8Bytes() {
    put("greeting", parse("\"héllo\""));
    put("looks-like-a-number", parse("\"42\""));
    put("list", parse("[1, 2]"));

    assertThat(http.get("/v1/kv/greeting").body())
        .isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
    assertThat(http.get("/v1/kv/looks-like-a-number").body())
        .isEqualTo("\"42\"".getBytes(StandardCharsets.UTF_8));
    assertThat(http.get("/v1/kv/list").body()).isEqualTo("[1,2]".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void get_bytesWrittenRaw_showAsJsonOrAsAString() {
    http.put("/v1/kv/text", "plain text".getBytes(StandardCharsets.UTF_8));
    http.put("/v1/kv/object", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
    http.put("/v1/kv/duplicate", "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8));
    http.put("/v1/kv/binary", new byte[] {'a', (byte) 0xFF, 'b'});
    http.put("/v1/kv/empty", new byte[0]);

    assertThat(json(get("text")).get("value")).isEqualTo(parse("\"plain text\""));
    assertThat(json(get("object")).get("value")).isEqualTo(parse("{\"a\":1}"));
    assertThat(json(get("duplicate")).get("value").asText()).isEqualTo("{\"a\":1,\"a\":2}");
    assertThat(json(get("binary")).get("value").asText()).isEqualTo("a\uFFFDb");
    assertThat(json(get("empty")).get("value")).isEqualTo(parse("\"\""));
  }

  @Test
  void get_absentKey_is404Problem() {
    JsonNode problem = assertProblem(get("nobody"), 404, "key-not-found");
    assertThat(problem.path("detail").asText()).contains("'nobody'");
    assertThat(problem.path("instance").asText()).isEqualTo("/api/v1/get");
  }

  @Test
  void put_emptyAndUnicodeKeys_areKeysLikeAnyOther() {
    assertThat(put("", parse("\"empty key\"")).statusCode()).isEqualTo(200);
    assertThat(put("ключ/😀 +&=?", parse("{\"x\":1}")).statusCode()).isEqualTo(200);

    assertThat(json(http.get("/api/v1/get?key=")).get("value").asText()).isEqualTo("empty key");
    assertThat(json(get("ключ/😀 +&=?")).get("value")).isEqualTo(parse("{\"x\":1}"));
    assertThat(json(get("ключ/😀 +&=?")).get("key").asText()).isEqualTo("ключ/😀 +&=?");
  }

  @Test
  void put_unpairedSurrogate_isRefusedAndNothingIsStored() {
    HttpResponse<byte[]> inValue =
        http.post("/api/v1/put", "{\"key\":\"k\",\"value\":{\"a\":[\"ok\",\"\\ud800\"]}}");
    JsonNode problem = assertProblem(inValue, 400, "invalid-body");
    assertThat(problem.path("detail").asText()).contains("unpaired").contains("/a/1");

    HttpResponse<byte[]> inKey = http.post("/api/v1/put", "{\"key\":\"\\udc00\",\"value\":1}");
    assertThat(assertProblem(inKey, 400, "invalid-body").path("field").asText()).isEqualTo("key");

    assertProblem(get("k"), 404, "key-not-found");
  }

  @Test
  void put_withAnyContentType_readsTheBodyAsJson() {
    HttpResponse<byte[]> form =
        http.post(
            "/api/v1/put",
            "{\"key\":\"curl\",\"value\":[1]}",
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(json(get("curl")).get("value")).isEqualTo(parse("[1]"));
  }

  @Test
  void consistency_givenByHeaderOrQuery_isAccepted() {
    HttpResponse<byte[]> written =
        http.post(
            "/api/v1/put?consistency=all",
            "{\"key\":\"c\",\"value\":\"v\"}",
            "X-Consistency-Level",
            "ALL");
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(http.get("/api/v1/get?key=c", "X-Consistency-Level", "QUORUM").statusCode())
        .isEqualTo(200);
    assertThat(http.get("/api/v1/get?key=c&consistency=local-quorum").statusCode()).isEqualTo(200);
  }

  @Test
  void consistency_unknownLevel_is400NamingTheAllowedLevels() {
    JsonNode problem =
        assertProblem(
            http.get("/api/v1/get?key=c", "X-Consistency-Level", "MOST"), 400, "invalid-parameter");
    assertThat(problem.path("detail").asText())
        .contains("X-Consistency-Level")
        .contains("'MOST'")
        .contains("QUORUM");
    assertThat(problem.path("allowed").asText()).contains("ONE").contains("EACH_QUORUM");
  }

  @Test
  void consistency_anyOnARead_isRefused() {
    JsonNode problem =
        assertProblem(http.get("/api/v1/get?key=c&consistency=ANY"), 400, "invalid-parameter");
    assertThat(problem.path("detail").asText()).contains("ANY is for writes only");
    assertThat(http.post("/api/v1/put?consistency=ANY", "{\"key\":\"c\",\"value\":1}").statusCode())
        .isEqualTo(200);
  }

  @Test
  void consistency_headerAndQueryDisagreeing_isRefused() {
    JsonNode problem =
        assertProblem(
            http.get("/api/v1/get?key=c&consistency=ONE", "X-Consistency-Level", "ALL"),
            400,
            "invalid-parameter");
    assertThat(problem.path("detail").asText()).contains("disagree");
  }
}
