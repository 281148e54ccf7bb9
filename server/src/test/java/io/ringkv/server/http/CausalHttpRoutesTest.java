package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static io.ringkv.server.http.HttpFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The register routes in a causal keyspace over real HTTP, against {@link ScriptedCausalService}:
 * the context out as an ETag and back as If-Match, 300 with the siblings, {@code ?siblings=winner},
 * the keyspace parameter, idempotency keys, and the problems of each refusal.
 */
class CausalHttpRoutesTest {
  private static final String CAUSAL = "?keyspace=causal";

  @TempDir Path directory;
  HttpFixture http;
  ScriptedCausalService service;

  @BeforeEach
  void start() {
    http =
        HttpFixture.start(
            directory, options -> options.wrap = real -> service = new ScriptedCausalService(real));
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String tag(byte[] context) {
    return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(context) + "\"";
  }

  private static CausalValue.Register register(byte[] context, CausalValue.Sibling... siblings) {
    return new CausalValue.Register(context, List.of(siblings));
  }

  private static CausalValue.Sibling sibling(String value, long timestamp) {
    return new CausalValue.Sibling(value == null ? null : utf8(value), timestamp);
  }

  @Test
  void getThenPut_etagRoundTrip_theWriteCarriesTheReadsContext() {
    byte[] readContext = ScriptedCausalService.context(3);
    byte[] writtenContext = ScriptedCausalService.context(4);
    service.answerReads(register(readContext, sibling("{\"a\":1}", 70)));

    HttpResponse<byte[]> read = http.get("/api/v1/get?key=k&keyspace=causal");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("ETag")).hasValue(tag(readContext));
    assertThat(json(read)).isEqualTo(HttpFixture.parse("{\"key\":\"k\",\"value\":{\"a\":1}}"));
    assertThat(service.onlyRead().options().keyspace()).isEqualTo("causal");

    service.answerWrites(
        new CausalWriteOutcome(register(writtenContext, sibling("2", 80)), 0, false));
    HttpResponse<byte[]> written =
        http.post(
            "/api/v1/put" + CAUSAL,
            "{\"key\":\"k\",\"value\":2}",
            "If-Match",
            read.headers().firstValue("ETag").orElseThrow());
    assertThat(written.statusCode()).as(HttpFixture.describe(written)).isEqualTo(200);
    assertThat(written.headers().firstValue("ETag")).hasValue(tag(writtenContext));
    assertThat(json(written)).isEqualTo(HttpFixture.parse("{\"key\":\"k\",\"timestamp\":80}"));

    ScriptedCausalService.Write write = service.onlyWrite();
    assertThat(write.key()).isEqualTo(utf8("k"));
    assertThat(write.options().keyspace()).isEqualTo("causal");
    CausalWrite.Put put = (CausalWrite.Put) write.write();
    assertThat(put.value()).isEqualTo(utf8("2"));
    assertThat(put.context()).isEqualTo(readContext);
  }

  @Test
  void put_withoutIfMatch_isABlindWrite() {
    service.answerWrites(
        new CausalWriteOutcome(
            register(ScriptedCausalService.context(1), sibling("v", 5)), 0, false));
    HttpResponse<byte[]> written = http.put("/v1/kv/k" + CAUSAL, utf8("v"));
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(json(written))
        .isEqualTo(HttpFixture.parse("{\"key\":\"k\",\"timestamp\":5,\"expiresAt\":null}"));
    assertThat(((CausalWrite.Put) service.onlyWrite().write()).context()).isNull();
  }

  @Test
  void put_keyspaceByHeader_isTheSameAsByParameter() {
    service.answerWrites(
        new CausalWriteOutcome(
            register(ScriptedCausalService.context(1), sibling("v", 5)), 0, false));
    HttpResponse<byte[]> written = http.put("/v1/kv/k", utf8("v"), "X-Keyspace", "causal");
    assertThat(written.statusCode()).isEqualTo(200);
    assertThat(service.onlyWrite().options().keyspace()).isEqualTo("causal");
  }

  @Test
  void get_concurrentSiblings_answers300WithEverySiblingAndTheContext() {
    byte[] context = ScriptedCausalService.context(7);
    service.answerReads(
        register(context, sibling("[1,2]", 90), sibling(null, 85), sibling("plain", 80)));

    HttpResponse<byte[]> seed = http.get("/api/v1/get?key=k&keyspace=causal");
    assertThat(seed.statusCode()).isEqualTo(300);
    assertThat(seed.headers().firstValue("ETag")).hasValue(tag(context));
    assertThat(json(seed))
        .isEqualTo(
            HttpFixture.parse(
                "{\"key\":\"k\",\"context\":"
                    + tag(context)
                    + ",\"siblings\":[{\"value\":[1,2],\"timestamp\":90},"
                    + "{\"deleted\":true,\"timestamp\":85},"
                    + "{\"value\":\"plain\",\"timestamp\":80}]}"));

    HttpResponse<byte[]> rest = http.get("/v1/kv/k?keyspace=causal&encoding=base64");
    assertThat(rest.statusCode()).isEqualTo(300);
    JsonNode body = json(rest);
    assertThat(body.path("key").asText()).isEqualTo(Base64.getEncoder().encodeToString(utf8("k")));
    assertThat(body.path("siblings").get(0).path("value").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(utf8("[1,2]")));
    assertThat(body.path("siblings").get(1).path("deleted").asBoolean()).isTrue();
    assertThat(body.path("siblings").get(1).has("value")).isFalse();
  }

  @Test
  void get_siblingsWinner_answers200WithTheNewest() {
    byte[] context = ScriptedCausalService.context(7);
    service.answerReads(register(context, sibling("new", 90), sibling("old", 80)));

    HttpResponse<byte[]> raw = http.get("/v1/kv/k?keyspace=causal&siblings=winner");
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.body()).isEqualTo(utf8("new"));
    assertThat(raw.headers().firstValue("X-Ringkv-Timestamp")).hasValue("90");
    assertThat(raw.headers().firstValue("ETag")).hasValue(tag(context));

    HttpResponse<byte[]> envelope =
        http.get("/v1/kv/k?keyspace=causal&siblings=winner", "Accept", "application/json");
    assertThat(json(envelope))
        .isEqualTo(
            HttpFixture.parse(
                "{\"key\":\"k\",\"value\":\"new\",\"timestamp\":90,\"expiresAt\":null}"));

    assertProblem(http.get("/v1/kv/k?keyspace=causal&siblings=some"), 400, "invalid-parameter");
  }

  @Test
  void get_winnerIsADelete_or_absent_is404WithTheContext() {
    byte[] context = ScriptedCausalService.context(9);
    service.answerReads(register(context, sibling(null, 90), sibling("old", 80)));
    HttpResponse<byte[]> deleted = http.get("/api/v1/get?key=k&keyspace=causal&siblings=winner");
    assertProblem(deleted, 404, "key-not-found");
    assertThat(deleted.headers().firstValue("ETag")).hasValue(tag(context));

    service.answerReads(register(context, sibling(null, 90), sibling(null, 80)));
    HttpResponse<byte[]> onlyDeletes = http.get("/v1/kv/k?keyspace=causal");
    assertProblem(onlyDeletes, 404, "key-not-found");
    assertThat(onlyDeletes.headers().firstValue("ETag")).hasValue(tag(context));

    service.answerReads(new CausalValue.Absent(new byte[0]));
    HttpResponse<byte[]> absent = http.get("/api/v1/get?key=k&keyspace=causal");
    assertProblem(absent, 404, "key-not-found");
    assertThat(absent.headers().firstValue("ETag")).isEmpty();
  }

  @Test
  void lastWriteWinsKeyspacesAndListings_goThroughThePlainCallsWithoutAnETag() {
    assertThat(http.post("/api/v1/put", "{\"key\":\"k\",\"value\":1}").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> read = http.get("/api/v1/get?key=k");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("ETag")).isEmpty();

    http.get("/api/v1/get?key=k&keyspace=plain");
    http.get("/v1/kv/k", "X-Keyspace", "default");
    assertThat(http.get("/v1/kv?keyspace=causal").statusCode()).isEqualTo(200);
    assertThat(service.reads()).isEmpty();
    assertThat(service.plainCalls())
        .extracting(ScriptedCausalService.Plain::operation, ScriptedCausalService.Plain::keyspace)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("write", null),
            org.assertj.core.groups.Tuple.tuple("get", null),
            org.assertj.core.groups.Tuple.tuple("get", "plain"),
            org.assertj.core.groups.Tuple.tuple("get", null),
            org.assertj.core.groups.Tuple.tuple("scan", "causal"));
  }

  @Test
  void delete_withIfMatch_sendsTheContext_andAnswersTheNewETag() {
    byte[] readContext = ScriptedCausalService.context(2);
    byte[] after = ScriptedCausalService.context(3);
    service.answerWrites(new CausalWriteOutcome(new CausalValue.Absent(after), 0, false));
    HttpResponse<byte[]> deleted = http.delete("/v1/kv/k" + CAUSAL, "If-Match", tag(readContext));
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.headers().firstValue("ETag")).hasValue(tag(after));
    assertThat(((CausalWrite.Delete) service.onlyWrite().write()).context()).isEqualTo(readContext);
  }

  @Test
  void put_damagedIfMatch_is400NamingIfMatch_andNothingIsWritten() {
    byte[] damaged = ScriptedCausalService.context(3);
    damaged[damaged.length - 1] ^= 0x01;
    for (String ifMatch :
        List.of(tag(damaged), "\"not base64!\"", "W/" + tag(damaged), "*", "abc", "\"a\", \"b\"")) {
      JsonNode problem =
          assertProblem(
              http.put("/v1/kv/k" + CAUSAL, utf8("v"), "If-Match", ifMatch),
              400,
              "invalid-parameter");
      assertThat(problem.path("parameter").asText()).as(ifMatch).isEqualTo("If-Match");
      assertThat(problem.path("detail").asText()).contains("If-Match");
    }
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void put_ifMatchInALastWriteWinsKeyspace_is400() {
    JsonNode problem =
        assertProblem(
            http.post(
                "/api/v1/put",
                "{\"key\":\"k\",\"value\":1}",
                "If-Match",
                tag(ScriptedCausalService.context(1))),
            400,
            "invalid-parameter");
    assertThat(problem.path("parameter").asText()).isEqualTo("If-Match");
    assertThat(problem.path("detail").asText()).contains("lww");
    assertThat(service.plainCalls()).isEmpty();
  }

  @Test
  void put_ttlInACausalKeyspace_is400() {
    assertProblem(http.put("/v1/kv/k?keyspace=causal&ttl=60", utf8("v")), 400, "invalid-parameter");
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void idempotencyKey_oneTo64Bytes_reachesTheService_longerOrEmptyIs400() {
    service.answerWrites(
        new CausalWriteOutcome(
            register(ScriptedCausalService.context(1), sibling("v", 5)), 0, false));
    String longest = "k".repeat(CausalHeaders.IDEMPOTENCY_KEY_BYTES_MAX);
    assertThat(http.put("/v1/kv/k" + CAUSAL, utf8("v"), "Idempotency-Key", longest).statusCode())
        .isEqualTo(200);
    assertThat(service.onlyWrite().options().idempotencyKey()).isEqualTo(utf8(longest));

    assertThat(http.delete("/v1/kv/k", "X-Idempotency-Key", "retry-1").statusCode()).isEqualTo(204);
    assertThat(service.plainCalls().getLast().idempotencyKey()).isEqualTo(utf8("retry-1"));

    JsonNode tooLong =
        assertProblem(
            http.put("/v1/kv/k" + CAUSAL, utf8("v"), "Idempotency-Key", longest + "k"),
            400,
            "invalid-parameter");
    assertThat(tooLong.path("parameter").asText()).isEqualTo("Idempotency-Key");
    assertThat(tooLong.path("max").asInt()).isEqualTo(64);
    assertThat(tooLong.path("detail").asText()).contains("65 bytes").contains("64");

    JsonNode disagree =
        assertProblem(
            http.put(
                "/v1/kv/k" + CAUSAL, utf8("v"), "Idempotency-Key", "a", "X-Idempotency-Key", "b"),
            400,
            "invalid-parameter");
    assertThat(disagree.path("detail").asText()).contains("disagree");
    assertThat(service.writes()).hasSize(1);
  }

  @Test
  void keyspace_malformedDisagreeingOrUnknown_isAProblemNamingIt() {
    JsonNode query =
        assertProblem(http.get("/api/v1/get?key=k&keyspace=Bad-Name"), 400, "invalid-parameter");
    assertThat(query.path("parameter").asText()).isEqualTo("keyspace");
    assertThat(query.path("detail").asText()).contains("Bad-Name").contains("48 characters");

    JsonNode header =
        assertProblem(http.get("/v1/kv/k", "X-Keyspace", "9lives"), 400, "invalid-parameter");
    assertThat(header.path("parameter").asText()).isEqualTo("X-Keyspace");

    assertProblem(
        http.get("/v1/kv/k?keyspace=causal", "X-Keyspace", "plain"), 400, "invalid-parameter");

    JsonNode unknown =
        assertProblem(http.put("/v1/kv/k?keyspace=nowhere", utf8("v")), 404, "keyspace-not-found");
    assertThat(unknown.path("detail").asText()).contains("nowhere");
    assertThat(service.writes()).isEmpty();
    assertThat(service.plainCalls()).isEmpty();
  }

  @Test
  void registerRoutes_onACounter_are409WrongType() {
    service.answerReads(new CausalValue.Counter(ScriptedCausalService.context(1), 5));
    JsonNode problem =
        assertProblem(http.get("/api/v1/get?key=k&keyspace=causal"), 409, "wrong-type");
    assertThat(problem.path("detail").asText())
        .startsWith("WRONGTYPE Operation against a key holding the wrong kind of value")
        .contains("/api/v1/counter");
  }

  @Test
  void serviceRefusals_mapToTheirProblems() {
    service.failWith(
        KvException.Kind.WRONG_TYPE,
        "WRONGTYPE Operation against a key holding the wrong kind of value");
    assertProblem(http.put("/v1/kv/k" + CAUSAL, utf8("v")), 409, "wrong-type");
    service.failWith(KvException.Kind.CONFLICT, "key k has 32 siblings, the cap (siblings_max)");
    JsonNode conflict = assertProblem(http.put("/v1/kv/k" + CAUSAL, utf8("v")), 409, "conflict");
    assertThat(conflict.path("detail").asText()).contains("siblings_max");
    service.failWith(KvException.Kind.NO_SUCH_KEYSPACE, "no keyspace causal");
    assertProblem(http.get("/v1/kv/k" + CAUSAL), 404, "keyspace-not-found");
    service.failWith(KvException.Kind.TIMEOUT, "1 of 2 acknowledgements");
    assertThat(
            assertProblem(http.put("/v1/kv/k" + CAUSAL, utf8("v")), 504, "timeout")
                .path("detail")
                .asText())
        .contains("may or may not have been applied");
  }
}
