package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.server.config.LimitsConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad request gets an RFC 9457 problem that says precisely what is wrong, and nothing
 * is stored.
 */
class ProblemResponsesTest {
  static final int KEY_BYTES_MAX = 64;
  static final int VALUE_BYTES_MAX = 1000;
  static final int BODY_BYTES_MAX = 4096;

  @TempDir Path directory;
  HttpFixture http;

  @BeforeEach
  void startServer() {
    LimitsConfig defaults = LimitsConfig.defaults();
    http =
        HttpFixture.start(
            directory,
            options ->
                options.limits =
                    new LimitsConfig(
                        KEY_BYTES_MAX,
                        VALUE_BYTES_MAX,
                        defaults.respBulkBytesMax(),
                        defaults.respArgumentsMax(),
                        defaults.respInlineBytesMax(),
                        BODY_BYTES_MAX,
                        defaults.grpcMessageBytesMax()));
  }

  @AfterEach
  void stopServer() throws Exception {
    http.close();
  }

  private String detail(HttpResponse<byte[]> response, int status, String slug) {
    return assertProblem(response, status, slug).path("detail").asText();
  }

  private void assertNothingStored() {
    JsonNode page = HttpFixture.json(http.get("/v1/kv"));
    assertThat(page.path("items").isEmpty()).as(page.toString()).isTrue();
  }

  @Test
  void put_invalidJson_saysWhere() {
    String detail =
        detail(http.post("/api/v1/put", "{\"key\": \"k\",\n \"value\": }"), 400, "invalid-json");
    assertThat(detail).contains("line 2, column").contains("Unexpected character");

    assertThat(detail(http.post("/api/v1/put", "{\"key\": \"k\""), 400, "invalid-json"))
        .contains("end-of-input");
    assertThat(
            detail(
                http.post("/api/v1/put", "{\"key\":\"k\",\"value\":1} trailing"),
                400,
                "invalid-json"))
        .contains("line 1, column");
    assertThat(
            detail(
                http.post("/api/v1/put", "{\"key\":\"k\",\"key\":\"j\",\"value\":1}"),
                400,
                "invalid-json"))
        .contains("Duplicate field 'key'");
    HttpResponse<byte[]> notUtf8 =
        http.send(
            http.request("/api/v1/put")
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1', '}'}))
                .build());
    assertThat(detail(notUtf8, 400, "invalid-json")).contains("UTF-8");
    assertNothingStored();
  }

  @Test
  void put_unknownField_isNamed() {
    JsonNode problem =
        assertProblem(
            http.post("/api/v1/put", "{\"key\":\"k\",\"value\":1,\"ttl\":5}"), 400, "invalid-body");
    assertThat(problem.path("detail").asText()).contains("unknown field 'ttl'").contains("line 1");
    assertThat(problem.path("field").asText()).isEqualTo("ttl");

    JsonNode envelope =
        assertProblem(
            http.put(
                "/v1/kv/k",
                "{\"value\":1,\"ttl\":5}".getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/json"),
            400,
            "invalid-body");
    assertThat(envelope.path("field").asText()).isEqualTo("ttl");
    assertNothingStored();
  }

  @Test
  void put_missingOrMistypedFields_areNamed() {
    assertThat(detail(http.post("/api/v1/put", "{\"value\":1}"), 400, "invalid-body"))
        .contains("missing field 'key'");
    assertThat(detail(http.post("/api/v1/put", "{\"key\":\"k\"}"), 400, "invalid-body"))
        .contains("missing field 'value'");
    assertThat(detail(http.post("/api/v1/put", "{\"key\":7,\"value\":1}"), 400, "invalid-body"))
        .contains("field 'key' must be a JSON string, was a number");
    assertThat(detail(http.post("/api/v1/put", "{\"key\":null,\"value\":1}"), 400, "invalid-body"))
        .contains("was null");
    assertThat(detail(http.post("/api/v1/put", "[\"k\", 1]"), 400, "invalid-body"))
        .contains("not a JSON object");
    assertThat(detail(http.post("/api/v1/put", " \n"), 400, "invalid-body"))
        .contains("the body is empty");
    assertThat(
            detail(
                http.put(
                    "/v1/kv/k",
                    "{\"value\":1,\"ttlMillis\":-5}".getBytes(StandardCharsets.UTF_8),
                    "Content-Type",
                    "application/json"),
                400,
                "invalid-body"))
        .contains("ttlMillis");
    assertNothingStored();
  }

  @Test
  void put_jsonNullValue_isAValueNotAMissingField() {
    assertThat(http.post("/api/v1/put", "{\"key\":\"k\",\"value\":null}").statusCode())
        .isEqualTo(200);
    assertThat(HttpFixture.json(http.get("/api/v1/get?key=k")).get("value").isNull()).isTrue();
  }

  @Test
  void body_overHttpBodyBytesMax_is413AndTheConnectionCarriesOn() {
    byte[] body = new byte[BODY_BYTES_MAX + 1];
    JsonNode problem = assertProblem(http.put("/v1/kv/huge", body), 413, "limit-exceeded");
    assertThat(problem.path("limit").asText()).isEqualTo("http_body_bytes_max");
    assertThat(problem.path("max").asInt()).isEqualTo(BODY_BYTES_MAX);
    assertThat(problem.path("detail").asText())
        .contains((BODY_BYTES_MAX + 1) + " bytes")
        .contains("http_body_bytes_max (" + BODY_BYTES_MAX + " bytes)");

    HttpResponse<byte[]> expecting =
        http.send(
            http.request("/api/v1/put")
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    assertThat(assertProblem(expecting, 413, "limit-exceeded").path("limit").asText())
        .isEqualTo("http_body_bytes_max");

    assertThat(http.get("/health").statusCode()).isEqualTo(200);
    assertNothingStored();
  }

  @Test
  void value_overValueBytesMax_is413() {
    JsonNode raw =
        assertProblem(http.put("/v1/kv/v", new byte[VALUE_BYTES_MAX + 1]), 413, "limit-exceeded");
    assertThat(raw.path("limit").asText()).isEqualTo("value_bytes_max");
    assertThat(raw.path("max").asInt()).isEqualTo(VALUE_BYTES_MAX);
    assertThat(raw.path("detail").asText()).contains((VALUE_BYTES_MAX + 1) + " bytes");

    String longString = "x".repeat(VALUE_BYTES_MAX - 1);
    JsonNode json =
        assertProblem(
            http.post("/api/v1/put", "{\"key\":\"k\",\"value\":[\"" + longString + "\"]}"),
            413,
            "limit-exceeded");
    assertThat(json.path("limit").asText()).isEqualTo("value_bytes_max");

    assertThat(http.put("/v1/kv/v", new byte[VALUE_BYTES_MAX]).statusCode()).isEqualTo(200);
  }

  @Test
  void key_overKeyBytesMax_is400() {
    String longKey = "k".repeat(KEY_BYTES_MAX + 1);
    for (HttpResponse<byte[]> response :
        java.util.List.of(
            http.put("/v1/kv/" + longKey, new byte[1]),
            http.get("/v1/kv/" + longKey),
            http.delete("/v1/kv/" + longKey),
            http.get("/api/v1/get?key=" + longKey),
            http.post("/api/v1/put", "{\"key\":\"" + longKey + "\",\"value\":1}"))) {
      JsonNode problem = assertProblem(response, 400, "limit-exceeded");
      assertThat(problem.path("limit").asText()).isEqualTo("key_bytes_max");
      assertThat(problem.path("max").asInt()).isEqualTo(KEY_BYTES_MAX);
      assertThat(problem.path("detail").asText()).contains((KEY_BYTES_MAX + 1) + " bytes");
    }
    // Multi-byte characters count in bytes: 22 three-byte characters are 66 bytes.
    assertProblem(http.get("/api/v1/get?key=" + "%E2%9C%93".repeat(22)), 400, "limit-exceeded");
    assertNothingStored();
  }

  @Test
  void wrongMethod_is405WithAllow() {
    HttpResponse<byte[]> onKey =
        http.send(http.request("/v1/kv/k").POST(HttpRequest.BodyPublishers.noBody()).build());
    assertProblem(onKey, 405, "method-not-allowed");
    assertThat(onKey.headers().firstValue("Allow")).hasValue("GET, PUT, DELETE");

    HttpResponse<byte[]> onPut = http.get("/api/v1/put");
    assertThat(assertProblem(onPut, 405, "method-not-allowed").path("detail").asText())
        .contains("GET is not allowed on /api/v1/put");
    assertThat(onPut.headers().firstValue("Allow")).hasValue("POST");

    HttpResponse<byte[]> head =
        http.send(
            http.request("/health").method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(405);
    assertThat(head.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void unknownRoute_is404() {
    for (String path : new String[] {"/", "/nope", "/health/", "/v1/kvx", "/api/v1/get/extra"}) {
      JsonNode problem = assertProblem(http.get(path), 404, "route-not-found");
      assertThat(problem.path("instance").asText()).isEqualTo(path);
      assertThat(problem.path("detail").asText()).contains("/openapi.json");
    }
  }

  @Test
  void listing_badLimitOrCursor_is400NamingTheParameter() {
    for (String limit : new String[] {"0", "-1", "1001", "abc", ""}) {
      JsonNode problem = assertProblem(http.get("/v1/kv?limit=" + limit), 400, "invalid-parameter");
      assertThat(problem.path("parameter").asText()).isEqualTo("limit");
      assertThat(problem.path("max").asInt()).isEqualTo(KvRoutes.LIST_LIMIT_MAX);
      assertThat(problem.path("detail").asText()).contains("from 1 to 1000");
    }
    JsonNode cursor = assertProblem(http.get("/v1/kv?cursor=zzz"), 400, "invalid-parameter");
    assertThat(cursor.path("parameter").asText()).isEqualTo("cursor");
    assertThat(cursor.path("detail").asText()).contains("invalid cursor 'zzz'");

    assertThat(detail(http.get("/v1/kv?encoding=hex"), 400, "invalid-parameter"))
        .contains("json or base64");
    assertThat(detail(http.get("/v1/kv?limit=1&limit=2"), 400, "invalid-parameter"))
        .contains("given 2 times");
  }

  @Test
  void badParameters_areNamed() {
    assertThat(detail(http.get("/api/v1/get"), 400, "invalid-parameter"))
        .contains("missing query parameter 'key'");
    assertThat(detail(http.put("/v1/kv/k?ttl=0", new byte[1]), 400, "invalid-parameter"))
        .contains("'ttl'");
    assertThat(detail(http.put("/v1/kv/k?ttl=soon", new byte[1]), 400, "invalid-parameter"))
        .contains("'soon'");
    assertThat(
            detail(
                http.put(
                    "/v1/kv/k?ttl=5",
                    "{\"value\":1,\"ttlMillis\":5}".getBytes(StandardCharsets.UTF_8),
                    "Content-Type",
                    "application/json"),
                400,
                "invalid-parameter"))
        .contains("once");
    assertThat(detail(http.get("/v1/kv/"), 400, "invalid-parameter")).contains("names no key");
    assertNothingStored();
  }

  @Test
  void malformedPercentEncoding_is400SayingWhere() throws Exception {
    // java.net.URI refuses these targets, so they go over a socket by hand.
    try (RawHttpConnection connection = new RawHttpConnection(http.port())) {
      assertRawProblem(
          connection.exchange(RawHttpConnection.put("/v1/kv/a%2", "x")),
          "truncated percent-escape at offset 1");
      assertRawProblem(
          connection.exchange(RawHttpConnection.get("/v1/kv/a%zz")), "'%zz' is not hexadecimal");
      assertRawProblem(
          connection.exchange(RawHttpConnection.get("/api/v1/get?key=%")),
          "malformed query string");
      assertThat(connection.exchange(RawHttpConnection.get("/health")).status()).isEqualTo(200);
    }
    assertNothingStored();
  }

  private static void assertRawProblem(RawHttpConnection.Response response, String detail) {
    assertThat(response.status()).as(response.text()).isEqualTo(400);
    assertThat(response.headers().get("content-type")).isEqualTo(HttpReply.PROBLEM_JSON);
    JsonNode problem = HttpFixture.parse(response.text());
    assertThat(problem.path("type").asText())
        .isEqualTo(ProblemType.URI_PREFIX + "invalid-parameter");
    assertThat(problem.path("detail").asText()).contains(detail);
  }

  @Test
  void requestLineAndHeaders_overTheirBounds_are414And431() {
    int lineMax = Math.max(HttpServer.REQUEST_LINE_BYTES_MIN, 3 * KEY_BYTES_MAX + 1024);
    JsonNode uri = assertProblem(http.get("/v1/kv/" + "u".repeat(lineMax)), 414, "limit-exceeded");
    assertThat(uri.path("limit").asText()).isEqualTo(HttpServer.REQUEST_LINE_LIMIT_NAME);

    JsonNode header =
        assertProblem(
            http.get("/health", "X-Padding", "p".repeat(HttpServer.HEADER_BYTES_MAX)),
            431,
            "limit-exceeded");
    assertThat(header.path("limit").asText()).isEqualTo(HttpServer.HEADER_LIMIT_NAME);
    assertThat(header.path("max").asInt()).isEqualTo(HttpServer.HEADER_BYTES_MAX);

    assertThat(http.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void storageFailure_is500SayingTheWriteMayHaveApplied() throws Exception {
    http.engine.close();
    JsonNode write = assertProblem(http.put("/v1/kv/k", new byte[1]), 500, "internal");
    assertThat(write.path("detail").asText())
        .contains("is closed")
        .contains("may or may not have been applied");
    JsonNode read = assertProblem(http.get("/v1/kv/k"), 500, "internal");
    assertThat(read.path("detail").asText()).doesNotContain("may or may not");
  }
}
