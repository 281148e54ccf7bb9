package io.ringkv.server.http;

import static io.ringkv.server.http.HttpFixture.assertProblem;
import static io.ringkv.server.http.HttpFixture.json;
import static io.ringkv.server.http.HttpFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counter and set routes over real HTTP, against {@link ScriptedCausalService}: what reaches
 * the service, what the client gets back, and the 400s for bad input and last-write-wins keyspaces.
 */
class CrdtRoutesTest {
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

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void counterAnswers(long value) {
    service.answerWrites(
        new CausalWriteOutcome(
            new CausalValue.Counter(ScriptedCausalService.context(1), value), 0, false));
  }

  @Test
  void counterIncr_byDefaultsToOne_andAnswersTheValue() {
    counterAnswers(1);
    HttpResponse<byte[]> response =
        http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"hits\"}");
    assertThat(response.statusCode()).as(HttpFixture.describe(response)).isEqualTo(200);
    assertThat(json(response)).isEqualTo(parse("{\"key\":\"hits\",\"value\":1}"));
    ScriptedCausalService.Write write = service.onlyWrite();
    assertThat(write.key()).isEqualTo(utf8("hits"));
    assertThat(write.write()).isEqualTo(new CausalWrite.Increment(1));
    assertThat(write.options().keyspace()).isEqualTo("causal");
    assertThat(write.options().idempotencyKey()).isNull();
  }

  @Test
  void counterIncr_negativeAndExtremeIncrements_andTheIdempotencyKey() {
    counterAnswers(-5);
    assertThat(
            http.post(
                    "/api/v1/counter/incr?keyspace=causal",
                    "{\"key\":\"hits\",\"by\":-9223372036854775808}",
                    "Idempotency-Key",
                    "attempt-1")
                .statusCode())
        .isEqualTo(200);
    assertThat(service.writes().getLast().write())
        .isEqualTo(new CausalWrite.Increment(Long.MIN_VALUE));
    assertThat(text(service.writes().getLast().options().idempotencyKey())).isEqualTo("attempt-1");

    assertThat(
            http.post(
                    "/api/v1/counter/incr?keyspace=causal",
                    "{\"key\":\"hits\",\"by\":3,\"idempotencyKey\":\"attempt-2\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(text(service.writes().getLast().options().idempotencyKey())).isEqualTo("attempt-2");

    JsonNode disagree =
        assertProblem(
            http.post(
                "/api/v1/counter/incr?keyspace=causal",
                "{\"key\":\"hits\",\"idempotencyKey\":\"a\"}",
                "Idempotency-Key",
                "b"),
            400,
            "invalid-body");
    assertThat(disagree.path("field").asText()).isEqualTo("idempotencyKey");
    assertThat(service.writes()).hasSize(2);
  }

  @Test
  void crdtRoutes_passTheConsistencyLevelAndSessionTimestamp() {
    counterAnswers(1);
    http.post(
        "/api/v1/counter/incr?keyspace=causal&consistency=all",
        "{\"key\":\"k\"}",
        "X-Session-Timestamp",
        "12345");
    assertThat(service.onlyWrite().options().consistency()).isEqualTo(ConsistencyLevel.ALL);
    assertThat(service.onlyWrite().options().sessionTimestamp()).isEqualTo(12345);
    service.answerReads(new CausalValue.Absent(new byte[0]));
    http.get("/api/v1/set/members?key=s&keyspace=causal", "X-Consistency-Level", "ONE");
    assertThat(service.onlyRead().options().consistency()).isEqualTo(ConsistencyLevel.ONE);
    assertProblem(
        http.get("/api/v1/counter?key=k&keyspace=causal&consistency=any"),
        400,
        "invalid-parameter");
  }

  @Test
  void counterIncr_badInput_is400NamingTheField() {
    for (String by :
        List.of("9223372036854775808", "\"1\"", "true", "[1]", "0.123456789012345678", "1e40")) {
      JsonNode problem =
          assertProblem(
              http.post(
                  "/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\",\"by\":" + by + "}"),
              400,
              "invalid-body");
      assertThat(problem.path("field").asText()).as(by).isEqualTo("by");
    }
    JsonNode unknown =
        assertProblem(
            http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\",\"step\":2}"),
            400,
            "invalid-body");
    assertThat(unknown.path("field").asText()).isEqualTo("step");
    JsonNode missing =
        assertProblem(
            http.post("/api/v1/counter/incr?keyspace=causal", "{\"by\":2}"), 400, "invalid-body");
    assertThat(missing.path("field").asText()).isEqualTo("key");
    JsonNode longKey =
        assertProblem(
            http.post(
                "/api/v1/counter/incr?keyspace=causal",
                "{\"key\":\"k\",\"idempotencyKey\":\"" + "x".repeat(65) + "\"}"),
            400,
            "invalid-body");
    assertThat(longKey.path("max").asInt()).isEqualTo(CausalHeaders.IDEMPOTENCY_KEY_BYTES_MAX);
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void counterIncr_aDecimalByIsAnExactFloatIncrement_andAFractionalValueIsAnExactJsonNumber() {
    service.answerWrites(
        new CausalWriteOutcome(
            new CausalValue.Counter(
                ScriptedCausalService.context(1), 0, new java.math.BigDecimal("0.00000012")),
            0,
            false));
    HttpResponse<byte[]> reply =
        http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\",\"by\":1.20e-7}");
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(new String(reply.body(), StandardCharsets.UTF_8))
        .contains("\"value\":0.00000012")
        .doesNotContain("E");
    CausalWrite.IncrementFloat write = (CausalWrite.IncrementFloat) service.onlyWrite().write();
    assertThat(write.delta()).isEqualByComparingTo(new java.math.BigDecimal("0.00000012"));
  }

  @Test
  void counterGet_answersTheValue_404WhenNeverIncremented_409OnAnotherType() {
    service.answerReads(new CausalValue.Counter(ScriptedCausalService.context(2), 42));
    HttpResponse<byte[]> read = http.get("/api/v1/counter?key=hits&keyspace=causal");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(json(read)).isEqualTo(parse("{\"key\":\"hits\",\"value\":42}"));
    assertThat(service.onlyRead().options().keyspace()).isEqualTo("causal");

    service.answerReads(new CausalValue.Absent(new byte[0]));
    assertProblem(http.get("/api/v1/counter?key=hits&keyspace=causal"), 404, "key-not-found");

    service.answerReads(new CausalValue.Set(ScriptedCausalService.context(2), List.of(utf8("a"))));
    JsonNode wrongType =
        assertProblem(http.get("/api/v1/counter?key=hits&keyspace=causal"), 409, "wrong-type");
    assertThat(wrongType.path("detail").asText()).startsWith("WRONGTYPE").contains("a set");

    assertProblem(http.get("/api/v1/counter?keyspace=causal"), 400, "invalid-parameter");
  }

  @Test
  void counterIncr_serviceRefusals_areTheirProblems() {
    service.failWith(
        KvException.Kind.CONFLICT, "increment or decrement would overflow; nothing was written");
    assertProblem(
        http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\",\"by\":1}"),
        409,
        "conflict");
    service.failWith(
        KvException.Kind.WRONG_TYPE,
        "WRONGTYPE Operation against a key holding the wrong kind of value");
    assertProblem(
        http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\"}"), 409, "wrong-type");
    service.failWith(KvException.Kind.TIMEOUT, "the dot replica did not answer in 2000 ms");
    JsonNode timeout =
        assertProblem(
            http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\"}"), 504, "timeout");
    assertThat(timeout.path("detail").asText())
        .contains("2000 ms")
        .contains("the increment may or may not have been applied")
        .contains("Idempotency-Key")
        .doesNotContain("idempotent)");
    service.failWith(KvException.Kind.UNAVAILABLE, "1 of 3 replicas up");
    HttpResponse<byte[]> unavailable =
        http.post("/api/v1/counter/incr?keyspace=causal", "{\"key\":\"k\"}");
    assertProblem(unavailable, 503, "unavailable");
    assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void setAddAndRemove_passTheMembers_andAnswerHowManyChanged() {
    service.answerWrites(
        new CausalWriteOutcome(
            new CausalValue.Set(ScriptedCausalService.context(3), List.of(utf8("a"), utf8("b"))),
            2,
            false));
    HttpResponse<byte[]> added =
        http.post("/api/v1/set/add?keyspace=causal", "{\"key\":\"s\",\"members\":[\"a\",\"b\"]}");
    assertThat(added.statusCode()).isEqualTo(200);
    assertThat(json(added)).isEqualTo(parse("{\"key\":\"s\",\"changed\":2}"));
    CausalWrite.SetAdd add = (CausalWrite.SetAdd) service.onlyWrite().write();
    assertThat(add.members()).map(CrdtRoutesTest::text).containsExactly("a", "b");

    byte[] observed = ScriptedCausalService.context(3);
    String tag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(observed) + "\"";
    service.answerWrites(
        new CausalWriteOutcome(
            new CausalValue.Set(ScriptedCausalService.context(4), List.of(utf8("b"))), 1, false));
    HttpResponse<byte[]> removed =
        http.post(
            "/api/v1/set/remove",
            "{\"key\":\"s\",\"members\":[\"a\"]}",
            "X-Keyspace",
            "causal",
            "If-Match",
            tag);
    assertThat(json(removed)).isEqualTo(parse("{\"key\":\"s\",\"changed\":1}"));
    CausalWrite.SetRemove remove = (CausalWrite.SetRemove) service.writes().getLast().write();
    assertThat(remove.members()).map(CrdtRoutesTest::text).containsExactly("a");
    assertThat(remove.context()).isEqualTo(observed);

    JsonNode addWithContext =
        assertProblem(
            http.post(
                "/api/v1/set/add?keyspace=causal",
                "{\"key\":\"s\",\"members\":[\"a\"]}",
                "If-Match",
                tag),
            400,
            "invalid-parameter");
    assertThat(addWithContext.path("parameter").asText()).isEqualTo("If-Match");
    assertThat(service.writes()).hasSize(2);
  }

  @Test
  void setWrites_badMembers_are400NamingTheField() {
    String route = "/api/v1/set/add?keyspace=causal";
    assertThat(
            assertProblem(http.post(route, "{\"key\":\"s\",\"members\":[]}"), 400, "invalid-body")
                .path("field")
                .asText())
        .isEqualTo("members");
    assertThat(
            assertProblem(
                    http.post(route, "{\"key\":\"s\",\"members\":\"a\"}"), 400, "invalid-body")
                .path("field")
                .asText())
        .isEqualTo("members");
    assertThat(
            assertProblem(
                    http.post(route, "{\"key\":\"s\",\"members\":[\"a\",2]}"), 400, "invalid-body")
                .path("field")
                .asText())
        .isEqualTo("members/1");
    String tooMany =
        IntStream.rangeClosed(0, CrdtRoutes.SET_MEMBERS_PER_REQUEST_MAX)
            .mapToObj(i -> "\"m" + i + "\"")
            .collect(Collectors.joining(",", "[", "]"));
    JsonNode problem =
        assertProblem(
            http.post(route, "{\"key\":\"s\",\"members\":" + tooMany + "}"), 400, "invalid-body");
    assertThat(problem.path("max").asInt()).isEqualTo(CrdtRoutes.SET_MEMBERS_PER_REQUEST_MAX);
    assertThat(
            assertProblem(
                    http.post(route, "{\"key\":\"s\",\"members\":[\"a\"],\"ttl\":1}"),
                    400,
                    "invalid-body")
                .path("field")
                .asText())
        .isEqualTo("ttl");
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void setMembers_answersMembersAndContext_anAbsentSetIsEmpty() {
    byte[] context = ScriptedCausalService.context(5);
    String contextText = Base64.getUrlEncoder().withoutPadding().encodeToString(context);
    service.answerReads(new CausalValue.Set(context, List.of(utf8("a"), utf8("é"))));
    HttpResponse<byte[]> read = http.get("/api/v1/set/members?key=s&keyspace=causal");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(json(read))
        .isEqualTo(
            parse("{\"key\":\"s\",\"members\":[\"a\",\"é\"],\"context\":\"" + contextText + "\"}"));
    assertThat(read.headers().firstValue("ETag")).hasValue("\"" + contextText + "\"");

    service.answerReads(new CausalValue.Absent(new byte[0]));
    assertThat(json(http.get("/api/v1/set/members?key=s&keyspace=causal")))
        .isEqualTo(parse("{\"key\":\"s\",\"members\":[],\"context\":\"\"}"));

    service.answerReads(
        new CausalValue.Register(context, List.of(new CausalValue.Sibling(utf8("v"), 1))));
    assertProblem(http.get("/api/v1/set/members?key=s&keyspace=causal"), 409, "wrong-type");
  }

  @Test
  void crdtRoutes_inALastWriteWinsKeyspace_are400BeforeTheService() {
    List<HttpResponse<byte[]>> responses =
        List.of(
            http.post("/api/v1/counter/incr", "{\"key\":\"k\"}"),
            http.get("/api/v1/counter?key=k&keyspace=plain"),
            http.post("/api/v1/set/add?keyspace=default", "{\"key\":\"s\",\"members\":[\"a\"]}"),
            http.post("/api/v1/set/remove", "{\"key\":\"s\",\"members\":[\"a\"]}"),
            http.get("/api/v1/set/members?key=s"));
    for (HttpResponse<byte[]> response : responses) {
      JsonNode problem = assertProblem(response, 400, "invalid-request");
      assertThat(problem.path("detail").asText()).contains("conflicts: lww");
    }
    assertThat(service.reads()).isEmpty();
    assertThat(service.writes()).isEmpty();
  }
}
