package io.ringkv.server.resp;

import static io.ringkv.server.resp.Arguments.is;
import static io.ringkv.server.resp.CommandDoc.Argument.block;
import static io.ringkv.server.resp.CommandDoc.Argument.integer;
import static io.ringkv.server.resp.CommandDoc.Argument.key;
import static io.ringkv.server.resp.CommandDoc.Argument.oneOf;
import static io.ringkv.server.resp.CommandDoc.Argument.string;
import static io.ringkv.server.resp.CommandDoc.Argument.token;
import static io.ringkv.server.resp.CommandDoc.Argument.unixTime;

import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions.Condition;
import io.ringkv.server.kv.WriteOutcome;
import io.ringkv.server.resp.ExpiryArguments.Unit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * String commands: GET, SET, GETDEL, GETEX, SETEX, PSETEX, SETNX, MGET, MSET. Each maps to one
 * {@link io.ringkv.server.kv.KeyValueService} call (MSET to one per key); conditions (NX, XX),
 * KEEPTTL and GET-the-previous-value are options of that call, so the service applies them
 * atomically per key (docs/api/redis.md says what they become in a cluster).
 *
 * <p>Thread-safe: holds only the shared context and renderers.
 */
final class StringCommands {
  private final RespContext server;

  private final ReplyRenderer<Versioned> valueReply = this::renderValue;
  private final ReplyRenderer<WriteOutcome> previousReply = this::renderPrevious;
  private final ReplyRenderer<List<Versioned>> valuesReply = this::renderValues;
  private static final ReplyRenderer<WriteOutcome> SET_REPLY =
      (outcome, out) -> {
        if (outcome.applied()) {
          out.ok();
        } else {
          out.nullValue();
        }
      };
  private static final ReplyRenderer<List<WriteOutcome>> OK_REPLY = (results, out) -> out.ok();
  static final ReplyRenderer<WriteOutcome> APPLIED_REPLY =
      (outcome, out) -> out.integer(outcome.applied() ? 1 : 0);

  // SET option flags, as in Redis' t_string.c.
  private static final int NX = 1;
  private static final int XX = 1 << 1;
  private static final int GET = 1 << 2;
  private static final int KEEPTTL = 1 << 3;
  private static final int EX = 1 << 4;
  private static final int PX = 1 << 5;
  private static final int EXAT = 1 << 6;
  private static final int PXAT = 1 << 7;
  private static final int PERSIST = 1 << 8;
  private static final int ANY_EXPIRY = EX | PX | EXAT | PXAT;

  StringCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    CommandDoc.Argument expiration =
        oneOf(
                "expiration",
                integer("seconds").introducedBy("EX"),
                integer("milliseconds").introducedBy("PX"),
                unixTime("unix-time-seconds").introducedBy("EXAT"),
                unixTime("unix-time-milliseconds").introducedBy("PXAT"),
                token("keepttl", "KEEPTTL"))
            .asOptional();
    return List.of(
        stringCommand(
                "get", 2, new String[] {"readonly", "fast"}, 1, 1, "@read", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the string value of a key.", "1.0.0", "string", "O(1)", key("key")))
            .handler(this::get)
            .build(),
        stringCommand(
                "set", -3, new String[] {"write", "denyoom"}, 1, 1, "@write", "@string", "@slow")
            .doc(
                CommandDoc.of(
                    "Sets the string value of a key, ignoring its type. The key is created if it"
                        + " doesn't exist.",
                    "1.0.0",
                    "string",
                    "O(1)",
                    key("key"),
                    string("value"),
                    oneOf("condition", token("nx", "NX"), token("xx", "XX")).asOptional(),
                    token("get", "GET").asOptional(),
                    expiration))
            .handler(this::set)
            .build(),
        stringCommand(
                "getdel", 2, new String[] {"write", "fast"}, 1, 1, "@write", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the string value of a key after deleting the key.",
                    "6.2.0",
                    "string",
                    "O(1)",
                    key("key")))
            .handler(this::getDel)
            .build(),
        stringCommand(
                "getex", -2, new String[] {"write", "fast"}, 1, 1, "@write", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the string value of a key after setting its expiration time.",
                    "6.2.0",
                    "string",
                    "O(1)",
                    key("key"),
                    oneOf(
                            "expiration",
                            integer("seconds").introducedBy("EX"),
                            integer("milliseconds").introducedBy("PX"),
                            unixTime("unix-time-seconds").introducedBy("EXAT"),
                            unixTime("unix-time-milliseconds").introducedBy("PXAT"),
                            token("persist", "PERSIST"))
                        .asOptional()))
            .handler(this::getEx)
            .build(),
        stringCommand(
                "setex", 4, new String[] {"write", "denyoom"}, 1, 1, "@write", "@string", "@slow")
            .doc(
                CommandDoc.of(
                    "Sets the string value and expiration time of a key.",
                    "2.0.0",
                    "string",
                    "O(1)",
                    key("key"),
                    integer("seconds"),
                    string("value")))
            .handler((connection, arguments) -> setWithExpiry(connection, arguments, Unit.SECONDS))
            .build(),
        stringCommand(
                "psetex", 4, new String[] {"write", "denyoom"}, 1, 1, "@write", "@string", "@slow")
            .doc(
                CommandDoc.of(
                    "Sets both string value and expiration time in milliseconds of a key.",
                    "2.6.0",
                    "string",
                    "O(1)",
                    key("key"),
                    integer("milliseconds"),
                    string("value")))
            .handler(
                (connection, arguments) -> setWithExpiry(connection, arguments, Unit.MILLISECONDS))
            .build(),
        stringCommand(
                "setnx",
                3,
                new String[] {"write", "denyoom", "fast"},
                1,
                1,
                "@write",
                "@string",
                "@fast")
            .doc(
                CommandDoc.of(
                    "Set the string value of a key only when the key doesn't exist.",
                    "1.0.0",
                    "string",
                    "O(1)",
                    key("key"),
                    string("value")))
            .handler(this::setNx)
            .build(),
        stringCommand(
                "mget", -2, new String[] {"readonly", "fast"}, 1, -1, "@read", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Atomically returns the string values of one or more keys.",
                    "1.0.0",
                    "string",
                    "O(N) where N is the number of keys to retrieve.",
                    key("key").asMultiple()))
            .handler(this::mget)
            .build(),
        stringCommand(
                "mset", -3, new String[] {"write", "denyoom"}, 1, -1, "@write", "@string", "@slow")
            .keys(1, -1, 2)
            .doc(
                CommandDoc.of(
                    "Creates or modifies the string values of one or more keys (not atomically"
                        + " across keys in ringkv).",
                    "1.0.1",
                    "string",
                    "O(N) where N is the number of keys to set.",
                    block("data", key("key"), string("value")).asMultiple()))
            .handler(this::mset)
            .build());
  }

  private static Command.Builder stringCommand(
      String name, int arity, String[] flags, int firstKey, int lastKey, String... acl) {
    return Command.builder(name).arity(arity).flags(flags).keys(firstKey, lastKey, 1).acl(acl);
  }

  // ---- GET, MGET ----

  private void get(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(server.service.get(key, connection.readOptions()), valueReply);
  }

  private void renderValue(Versioned value, RespWriter out) {
    out.countLookup(value.isPresent());
    out.bulkOrNull(value.value());
  }

  private void mget(RespConnection connection, byte[][] arguments) {
    List<byte[]> keys = new ArrayList<>(arguments.length - 1);
    for (int i = 1; i < arguments.length; i++) {
      keys.add(server.checkKey(arguments[i]));
    }
    connection.reply(server.service.multiGet(keys, connection.readOptions()), valuesReply);
  }

  private void renderValues(List<Versioned> values, RespWriter out) {
    out.arrayHeader(values.size());
    for (Versioned value : values) {
      out.countLookup(value.isPresent());
      out.bulkOrNull(value.value());
    }
  }

  // ---- SET and friends ----

  private void set(RespConnection connection, byte[][] arguments) {
    int flags = 0;
    byte[] expireArgument = null;
    for (int i = 3; i < arguments.length; i++) {
      byte[] option = arguments[i];
      boolean hasNext = i + 1 < arguments.length;
      if (is(option, "nx") && (flags & XX) == 0) {
        flags |= NX;
      } else if (is(option, "xx") && (flags & NX) == 0) {
        flags |= XX;
      } else if (is(option, "get")) {
        flags |= GET;
      } else if (is(option, "keepttl") && (flags & ANY_EXPIRY) == 0) {
        flags |= KEEPTTL;
      } else if (expiryOption(option) != 0
          && (flags & (KEEPTTL | (ANY_EXPIRY & ~expiryOption(option)))) == 0
          && hasNext) {
        // One of EX, PX, EXAT, PXAT: it may repeat (the last wins) but not mix with the others.
        flags |= expiryOption(option);
        expireArgument = arguments[++i];
      } else {
        throw CommandError.syntax();
      }
    }
    Expiry expiry = expiry(flags, expireArgument, "set");
    byte[] key = server.checkKey(arguments[1]);
    byte[] value = server.checkValue(arguments[2]);
    Condition condition =
        (flags & NX) != 0
            ? Condition.IF_ABSENT
            : (flags & XX) != 0 ? Condition.IF_PRESENT : Condition.ALWAYS;
    boolean get = (flags & GET) != 0;
    connection.reply(
        server.service.write(
            key, new Mutation.Put(value, expiry), connection.writeOptions(condition, get)),
        get ? previousReply : SET_REPLY);
  }

  /** The flag of an expiry option (EX, PX, EXAT, PXAT), or 0 if {@code option} is none of them. */
  private static int expiryOption(byte[] option) {
    if (is(option, "ex")) {
      return EX;
    }
    if (is(option, "px")) {
      return PX;
    }
    if (is(option, "exat")) {
      return EXAT;
    }
    if (is(option, "pxat")) {
      return PXAT;
    }
    return 0;
  }

  private Expiry expiry(int flags, byte[] expireArgument, String command) {
    if ((flags & KEEPTTL) != 0) {
      return Expiry.keep();
    }
    if ((flags & PERSIST) != 0 || expireArgument == null) {
      return Expiry.none();
    }
    Unit unit = (flags & (EX | EXAT)) != 0 ? Unit.SECONDS : Unit.MILLISECONDS;
    boolean relative = (flags & (EX | PX)) != 0;
    return Expiry.at(
        ExpiryArguments.positive(
            expireArgument, unit, relative, server.clock.epochMillis(), command));
  }

  private void renderPrevious(WriteOutcome outcome, RespWriter out) {
    out.countLookup(outcome.previous().isPresent());
    out.bulkOrNull(outcome.previous().value());
  }

  private void getDel(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(
        server.service.write(
            key, Mutation.delete(), connection.writeOptions(Condition.IF_PRESENT, true)),
        previousReply);
  }

  private void getEx(RespConnection connection, byte[][] arguments) {
    int flags = 0;
    byte[] expireArgument = null;
    for (int i = 2; i < arguments.length; i++) {
      byte[] option = arguments[i];
      boolean hasNext = i + 1 < arguments.length;
      if (is(option, "persist") && (flags & ANY_EXPIRY) == 0) {
        flags |= PERSIST;
      } else if (expiryOption(option) != 0
          && (flags & (PERSIST | (ANY_EXPIRY & ~expiryOption(option)))) == 0
          && hasNext) {
        // One of EX, PX, EXAT, PXAT: it may repeat (the last wins) but not mix with the others.
        flags |= expiryOption(option);
        expireArgument = arguments[++i];
      } else {
        throw CommandError.syntax();
      }
    }
    byte[] key = server.checkKey(arguments[1]);
    if (flags == 0) {
      connection.reply(server.service.get(key, connection.readOptions()), valueReply);
      return;
    }
    Expiry expiry = expiry(flags, expireArgument, "getex");
    connection.reply(
        server.service.write(
            key, new Mutation.Touch(expiry), connection.writeOptions(Condition.ALWAYS, true)),
        previousReply);
  }

  private void setWithExpiry(RespConnection connection, byte[][] arguments, Unit unit) {
    String name = unit == Unit.SECONDS ? "setex" : "psetex";
    long at = ExpiryArguments.positive(arguments[2], unit, true, server.clock.epochMillis(), name);
    byte[] key = server.checkKey(arguments[1]);
    byte[] value = server.checkValue(arguments[3]);
    connection.reply(
        server.service.write(
            key,
            new Mutation.Put(value, Expiry.at(at)),
            connection.writeOptions(Condition.ALWAYS, false)),
        SET_REPLY);
  }

  private void setNx(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    byte[] value = server.checkValue(arguments[2]);
    connection.reply(
        server.service.write(
            key, Mutation.put(value), connection.writeOptions(Condition.IF_ABSENT, false)),
        APPLIED_REPLY);
  }

  // ---- MSET ----

  private void mset(RespConnection connection, byte[][] arguments) {
    if (arguments.length % 2 == 0) {
      throw CommandError.arity("mset");
    }
    for (int i = 1; i < arguments.length; i += 2) {
      server.checkKey(arguments[i]);
      server.checkValue(arguments[i + 1]);
    }
    // Writes of different keys may run concurrently (e.g. with fsync per write), so a key given
    // twice is written once, with its last value, which is what Redis' in-order MSET leaves.
    Map<ByteBuffer, byte[]> pairs = new LinkedHashMap<>();
    for (int i = 1; i < arguments.length; i += 2) {
      pairs.put(ByteBuffer.wrap(arguments[i]), arguments[i + 1]);
    }
    List<CompletableFuture<WriteOutcome>> writes = new ArrayList<>(pairs.size());
    for (Map.Entry<ByteBuffer, byte[]> pair : pairs.entrySet()) {
      writes.add(
          server.service.write(
              pair.getKey().array(),
              Mutation.put(pair.getValue()),
              connection.writeOptions(Condition.ALWAYS, false)));
    }
    connection.reply(all(writes), OK_REPLY);
  }

  /**
   * Completes with every result once all complete, or exceptionally with the first failure in
   * argument order. Already complete when every part is.
   */
  static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> parts) {
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .handle(
            (ignored, failure) -> {
              List<T> results = new ArrayList<>(parts.size());
              for (CompletableFuture<T> part : parts) {
                if (part.isCompletedExceptionally()) {
                  throw new java.util.concurrent.CompletionException(part.exceptionNow());
                }
                results.add(part.resultNow());
              }
              return results;
            });
  }
}
