package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalValue.Sibling;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.resp.ScriptedCausalService.ReceivedWrite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis commands of causal keyspaces (CGET, CSET, CDEL, the counters, the sets, TYPE, KEYSPACE)
 * at the protocol level: what each sends to the data service (recorded by {@link
 * ScriptedCausalService}) and how it renders the service's answers and failures, byte for byte in
 * RESP2 and RESP3 where the two differ.
 */
class RespCausalCommandsTest {
  /** Context bytes whose base64url uses both URL-safe letters ('-' and '_'). */
  private static final byte[] CONTEXT = {(byte) 0xfb, (byte) 0xef, (byte) 0xff, 0, 0x3e, 0x3f};

  private static final String CONTEXT_TEXT = "--__AD4_";
  private static final byte[] NEW_CONTEXT = {1, 2, 3};
  private static final String NEW_CONTEXT_TEXT = "AQID";
  private static final String WRONGTYPE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";
  private static final String LWW_REFUSAL =
      "keyspace default is conflicts: lww; causal writes need a causal keyspace";

  @TempDir Path directory;
  private RespFixture fixture;
  private ScriptedCausalService service;
  private RawRespClient client;

  @BeforeEach
  void start() throws Exception {
    fixture =
        RespFixture.start(
            directory,
            real -> {
              service = new ScriptedCausalService(real);
              return service;
            });
    service.addKeyspace("carts", ConflictMode.CAUSAL);
    client = fixture.raw();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    fixture.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static RawRespClient.Error error(String line) {
    return new RawRespClient.Error(line);
  }

  private static CausalValue.Register register(byte[] context, String... values) {
    return new CausalValue.Register(
        context,
        java.util.Arrays.stream(values)
            .map(value -> new Sibling(value == null ? null : bytes(value), 1))
            .toList());
  }

  private static CausalWriteOutcome outcome(CausalValue state) {
    return new CausalWriteOutcome(state, 0, false);
  }

  private static CausalWriteOutcome counter(long value) {
    return outcome(new CausalValue.Counter(NEW_CONTEXT, value));
  }

  private static CausalWriteOutcome changed(int members) {
    return new CausalWriteOutcome(
        new CausalValue.Set(NEW_CONTEXT, List.of(bytes("a"))), members, false);
  }

  /** Sends a command and reads its reply, bulk strings decoded as UTF-8 text. */
  private Object call(String... arguments) throws Exception {
    return decode(client.call(arguments));
  }

  static Object decode(Object reply) {
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (reply instanceof List<?> list) {
      return list.stream().map(element -> decode(element)).toList();
    }
    return reply;
  }

  private void expectWire(String reply) throws Exception {
    assertThat(new String(client.readBytes(reply.length()), StandardCharsets.ISO_8859_1))
        .isEqualTo(reply);
  }

  // ---- CGET ----

  @Test
  void cget_siblingsNewestFirstWithNilForADeletedOne_resp2() throws Exception {
    service.answerRead("k", register(CONTEXT, "v2", null, "v1"));

    client.command("CGET", "k");

    expectWire("*4\r\n$8\r\n" + CONTEXT_TEXT + "\r\n$2\r\nv2\r\n$-1\r\n$2\r\nv1\r\n");
  }

  @Test
  void cget_siblingsNewestFirstWithNilForADeletedOne_resp3() throws Exception {
    call("HELLO", "3");
    service.answerRead("k", register(CONTEXT, "v2", null, "v1"));

    client.command("CGET", "k");

    expectWire("*4\r\n$8\r\n" + CONTEXT_TEXT + "\r\n$2\r\nv2\r\n_\r\n$2\r\nv1\r\n");
  }

  @Test
  void cget_absentKey_answersItsContextAlone() throws Exception {
    assertThat(call("CGET", "never-written")).isEqualTo(List.of(""));

    service.answerRead("gone", new CausalValue.Absent(CONTEXT));
    assertThat(call("CGET", "gone")).isEqualTo(List.of(CONTEXT_TEXT));
  }

  @Test
  void cget_lastWriteWinsValue_isOneSiblingWithAnEmptyContext() throws Exception {
    service.answerRead("k", register(new byte[0], "plain"));

    assertThat(call("CGET", "k")).isEqualTo(List.of("", "plain"));
  }

  @Test
  void cget_counterOrSet_isWrongType() throws Exception {
    service.answerRead("hits", new CausalValue.Counter(CONTEXT, 3));
    service.answerRead("tags", new CausalValue.Set(CONTEXT, List.of(bytes("a"))));

    assertThat(call("CGET", "hits")).isEqualTo(error(WRONGTYPE));
    assertThat(call("CGET", "tags")).isEqualTo(error(WRONGTYPE));
  }

  // ---- CSET, CDEL ----

  @Test
  void cset_contextRoundTrip_sendsTheBytesCgetShowedAndAnswersTheNewContext() throws Exception {
    service.answerRead("k", register(CONTEXT, "a", "b"));
    String shown = (String) ((List<?>) call("CGET", "k")).getFirst();
    service.answerWrite(outcome(register(NEW_CONTEXT, "merged")));

    assertThat(call("CSET", "k", shown, "merged")).isEqualTo(NEW_CONTEXT_TEXT);
    ReceivedWrite write = service.writes().getFirst();
    assertThat(write.key()).isEqualTo("k");
    CausalWrite.Put put = (CausalWrite.Put) write.write();
    assertThat(put.context()).isEqualTo(CONTEXT);
    assertThat(put.value()).isEqualTo(bytes("merged"));
    assertThat(write.options().idempotencyKey()).isNull();
  }

  @Test
  void cset_paddedContext_isAcceptedToo() throws Exception {
    service.answerWrite(outcome(register(NEW_CONTEXT, "v")));

    assertThat(call("CSET", "k", "AQID", "v")).isEqualTo(NEW_CONTEXT_TEXT);
    service.answerWrite(outcome(register(NEW_CONTEXT, "v")));
    assertThat(call("CSET", "k", "AQIDBA==", "v")).isEqualTo(NEW_CONTEXT_TEXT);

    assertThat(((CausalWrite.Put) service.writes().get(1).write()).context())
        .isEqualTo(new byte[] {1, 2, 3, 4});
  }

  @Test
  void cset_emptyContext_isABlindWrite() throws Exception {
    service.answerWrite(outcome(register(NEW_CONTEXT, "v")));

    assertThat(call("CSET", "k", "", "v")).isEqualTo(NEW_CONTEXT_TEXT);

    assertThat(((CausalWrite.Put) service.writes().getFirst().write()).context()).isNull();
  }

  @Test
  void cset_contextNotBase64url_isRefusedBeforeTheService() throws Exception {
    Object reply = call("CSET", "k", "not/base64+", "v");

    assertThat(((RawRespClient.Error) reply).line())
        .startsWith(
            "ERR invalid context 'not/base64+' in 'cset' command: a context is base64url"
                + " (A-Z a-z 0-9 - _) as CGET returned it, or \"\" for a blind write");
    assertThat(call("CDEL", "k", "%%%")).isInstanceOf(RawRespClient.Error.class);
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void cset_damagedContext_answersTheServiceRefusal() throws Exception {
    // Valid base64url whose bytes fail the service's check (its CRC): the service names the field.
    service.failWrite(KvException.invalid("context is damaged: CRC mismatch"));

    assertThat(call("CSET", "k", "AAAAAAAA", "v"))
        .isEqualTo(error("ERR context is damaged: CRC mismatch"));
  }

  @Test
  void cset_inLastWriteWinsKeyspace_errorsAsTheServiceSays() throws Exception {
    service.failWrite(KvException.invalid(LWW_REFUSAL));

    assertThat(call("CSET", "k", "", "v")).isEqualTo(error("ERR " + LWW_REFUSAL));
  }

  @Test
  void cset_siblingCap_answersTheConflict() throws Exception {
    service.failWrite(
        new KvException(
            KvException.Kind.CONFLICT,
            "key k has 32 siblings (siblings_max); read it and write with the read's context"));

    assertThat(call("CSET", "k", "", "v"))
        .isEqualTo(
            error(
                "ERR key k has 32 siblings (siblings_max); read it and write with the read's"
                    + " context"));
  }

  @Test
  void cdel_sendsADeleteWithTheContextAndAnswersTheNewContext() throws Exception {
    service.answerWrite(outcome(new CausalValue.Absent(NEW_CONTEXT)));

    assertThat(call("CDEL", "k", CONTEXT_TEXT)).isEqualTo(NEW_CONTEXT_TEXT);

    CausalWrite.Delete delete = (CausalWrite.Delete) service.writes().getFirst().write();
    assertThat(delete.context()).isEqualTo(CONTEXT);
  }

  @Test
  void cset_answeredLater_keepsTheReplyOrder() throws Exception {
    CompletableFuture<CausalWriteOutcome> later = new CompletableFuture<>();
    service.answerWriteLater(later);

    client.command("CSET", "k", "", "v");
    client.command("PING");
    later.complete(outcome(register(NEW_CONTEXT, "v")));

    assertThat(decode(client.read())).isEqualTo(NEW_CONTEXT_TEXT);
    assertThat(client.read()).isEqualTo("PONG");
  }

  // ---- arity ----

  @Test
  void wrongArgumentCounts_answerRedisArityErrors() throws Exception {
    assertThat(call("CGET")).isEqualTo(error("ERR wrong number of arguments for 'cget' command"));
    assertThat(call("CSET", "k", "")).isEqualTo(arity("cset"));
    assertThat(call("CSET", "k", "", "v", "extra")).isEqualTo(arity("cset"));
    assertThat(call("CDEL", "k")).isEqualTo(arity("cdel"));
    assertThat(call("INCR")).isEqualTo(arity("incr"));
    assertThat(call("INCRBY", "k")).isEqualTo(arity("incrby"));
    assertThat(call("DECRBY", "k")).isEqualTo(arity("decrby"));
    assertThat(call("INCRBYFLOAT", "k")).isEqualTo(arity("incrbyfloat"));
    assertThat(call("SADD", "k")).isEqualTo(arity("sadd"));
    assertThat(call("SREM", "k")).isEqualTo(arity("srem"));
    assertThat(call("SMEMBERS", "k", "extra")).isEqualTo(arity("smembers"));
    assertThat(call("SISMEMBER", "k")).isEqualTo(arity("sismember"));
    assertThat(call("SCARD")).isEqualTo(arity("scard"));
    assertThat(call("KEYSPACE", "carts", "extra")).isEqualTo(arity("keyspace"));
    assertThat(service.writes()).isEmpty();
    assertThat(service.reads()).isEmpty();
  }

  private static RawRespClient.Error arity(String command) {
    return error("ERR wrong number of arguments for '" + command + "' command");
  }

  // ---- counters ----

  @Test
  void counters_sendIncrementsAndAnswerTheNewValue() throws Exception {
    service.answerWrite(counter(1));
    service.answerWrite(counter(6));
    service.answerWrite(counter(5));
    service.answerWrite(counter(-2));

    assertThat(call("INCR", "hits")).isEqualTo(1L);
    assertThat(call("INCRBY", "hits", "5")).isEqualTo(6L);
    assertThat(call("DECR", "hits")).isEqualTo(5L);
    assertThat(call("DECRBY", "hits", "7")).isEqualTo(-2L);

    assertThat(service.writes())
        .extracting(ReceivedWrite::write)
        .containsExactly(
            new CausalWrite.Increment(1),
            new CausalWrite.Increment(5),
            new CausalWrite.Increment(-1),
            new CausalWrite.Increment(-7));
  }

  @Test
  void counters_extremeDeltas() throws Exception {
    service.answerWrite(counter(Long.MIN_VALUE));
    service.answerWrite(counter(Long.MAX_VALUE));

    assertThat(call("INCRBY", "k", "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(call("DECRBY", "k", "-9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(call("DECRBY", "k", "-9223372036854775808"))
        .isEqualTo(error("ERR decrement would overflow"));

    assertThat(service.writes())
        .extracting(ReceivedWrite::write)
        .containsExactly(
            new CausalWrite.Increment(Long.MIN_VALUE), new CausalWrite.Increment(Long.MAX_VALUE));
  }

  @Test
  void counters_nonIntegerDelta_isRedisError() throws Exception {
    RawRespClient.Error notAnInteger = error("ERR value is not an integer or out of range");
    for (String delta :
        List.of("abc", "1.5", "", " 1", "+1", "01", "9223372036854775808", "1e3", "0x10")) {
      assertThat(call("INCRBY", "k", delta)).as(delta).isEqualTo(notAnInteger);
      assertThat(call("DECRBY", "k", delta)).as(delta).isEqualTo(notAnInteger);
    }
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void counters_idempotencyOption_isSentAsTheWritesIdempotencyKey() throws Exception {
    service.answerWrite(counter(1));
    service.answerWrite(counter(4));
    service.answerWrite(new CausalWriteOutcome(new CausalValue.Counter(CONTEXT, 4), 0, true));

    assertThat(call("INCR", "k", "IDEMPOTENCY", "retry-1")).isEqualTo(1L);
    assertThat(call("INCRBY", "k", "3", "idempotency", "retry-2")).isEqualTo(4L);
    // A duplicate (the service saw the id applied) answers the value as if applied.
    assertThat(call("INCRBY", "k", "3", "Idempotency", "retry-2")).isEqualTo(4L);

    assertThat(service.writes())
        .extracting(write -> new String(write.options().idempotencyKey(), StandardCharsets.UTF_8))
        .containsExactly("retry-1", "retry-2", "retry-2");
  }

  @Test
  void counters_idempotencyOption_badShapesAreRefused() throws Exception {
    assertThat(call("INCR", "k", "IDEMPOTENCY")).isEqualTo(error("ERR syntax error"));
    assertThat(call("INCR", "k", "ONCE", "id")).isEqualTo(error("ERR syntax error"));
    assertThat(call("INCR", "k", "IDEMPOTENCY", "a", "b")).isEqualTo(error("ERR syntax error"));
    assertThat(call("INCRBY", "k", "2", "IDEMPOTENCY", ""))
        .isEqualTo(
            error("ERR IDEMPOTENCY id of 0 bytes in 'incrby' command: an id is 1 to 64 bytes"));
    assertThat(call("DECR", "k", "IDEMPOTENCY", "x".repeat(65)))
        .isEqualTo(
            error("ERR IDEMPOTENCY id of 65 bytes in 'decr' command: an id is 1 to 64 bytes"));
    assertThat(service.writes()).isEmpty();

    service.answerWrite(counter(1));
    assertThat(call("INCR", "k", "IDEMPOTENCY", "x".repeat(64))).isEqualTo(1L);
  }

  @Test
  void counters_timeout_saysTheIncrementMayHaveApplied() throws Exception {
    service.failWrite(new KvException(KvException.Kind.TIMEOUT, "1 of 2 replicas answered"));

    assertThat(call("INCR", "k", "IDEMPOTENCY", "retry-1"))
        .isEqualTo(
            error("TIMEOUT 1 of 2 replicas answered; the write may or may not have been applied"));
  }

  @Test
  void counters_inLastWriteWinsKeyspace_errorAsTheServiceSays() throws Exception {
    service.failWrite(KvException.invalid(LWW_REFUSAL));

    assertThat(call("INCR", "k")).isEqualTo(error("ERR " + LWW_REFUSAL));
  }

  @Test
  void counters_onAnotherType_answerWrongType() throws Exception {
    service.failWrite(new KvException(KvException.Kind.WRONG_TYPE, "k holds a set"));

    assertThat(call("INCR", "k")).isEqualTo(error(WRONGTYPE));
  }

  @Test
  void counters_overflow_answersTheServiceConflict() throws Exception {
    service.failWrite(
        new KvException(KvException.Kind.CONFLICT, "increment or decrement would overflow"));

    assertThat(call("INCRBY", "k", "9223372036854775807"))
        .isEqualTo(error("ERR increment or decrement would overflow"));
  }

  @Test
  void incrbyfloat_sendsTheExactDeltaAndAnswersTheValueAsABulkString() throws Exception {
    service.answerWrite(
        outcome(new CausalValue.Counter(NEW_CONTEXT, 10, new java.math.BigDecimal("10.50"))));

    client.command("INCRBYFLOAT", "k", "1.5e1", "IDEMPOTENCY", "id-1");
    expectWire("$4\r\n10.5\r\n");

    ReceivedWrite received = service.writes().getFirst();
    assertThat(((CausalWrite.IncrementFloat) received.write()).delta())
        .isEqualByComparingTo(new java.math.BigDecimal("15"));
    assertThat(received.options().idempotencyKey()).isEqualTo(bytes("id-1"));
  }

  @Test
  void incrbyfloat_badIncrementsAreRefusedWithRedisErrorsBeforeAnyWrite() throws Exception {
    assertThat(call("INCRBYFLOAT", "k", "1,5")).isEqualTo(error("ERR value is not a valid float"));
    assertThat(call("INCRBYFLOAT", "k", "")).isEqualTo(error("ERR value is not a valid float"));
    assertThat(call("INCRBYFLOAT", "k", "-inf"))
        .isEqualTo(error("ERR increment would produce NaN or Infinity"));
    assertThat(call("INCRBYFLOAT", "k", "1", "EXTRA")).isEqualTo(error("ERR syntax error"));
    assertThat(service.writes()).isEmpty();
  }

  @Test
  void incr_aRetryAnsweredWithAFractionalValue_showsItExactly() throws Exception {
    service.answerWrite(
        outcome(new CausalValue.Counter(NEW_CONTEXT, 1, new java.math.BigDecimal("1.25"))));

    assertThat(call("INCR", "k")).isEqualTo("1.25");
  }

  // ---- sets ----

  @Test
  void sadd_sendsDistinctMembersAndAnswersHowManyWereAdded() throws Exception {
    service.answerWrite(changed(2));

    assertThat(call("SADD", "tags", "a", "b", "a")).isEqualTo(2L);

    CausalWrite.SetAdd add = (CausalWrite.SetAdd) service.writes().getFirst().write();
    assertThat(add.members()).containsExactly(bytes("a"), bytes("b"));
  }

  @Test
  void srem_sendsARemoveWithoutContextAndAnswersHowManyWereRemoved() throws Exception {
    service.answerWrite(changed(1));

    assertThat(call("SREM", "tags", "a", "zzz")).isEqualTo(1L);

    CausalWrite.SetRemove remove = (CausalWrite.SetRemove) service.writes().getFirst().write();
    assertThat(remove.members()).containsExactly(bytes("a"), bytes("zzz"));
    assertThat(remove.context()).isNull();
  }

  @Test
  void smembers_isAnArrayInResp2AndASetInResp3() throws Exception {
    service.answerRead("tags", new CausalValue.Set(CONTEXT, List.of(bytes("a"), bytes("bc"))));

    client.command("SMEMBERS", "tags");
    expectWire("*2\r\n$1\r\na\r\n$2\r\nbc\r\n");

    call("HELLO", "3");
    client.command("SMEMBERS", "tags");
    expectWire("~2\r\n$1\r\na\r\n$2\r\nbc\r\n");
    client.command("SMEMBERS", "absent");
    expectWire("~0\r\n");
  }

  @Test
  void setReads_answerMembershipAndCardinality() throws Exception {
    service.answerRead("tags", new CausalValue.Set(CONTEXT, List.of(bytes("a"), bytes("bc"))));

    assertThat(call("SISMEMBER", "tags", "bc")).isEqualTo(1L);
    assertThat(call("SISMEMBER", "tags", "b")).isEqualTo(0L);
    assertThat(call("SCARD", "tags")).isEqualTo(2L);
    assertThat(call("SCARD", "absent")).isEqualTo(0L);
    assertThat(call("SISMEMBER", "absent", "a")).isEqualTo(0L);
    assertThat(call("SMEMBERS", "absent")).isEqualTo(List.of());
  }

  @Test
  void setReads_onAStringOrCounter_answerWrongType() throws Exception {
    service.answerRead("name", register(new byte[0], "plain"));
    service.answerRead("hits", new CausalValue.Counter(CONTEXT, 3));

    assertThat(call("SMEMBERS", "name")).isEqualTo(error(WRONGTYPE));
    assertThat(call("SISMEMBER", "name", "plain")).isEqualTo(error(WRONGTYPE));
    assertThat(call("SCARD", "hits")).isEqualTo(error(WRONGTYPE));
  }

  @Test
  void sadd_onAnotherType_answersWrongType() throws Exception {
    service.failWrite(new KvException(KvException.Kind.WRONG_TYPE, "k holds a register"));

    assertThat(call("SADD", "k", "a")).isEqualTo(error(WRONGTYPE));
  }

  // ---- GET and TYPE ----

  @Test
  void get_onASet_answersWrongTypeAsTheServiceSays() throws Exception {
    service.failGet("tags", new KvException(KvException.Kind.WRONG_TYPE, "tags holds a set"));

    assertThat(call("GET", "tags")).isEqualTo(error(WRONGTYPE));
  }

  @Test
  void type_tellsStringsCountersAndSetsApart() throws Exception {
    service.answerRead("name", register(CONTEXT, "v2", null));
    service.answerRead("deleted", register(CONTEXT, (String) null));
    service.answerRead("hits", new CausalValue.Counter(CONTEXT, 3));
    service.answerRead("tags", new CausalValue.Set(CONTEXT, List.of(bytes("a"))));

    assertThat(call("TYPE", "name")).isEqualTo("string");
    assertThat(call("TYPE", "hits")).isEqualTo("string");
    assertThat(call("TYPE", "tags")).isEqualTo("set");
    assertThat(call("TYPE", "deleted")).isEqualTo("none");
    assertThat(call("TYPE", "absent")).isEqualTo("none");
  }

  // ---- KEYSPACE, SELECT ----

  @Test
  void keyspace_showsDefaultUntilSetAndIsCarriedByEveryCommand() throws Exception {
    assertThat(call("KEYSPACE")).isEqualTo("default");
    assertThat(call("CONSISTENCY", "WRITE", "ALL")).isEqualTo("OK");

    assertThat(call("KEYSPACE", "carts")).isEqualTo("OK");
    assertThat(call("KEYSPACE")).isEqualTo("carts");
    service.answerWrite(counter(1));
    call("INCR", "k", "IDEMPOTENCY", "once");
    call("CGET", "k");
    service.answerWrite(changed(1));
    call("SADD", "s", "a");

    ReceivedWrite increment = service.writes().get(0);
    assertThat(increment.options().keyspace()).isEqualTo("carts");
    assertThat(increment.options().consistency()).isEqualTo(ConsistencyLevel.ALL);
    assertThat(service.writes().get(1).options().keyspace()).isEqualTo("carts");
    assertThat(service.writes().get(1).options().idempotencyKey()).isNull();
    assertThat(service.reads().getFirst().options().keyspace()).isEqualTo("carts");
    assertThat((String) call("CLIENT", "INFO")).contains(" keyspace=carts");
  }

  @Test
  void keyspace_isCarriedByThePlainCommandsToo() throws Exception {
    call("KEYSPACE", "carts");

    call("SET", "k", "v");
    call("GET", "k");
    call("MGET", "k", "j");
    call("EXISTS", "k");
    call("DEL", "k");
    call("SCAN", "0");
    call("KEYSPACE", "DEFAULT");
    call("GET", "k");

    assertThat(service.plainCalls())
        .extracting(ScriptedCausalService.PlainCall::keyspace)
        .containsExactly("carts", "carts", "carts", "carts", "carts", "carts", null);
  }

  @Test
  void keyspace_isPerConnection() throws Exception {
    call("KEYSPACE", "carts");

    try (RawRespClient other = fixture.raw()) {
      assertThat(decode(other.call("KEYSPACE"))).isEqualTo("default");
      other.call("CGET", "k");
    }
    call("CGET", "k");

    assertThat(service.reads())
        .extracting(read -> read.options().keyspace())
        .containsExactly(null, "carts");
  }

  @Test
  void keyspace_default_goesBack() throws Exception {
    call("KEYSPACE", "carts");

    assertThat(call("KEYSPACE", "DEFAULT")).isEqualTo("OK");
    assertThat(call("KEYSPACE")).isEqualTo("default");
    call("KEYSPACE", "carts");
    assertThat(call("KEYSPACE", "default")).isEqualTo("OK");
    call("CGET", "k");

    assertThat(service.reads().getFirst().options().keyspace()).isNull();
  }

  @Test
  void keyspace_unknown_isRefusedNamingTheKnownOnes() throws Exception {
    call("KEYSPACE", "carts");

    assertThat(call("KEYSPACE", "nope"))
        .isEqualTo(error("ERR no such keyspace 'nope'; this node knows carts, default"));
    assertThat(call("KEYSPACE", "Carts"))
        .isEqualTo(error("ERR no such keyspace 'Carts'; this node knows carts, default"));
    assertThat(call("KEYSPACE")).isEqualTo("carts");
  }

  @Test
  void keyspace_droppedAfterward_failsWhenUsed() throws Exception {
    call("KEYSPACE", "carts");
    service.failRead(
        "k", new KvException(KvException.Kind.NO_SUCH_KEYSPACE, "no such keyspace: carts"));

    assertThat(call("CGET", "k")).isEqualTo(error("ERR no such keyspace: carts"));
  }

  @Test
  void select_zeroWorksAndOthersPointToKeyspace() throws Exception {
    assertThat(call("SELECT", "0")).isEqualTo("OK");
    assertThat(call("SELECT", "1"))
        .isEqualTo(
            error(
                "ERR ringkv has no numbered databases, only database 0; SELECT 1 is not"
                    + " supported: use KEYSPACE <name> to choose a keyspace"));
  }
}
