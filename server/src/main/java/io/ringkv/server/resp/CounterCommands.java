package io.ringkv.server.resp;

import static io.ringkv.server.resp.CommandDoc.Argument.block;
import static io.ringkv.server.resp.CommandDoc.Argument.integer;
import static io.ringkv.server.resp.CommandDoc.Argument.key;
import static io.ringkv.server.resp.CommandDoc.Argument.string;
import static io.ringkv.server.resp.CommandDoc.Argument.token;

import io.ringkv.cluster.version.PnCounter;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOptions.Condition;
import java.util.List;

/**
 * Counter commands: INCR, INCRBY, DECR, DECRBY on the PN-counters of a causal keyspace
 * (docs/design/causal.md, "Counters"), and INCRBYFLOAT, which answers that it is not supported yet.
 * Each is one {@link io.ringkv.server.kv.KeyValueService#writeCausal} increment merged on the
 * server, never a read followed by a write, so concurrent increments through different nodes are
 * all counted. In a last-write-wins keyspace the service refuses them (they would lose updates
 * there).
 *
 * <p>Each takes an optional trailing {@code IDEMPOTENCY <id>} (1 to {@link
 * PnCounter#IDEMPOTENCY_KEY_BYTES_MAX} bytes), sent as the write's idempotency key: a retry of an
 * increment that timed out, with the same id, is applied at most once where the service can tell
 * (docs/api/redis.md says when it cannot), and answers the counter's value.
 *
 * <p>Thread-safe: holds only the shared context and renderers.
 */
final class CounterCommands {
  private final RespContext server;

  /** The counter's value after the increment (or, for a duplicate, as the service holds it). */
  private static final ReplyRenderer<CausalWriteOutcome> VALUE_REPLY =
      (outcome, out) -> {
        if (!(outcome.state() instanceof CausalValue.Counter counter)) {
          throw new CommandError(
              "ERR internal error: an increment answered "
                  + outcome.state().getClass().getSimpleName()
                  + " instead of a counter");
        }
        out.integer(counter.value());
      };

  CounterCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    return List.of(
        counter("incr", false, "Increments the integer value of a counter by one."),
        counter("incrby", true, "Increments the integer value of a counter by a number."),
        counter("decr", false, "Decrements the integer value of a counter by one."),
        counter("decrby", true, "Decrements the integer value of a counter by a number."),
        Command.builder("incrbyfloat")
            .arity(3)
            .flags("write", "denyoom", "fast")
            .keys(1, 1, 1)
            .acl("@write", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Not supported yet in ringkv (counters are integers): answers an error.",
                    "2.6.0",
                    "string",
                    "O(1)",
                    key("key"),
                    string("increment")))
            .handler(
                (connection, arguments) -> {
                  throw new CommandError(
                      "ERR INCRBYFLOAT is not supported yet: ringkv counters are integer"
                          + " PN-counters; use INCRBY with an integer (see docs/api/redis.md)");
                })
            .build());
  }

  private Command counter(String name, boolean withDelta, String summary) {
    boolean decrement = name.startsWith("decr");
    CommandDoc.Argument idempotency =
        block("idempotency", token("idempotency", "IDEMPOTENCY"), string("id")).asOptional();
    CommandDoc doc =
        withDelta
            ? CommandDoc.of(
                summary,
                "1.0.0",
                "string",
                "O(1)",
                key("key"),
                integer(decrement ? "decrement" : "increment"),
                idempotency)
            : CommandDoc.of(summary, "1.0.0", "string", "O(1)", key("key"), idempotency);
    return Command.builder(name)
        .arity(withDelta ? -3 : -2)
        .flags("write", "denyoom", "fast")
        .keys(1, 1, 1)
        .acl("@write", "@string", "@fast")
        .doc(doc)
        .handler(
            (connection, arguments) -> increment(connection, arguments, name, withDelta, decrement))
        .build();
  }

  private void increment(
      RespConnection connection,
      byte[][] arguments,
      String name,
      boolean withDelta,
      boolean decrement) {
    int optionsStart = withDelta ? 3 : 2;
    long delta = withDelta ? Arguments.parseLong(arguments[2]) : 1;
    if (decrement) {
      if (delta == Long.MIN_VALUE) {
        // Redis' wording: the negated delta does not fit.
        throw new CommandError("ERR decrement would overflow");
      }
      delta = -delta;
    }
    byte[] idempotencyKey = idempotencyKey(arguments, optionsStart, name);
    byte[] key = server.checkKey(arguments[1]);
    WriteOptions options = connection.writeOptions(Condition.ALWAYS, false);
    if (idempotencyKey != null) {
      options = options.withIdempotencyKey(idempotencyKey);
    }
    connection.reply(
        server.service.writeCausal(key, new CausalWrite.Increment(delta), options), VALUE_REPLY);
  }

  /**
   * The id of a trailing {@code IDEMPOTENCY <id>}, or null if there are no options.
   *
   * @throws CommandError {@code ERR syntax error} for anything else after the arguments, or naming
   *     the limit for an id of the wrong length
   */
  static byte[] idempotencyKey(byte[][] arguments, int optionsStart, String command) {
    int remaining = arguments.length - optionsStart;
    if (remaining == 0) {
      return null;
    }
    if (remaining != 2 || !Arguments.is(arguments[optionsStart], "idempotency")) {
      throw CommandError.syntax();
    }
    byte[] id = arguments[optionsStart + 1];
    if (id.length < 1 || id.length > PnCounter.IDEMPOTENCY_KEY_BYTES_MAX) {
      throw new CommandError(
          "ERR IDEMPOTENCY id of "
              + id.length
              + " bytes in '"
              + command
              + "' command: an id is 1 to "
              + PnCounter.IDEMPOTENCY_KEY_BYTES_MAX
              + " bytes");
    }
    return id;
  }
}
