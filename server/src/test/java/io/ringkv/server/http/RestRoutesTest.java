package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static io.ringkv.server.http.HttpFixture.json;
import static io.ringkv.server.http.HttpFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.common.ManualClock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST routes under {@code /v1/kv}: raw bytes, the JSON envelope, TTL, delete, listing. */
class RestRoutesTest {
  static final long START_MILLIS = 1_700_000_000_000L;

  @TempDir Path directory;
  HttpFixture http;
  ManualClock clock = new ManualClock(0, START_MILLIS);

  private void start() {
    http = HttpFixture.start(directory, options -> options.clock = clock);
  }

  @AfterEach
  void stopServer() throws Exception {
    if (http != null) {
      http.close();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void put_rawBytes_getReturnsTheSameBytes() {
    start();
    byte[] everyByte = new byte[256];
    for (int i = 0; i < 256; i++) {
      everyByte[i] = (byte) i;
    }
    HttpResponse<byte[]> written =
        http.put("/v1/kv/bytes", everyByte, "Content-Type", "application/octet-stream");
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(json(written).path("expiresAt").isNull()).isTrue();

    HttpResponse<byte[]> read = http.get("/v1/kv/bytes");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(read.headers().firstValue("X-Ringkv-Timestamp")).isPresent();
    assertThat(read.headers().firstValue("X-Ringkv-Expires-At")).isEmpty();
    assertThat(read.body()).isEqualTo(everyByte);
  }

  @Test
  void put_emptyBody_storesTheEmptyValue() {
    start();
    assertThat(http.put("/v1/kv/empty", new byte[0]).statusCode()).isEqualTo(200);
    HttpResponse<byte[]> read = http.get("/v1/kv/empty");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEmpty();
  }

  @Test
  void put_utf8EdgeCases_roundTripByteForByte() {
    start();
    List<byte[]> values =
        List.of(
            utf8("é ✓ 😀 ك 中"),
            new byte[] {(byte) 0xC3}, // a truncated two-byte sequence
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            new byte[] {(byte) 0xC0, (byte) 0x80}, // overlong NUL
            new byte[] {(byte) 0xF8, 'x', (byte) 0xFF},
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}); // BOM then JSON
    for (int i = 0; i < values.size(); i++) {
      http.put("/v1/kv/utf8-" + i, values.get(i));
      assertThat(http.get("/v1/kv/utf8-" + i).body()).as("value %d", i).isEqualTo(values.get(i));
      JsonNode exact =
          json(http.get("/v1/kv/utf8-" + i + "?encoding=base64", "Accept", "application/json"));
      assertThat(Base64.getDecoder().decode(exact.path("value").asText())).isEqualTo(values.get(i));
    }
    JsonNode view = json(http.get("/v1/kv/utf8-1", "Accept", "application/json"));
    assertThat(view.path("value").asText()).isEqualTo("\uFFFD");
  }

  @Test
  void get_acceptJson_returnsTheEnvelope() {
    start();
    http.put("/v1/kv/doc", utf8("{\"n\": [1, 2.50]}"));
    http.put("/v1/kv/text", utf8("just text"));

    JsonNode doc = json(http.get("/v1/kv/doc", "Accept", "text/html, application/json;q=0.9"));
    assertThat(doc.path("key").asText()).isEqualTo("doc");
    assertThat(doc.get("value")).isEqualTo(parse("{\"n\":[1,2.50]}"));
    assertThat(doc.path("timestamp").asLong()).isEqualTo(START_MILLIS * 1000);
    assertThat(doc.get("expiresAt").isNull()).isTrue();

    JsonNode text = json(http.get("/v1/kv/text", "Accept", "application/json"));
    assertThat(text.get("value")).isEqualTo(parse("\"just text\""));
  }

  @Test
  void put_jsonEnvelope_storesTheValueAsTheJsonApiDoes() {
    start();
    HttpResponse<byte[]> written =
        http.put(
            "/v1/kv/envelope",
            utf8("{\"value\": {\"list\": [1, \"two\"]}}"),
            "Content-Type",
            "application/json; charset=utf-8");
    assertThat(written.statusCode()).as(HttpFixture.describe(written)).isEqualTo(200);
    assertThat(http.get("/v1/kv/envelope").body()).isEqualTo(utf8("{\"list\":[1,\"two\"]}"));
    assertThat(json(http.get("/api/v1/get?key=envelope")).get("value"))
        .isEqualTo(parse("{\"list\":[1,\"two\"]}"));

    http.put("/v1/kv/plain", utf8("{\"value\": \"hi\"}"), "Content-Type", "application/json");
    assertThat(http.get("/v1/kv/plain").body()).isEqualTo(utf8("hi"));
  }

  @Test
  void keys_inPaths_arePercentDecodedBytes() {
    start();
    http.put("/v1/kv/%00%FF%2F", utf8("binary key"));
    http.put("/v1/kv/users/42", utf8("slash in key"));
    http.put("/v1/kv/a+b%20c", utf8("plus and space"));
    http.put("/v1/kv/%D0%BA%F0%9F%98%80", utf8("multi-byte key"));

    assertThat(http.get("/v1/kv/%00%ff%2f").body()).isEqualTo(utf8("binary key"));
    assertThat(http.get("/v1/kv/users%2F42").body()).isEqualTo(utf8("slash in key"));
    assertThat(http.get("/api/v1/get?key=a%2Bb+c").statusCode()).isEqualTo(200);
    assertThat(json(http.get("/api/v1/get?key=%D0%BA%F0%9F%98%80")).path("value").asText())
        .isEqualTo("multi-byte key");

    JsonNode listing = json(http.get("/v1/kv?encoding=base64"));
    Set<String> keys = new HashSet<>();
    listing.path("items").forEach(item -> keys.add(item.path("key").asText()));
    assertThat(keys).contains(Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xFF, '/'}));
  }

  @Test
  void delete_isIdempotent() {
    start();
    http.put("/v1/kv/doomed", utf8("x"));
    HttpResponse<byte[]> deleted = http.delete("/v1/kv/doomed");
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();
    assertProblem(http.get("/v1/kv/doomed"), 404, "key-not-found");
    assertThat(http.delete("/v1/kv/doomed").statusCode()).isEqualTo(204);
    assertThat(http.delete("/v1/kv/never-was").statusCode()).isEqualTo(204);
  }

  @Test
  void ttl_queryParameter_expiresTheValue() {
    start();
    HttpResponse<byte[]> written = http.put("/v1/kv/session?ttl=10", utf8("token"));
    assertThat(json(written).path("expiresAt").asLong()).isEqualTo(START_MILLIS + 10_000);

    HttpResponse<byte[]> live = http.get("/v1/kv/session");
    assertThat(live.body()).isEqualTo(utf8("token"));
    assertThat(live.headers().firstValue("X-Ringkv-Expires-At"))
        .hasValue(Long.toString(START_MILLIS + 10_000));
    assertThat(
            json(http.get("/v1/kv/session", "Accept", "application/json"))
                .path("expiresAt")
                .asLong())
        .isEqualTo(START_MILLIS + 10_000);

    clock.advanceNanos(9_999_000_000L);
    assertThat(http.get("/v1/kv/session").statusCode()).isEqualTo(200);
    clock.advanceNanos(1_000_000L);
    assertProblem(http.get("/v1/kv/session"), 404, "key-not-found");
  }

  @Test
  void ttl_envelopeField_expiresTheValue() {
    start();
    http.put(
        "/v1/kv/short",
        utf8("{\"value\": [1], \"ttlMillis\": 1500}"),
        "Content-Type",
        "application/json");
    http.put(
        "/v1/kv/forever",
        utf8("{\"value\": [2], \"ttlMillis\": null}"),
        "Content-Type",
        "application/json");
    clock.advanceNanos(1_499_000_000L);
    assertThat(json(http.get("/api/v1/get?key=short")).get("value")).isEqualTo(parse("[1]"));
    clock.advanceNanos(1_000_000L);
    assertProblem(http.get("/api/v1/get?key=short"), 404, "key-not-found");
    assertThat(json(http.get("/api/v1/get?key=forever")).get("value")).isEqualTo(parse("[2]"));
  }

  @Test
  void list_pagesThroughEveryKeyExactlyOnce() {
    start();
    int count = 2_500;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      http.put(String.format("/v1/kv/key-%05d", i), utf8("value-" + i));
      expected.add(String.format("key-%05d", i));
    }
    for (int limit : new int[] {1000, 100, 7}) {
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        String query = "/v1/kv?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor);
        JsonNode page = json(http.get(query));
        assertThat(page.path("items").size()).isLessThanOrEqualTo(limit);
        for (JsonNode item : page.path("items")) {
          String key = item.path("key").asText();
          assertThat(item.path("value").asText())
              .isEqualTo("value-" + Integer.parseInt(key.substring(4)));
          seen.add(key);
        }
        cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
        pages++;
        assertThat(pages).as("pages at limit %d", limit).isLessThanOrEqualTo(count / limit + 2);
      } while (cursor != null);
      // Token order, not key order: the contract is every key exactly once.
      assertThat(seen).as("limit %d", limit).containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(json(http.get("/v1/kv")).path("items").size())
        .isEqualTo(KvRoutes.LIST_LIMIT_DEFAULT);
  }

  @Test
  void list_largeValues_endThePageAtTheByteBudget() {
    start();
    byte[] mebibyte = new byte[1 << 20];
    int count = 6;
    for (int i = 0; i < count; i++) {
      mebibyte[0] = (byte) i;
      assertThat(http.put("/v1/kv/big-" + i, mebibyte).statusCode()).isEqualTo(200);
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page =
          json(http.get("/v1/kv?encoding=base64" + (cursor == null ? "" : "&cursor=" + cursor)));
      assertThat(page.path("items").size()).isBetween(1, 4);
      page.path("items")
          .forEach(
              item ->
                  seen.add(
                      new String(
                          Base64.getDecoder().decode(item.path("key").asText()),
                          StandardCharsets.UTF_8)));
      cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isGreaterThan(1);
    assertThat(seen)
        .containsExactlyInAnyOrder("big-0", "big-1", "big-2", "big-3", "big-4", "big-5");
  }

  @Test
  void list_emptyStore_isOneEmptyPage() {
    start();
    JsonNode page = json(http.get("/v1/kv"));
    assertThat(page.path("items").isEmpty()).isTrue();
    assertThat(page.get("cursor").isNull()).isTrue();
  }
}
