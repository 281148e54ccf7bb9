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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Counter commands: INCR, INCRBY, DECR, DECRBY on the PN-counters of a causal keyspace
 * (docs/design/causal.md, "Counters"), and INCRBYFLOAT, which adds an exact decimal (at most 17
 * digits after the point) and answers the new value as Redis prints it. Each is one {@link
 * io.ringkv.server.kv.KeyValueService#writeCausal} increment merged on the server, never a read
 * followed by a write, so concurrent increments through different nodes are all counted. In a
 * last-write-wins keyspace the service refuses them (they would lose updates there).
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
        if (counter.integral()
            && counter.exact().compareTo(BigDecimal.valueOf(counter.value())) == 0) {
          out.integer(counter.value());
        } else {
          // Only a retried INCR (a duplicate) can meet a fraction: show it exactly, never cut.
          out.bulk(counter.text().getBytes(StandardCharsets.US_ASCII));
        }
      };

  /** INCRBYFLOAT's reply: the new value as Redis prints it, a bulk string ("10.5", "3"). */
  private static final ReplyRenderer<CausalWriteOutcome> FLOAT_REPLY =
      (outcome, out) -> {
        if (!(outcome.state() instanceof CausalValue.Counter counter)) {
          throw new CommandError(
              "ERR internal error: an increment answered "
                  + outcome.state().getClass().getSimpleName()
                  + " instead of a counter");
        }
        out.bulk(counter.text().getBytes(StandardCharsets.US_ASCII));
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
            .arity(-3)
            .flags("write", "denyoom", "fast")
            .keys(1, 1, 1)
            .acl("@write", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Increments the value of a counter by an exact decimal number.",
                    "2.6.0",
                    "string",
                    "O(1)",
                    key("key"),
                    string("increment"),
                    block("idempotency", token("idempotency", "IDEMPOTENCY"), string("id"))
                        .asOptional()))
            .handler(this::incrementFloat)
            .build());
  }

  private void incrementFloat(RespConnection connection, byte[][] arguments) {
    BigDecimal delta = parseFloatIncrement(arguments[2]);
    byte[] idempotencyKey = idempotencyKey(arguments, 3, "incrbyfloat");
    byte[] key = server.checkKey(arguments[1]);
    WriteOptions options = connection.writeOptions(Condition.ALWAYS, false);
    if (idempotencyKey != null) {
      options = options.withIdempotencyKey(idempotencyKey);
    }
    connection.reply(
        server.service.writeCausal(key, new CausalWrite.IncrementFloat(delta), options),
        FLOAT_REPLY);
  }

  /**
   * An INCRBYFLOAT increment, as Redis reads one (a decimal with an optional sign, point and
   * exponent; no spaces), kept exact.
   *
   * @throws CommandError Redis' {@code ERR value is not a valid float} for anything else (NaN
   *     included) and for more than {@link PnCounter#DECIMAL_SCALE_MAX} digits after the point;
   *     {@code ERR increment would produce NaN or Infinity} for an infinity or a number past {@link
   *     PnCounter#DECIMAL_INTEGER_DIGITS_MAX} digits before the point
   */
  static BigDecimal parseFloatIncrement(byte[] argument) {
    String text = new String(argument, StandardCharsets.US_ASCII);
    String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity")) {
      throw new CommandError("ERR increment would produce NaN or Infinity");
    }
    BigDecimal delta;
    try {
      if (text.isEmpty() || !text.equals(text.strip()) || !isDecimalText(text)) {
        throw new NumberFormatException(text);
      }
      delta = new BigDecimal(text);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CommandError("ERR value is not a valid float");
    }
    BigDecimal stripped = delta.stripTrailingZeros();
    long integerDigits =
        stripped.signum() == 0 ? 0 : Math.max(0, (long) stripped.precision() - stripped.scale());
    if (integerDigits > PnCounter.DECIMAL_INTEGER_DIGITS_MAX) {
      throw new CommandError(
          "ERR increment would produce NaN or Infinity (ringkv counters hold at most "
              + PnCounter.DECIMAL_INTEGER_DIGITS_MAX
              + " digits before the point, the increment has "
              + integerDigits
              + ")");
    }
    if (stripped.scale() > PnCounter.DECIMAL_SCALE_MAX) {
      throw new CommandError(
          "ERR value is not a valid float (ringkv counters keep at most "
              + PnCounter.DECIMAL_SCALE_MAX
              + " digits after the point, the increment has "
              + stripped.scale()
              + ")");
    }
    return delta;
  }

  /** Digits, at most one point, an optional exponent: what both strtold and BigDecimal read. */
  private static boolean isDecimalText(String text) {
    int i = text.charAt(0) == '+' || text.charAt(0) == '-' ? 1 : 0;
    int digits = 0;
    boolean point = false;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i == text.length()) {
      return true;
    }
    char e = text.charAt(i);
    if (e != 'e' && e != 'E') {
      return false;
    }
    i++;
    if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int exponentDigits = 0;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      exponentDigits++;
    }
    return exponentDigits > 0;
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
