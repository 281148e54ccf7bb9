package io.ringkv.server.resp;

import static io.ringkv.server.resp.Arguments.is;
import static io.ringkv.server.resp.CommandDoc.Argument.integer;
import static io.ringkv.server.resp.CommandDoc.Argument.key;
import static io.ringkv.server.resp.CommandDoc.Argument.oneOf;
import static io.ringkv.server.resp.CommandDoc.Argument.pattern;
import static io.ringkv.server.resp.CommandDoc.Argument.string;
import static io.ringkv.server.resp.CommandDoc.Argument.token;
import static io.ringkv.server.resp.CommandDoc.Argument.unixTime;

import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.Expiry;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.kv.WriteOptions.Condition;
import io.ringkv.server.kv.WriteOutcome;
import io.ringkv.server.resp.ExpiryArguments.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Generic key commands: DEL, UNLINK, EXISTS, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
 * PERSIST, TYPE, SCAN.
 *
 * <p>EXPIRE's NX/XX/GT/LT and PERSIST compare against the key's current expiry: they read, then
 * touch only if the key is still present. Another client's write between the two can win; the
 * service offers no compare-on-expiry yet (docs/api/redis.md).
 *
 * <p>Thread-safe: holds only the shared context and renderers.
 */
final class KeyCommands {
  /** Largest SCAN page, whatever COUNT asks: a page holds values in memory (ScanPage). */
  static final int SCAN_COUNT_MAX = 1000;

  private static final byte[] NO_PATTERN = null;

  private final RespContext server;
  private final ReplyRenderer<List<WriteOutcome>> appliedCountReply =
      (outcomes, out) -> {
        long applied = 0;
        for (WriteOutcome outcome : outcomes) {
          applied += outcome.applied() ? 1 : 0;
        }
        out.integer(applied);
      };
  private static final ReplyRenderer<List<Versioned>> PRESENT_COUNT_REPLY =
      (values, out) -> {
        long present = 0;
        for (Versioned value : values) {
          present += value.isPresent() ? 1 : 0;
        }
        out.integer(present);
      };
  private final ReplyRenderer<Versioned> ttlSecondsReply = (value, out) -> ttl(value, out, false);
  private final ReplyRenderer<Versioned> ttlMillisecondsReply =
      (value, out) -> ttl(value, out, true);
  private static final ReplyRenderer<CausalValue> TYPE_REPLY =
      (value, out) -> out.simple(typeName(value));
  private static final ReplyRenderer<Long> INTEGER_REPLY = (value, out) -> out.integer(value);

  KeyCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    List<Command> commands = new ArrayList<>();
    for (String name : List.of("del", "unlink")) {
      commands.add(
          Command.builder(name)
              .arity(-2)
              .flags("write")
              .keys(1, -1, 1)
              .acl("@keyspace", "@write", "@slow")
              .doc(
                  CommandDoc.of(
                      name.equals("del")
                          ? "Deletes one or more keys."
                          : "Deletes one or more keys (the same as DEL in ringkv).",
                      name.equals("del") ? "1.0.0" : "4.0.0",
                      "generic",
                      "O(N) where N is the number of keys that will be removed.",
                      key("key").asMultiple()))
              .handler(this::delete)
              .build());
    }
    commands.add(
        Command.builder("exists")
            .arity(-2)
            .flags("readonly", "fast")
            .keys(1, -1, 1)
            .acl("@keyspace", "@read", "@fast")
            .doc(
                CommandDoc.of(
                    "Determines whether one or more keys exist; a key given twice counts twice.",
                    "1.0.0",
                    "generic",
                    "O(N) where N is the number of keys to check.",
                    key("key").asMultiple()))
            .handler(this::exists)
            .build());
    commands.add(
        expire(
            "expire",
            Unit.SECONDS,
            true,
            "Sets the expiration time of a key in seconds.",
            "1.0.0"));
    commands.add(
        expire(
            "pexpire",
            Unit.MILLISECONDS,
            true,
            "Sets the expiration time of a key in milliseconds.",
            "2.6.0"));
    commands.add(
        expire(
            "expireat",
            Unit.SECONDS,
            false,
            "Sets the expiration time of a key to a Unix timestamp.",
            "1.2.0"));
    commands.add(
        expire(
            "pexpireat",
            Unit.MILLISECONDS,
            false,
            "Sets the expiration time of a key to a Unix milliseconds timestamp.",
            "2.6.0"));
    commands.add(
        readCommand("ttl", "Returns the expiration time in seconds of a key.", "1.0.0")
            .handler((connection, arguments) -> lookup(connection, arguments, ttlSecondsReply))
            .build());
    commands.add(
        readCommand("pttl", "Returns the expiration time in milliseconds of a key.", "2.6.0")
            .handler((connection, arguments) -> lookup(connection, arguments, ttlMillisecondsReply))
            .build());
    commands.add(
        Command.builder("persist")
            .arity(2)
            .flags("write", "fast")
            .keys(1, 1, 1)
            .acl("@keyspace", "@write", "@fast")
            .doc(
                CommandDoc.of(
                    "Removes the expiration time of a key.",
                    "2.2.0",
                    "generic",
                    "O(1)",
                    key("key")))
            .handler(this::persist)
            .build());
    commands.add(
        readCommand("type", "Determines the type of value stored at a key.", "1.0.0")
            .handler(this::type)
            .build());
    commands.add(
        Command.builder("scan")
            .arity(-2)
            .flags("readonly")
            .acl("@keyspace", "@read", "@slow")
            .doc(
                CommandDoc.of(
                    "Iterates over the key names in the database.",
                    "2.8.0",
                    "generic",
                    "O(1) for every call. O(N) for a complete iteration.",
                    string("cursor"),
                    pattern("pattern").introducedBy("MATCH").asOptional(),
                    integer("count").introducedBy("COUNT").asOptional(),
                    string("type").introducedBy("TYPE").asOptional()))
            .handler(this::scan)
            .build());
    return commands;
  }

  private static Command.Builder readCommand(String name, String summary, String since) {
    return Command.builder(name)
        .arity(2)
        .flags("readonly", "fast")
        .keys(1, 1, 1)
        .acl("@keyspace", "@read", "@fast")
        .doc(CommandDoc.of(summary, since, "generic", "O(1)", key("key")));
  }

  private void lookup(
      RespConnection connection, byte[][] arguments, ReplyRenderer<Versioned> reply) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(server.service.get(key, connection.readOptions()), reply);
  }

  // ---- TYPE ----

  /** Through readCausal, which tells registers, counters and sets apart in a causal keyspace. */
  private void type(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(server.service.readCausal(key, connection.readOptions()), TYPE_REPLY);
  }

  /**
   * Redis' type names: a register (with a live sibling) and a counter are strings, as GET reads
   * them; a set is a set even when empty, since a key's type is fixed by its first write and a
   * string command on it stays WRONGTYPE.
   */
  static String typeName(CausalValue value) {
    return switch (value) {
      case CausalValue.Absent absent -> "none";
      case CausalValue.Register register -> {
        for (CausalValue.Sibling sibling : register.siblings()) {
          if (!sibling.isDeleted()) {
            yield "string";
          }
        }
        yield "none";
      }
      case CausalValue.Counter counter -> "string";
      case CausalValue.Set set -> "set";
    };
  }

  // ---- DEL, EXISTS ----

  private void delete(RespConnection connection, byte[][] arguments) {
    List<CompletableFuture<WriteOutcome>> deletes = new ArrayList<>(arguments.length - 1);
    for (int i = 1; i < arguments.length; i++) {
      server.checkKey(arguments[i]);
    }
    for (int i = 1; i < arguments.length; i++) {
      deletes.add(
          server.service.write(
              arguments[i],
              Mutation.delete(),
              connection.writeOptions(Condition.IF_PRESENT, false)));
    }
    connection.reply(StringCommands.all(deletes), appliedCountReply);
  }

  private void exists(RespConnection connection, byte[][] arguments) {
    List<byte[]> keys = new ArrayList<>(arguments.length - 1);
    for (int i = 1; i < arguments.length; i++) {
      keys.add(server.checkKey(arguments[i]));
    }
    connection.reply(server.service.multiGet(keys, connection.readOptions()), PRESENT_COUNT_REPLY);
  }

  // ---- expiry ----

  private Command expire(String name, Unit unit, boolean relative, String summary, String since) {
    return Command.builder(name)
        .arity(-3)
        .flags("write", "fast")
        .keys(1, 1, 1)
        .acl("@keyspace", "@write", "@fast")
        .doc(
            CommandDoc.of(
                summary,
                since,
                "generic",
                "O(1)",
                key("key"),
                relative
                    ? integer(unit == Unit.SECONDS ? "seconds" : "milliseconds")
                    : unixTime(
                        unit == Unit.SECONDS ? "unix-time-seconds" : "unix-time-milliseconds"),
                oneOf(
                        "condition",
                        token("nx", "NX"),
                        token("xx", "XX"),
                        token("gt", "GT"),
                        token("lt", "LT"))
                    .asOptional()))
        .handler((connection, arguments) -> expire(connection, arguments, name, unit, relative))
        .build();
  }

  private static final int NX = 1;
  private static final int XX = 2;
  private static final int GT = 4;
  private static final int LT = 8;

  private void expire(
      RespConnection connection, byte[][] arguments, String name, Unit unit, boolean relative) {
    int flags = 0;
    for (int i = 3; i < arguments.length; i++) {
      byte[] option = arguments[i];
      if (is(option, "nx")) {
        flags |= NX;
      } else if (is(option, "xx")) {
        flags |= XX;
      } else if (is(option, "gt")) {
        flags |= GT;
      } else if (is(option, "lt")) {
        flags |= LT;
      } else {
        throw new CommandError("ERR Unsupported option " + Arguments.text(option, 128));
      }
    }
    if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
      throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if ((flags & GT) != 0 && (flags & LT) != 0) {
      throw new CommandError("ERR GT and LT options at the same time are not compatible");
    }
    long when = ExpiryArguments.any(arguments[2], unit, relative, server.clock.epochMillis(), name);
    byte[] key = server.checkKey(arguments[1]);
    Mutation.Touch touch = new Mutation.Touch(Expiry.at(when));
    if (flags == 0) {
      connection.reply(
          server.service.write(key, touch, connection.writeOptions(Condition.IF_PRESENT, false)),
          StringCommands.APPLIED_REPLY);
      return;
    }
    int conditions = flags;
    // The levels in force now: the write may run on another thread, after a later CONSISTENCY.
    WriteOptions writeOptions = connection.writeOptions(Condition.IF_PRESENT, false);
    CompletableFuture<Long> result =
        server
            .service
            .get(key, connection.readOptions())
            .thenCompose(
                current -> {
                  if (!current.isPresent() || !expiryConditionHolds(conditions, current, when)) {
                    return CompletableFuture.completedFuture(0L);
                  }
                  return server
                      .service
                      .write(key, touch, writeOptions)
                      .thenApply(outcome -> outcome.applied() ? 1L : 0L);
                });
    connection.reply(result, INTEGER_REPLY);
  }

  /** Redis' rules; a key without expiry counts as expiring never (infinitely late). */
  private static boolean expiryConditionHolds(int flags, Versioned current, long when) {
    boolean hasExpiry = current.hasExpiry();
    long currentAt = current.expiresAtMillis();
    if ((flags & NX) != 0 && hasExpiry) {
      return false;
    }
    if ((flags & XX) != 0 && !hasExpiry) {
      return false;
    }
    if ((flags & GT) != 0 && (!hasExpiry || when <= currentAt)) {
      return false;
    }
    return (flags & LT) == 0 || !hasExpiry || when < currentAt;
  }

  private void ttl(Versioned value, RespWriter out, boolean milliseconds) {
    if (!value.isPresent()) {
      out.integer(-2);
      return;
    }
    if (!value.hasExpiry()) {
      out.integer(-1);
      return;
    }
    long remaining = Math.max(0, value.expiresAtMillis() - server.clock.epochMillis());
    out.integer(milliseconds ? remaining : (remaining + 500) / 1000);
  }

  private void persist(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    // The levels in force now: the write may run on another thread, after a later CONSISTENCY.
    WriteOptions writeOptions = connection.writeOptions(Condition.IF_PRESENT, false);
    CompletableFuture<Long> result =
        server
            .service
            .get(key, connection.readOptions())
            .thenCompose(
                current -> {
                  if (!current.isPresent() || !current.hasExpiry()) {
                    return CompletableFuture.completedFuture(0L);
                  }
                  return server
                      .service
                      .write(key, new Mutation.Touch(Expiry.none()), writeOptions)
                      .thenApply(outcome -> outcome.applied() ? 1L : 0L);
                });
    connection.reply(result, INTEGER_REPLY);
  }

  // ---- SCAN ----

  private void scan(RespConnection connection, byte[][] arguments) {
    ScanCursor cursor;
    try {
      cursor = ScanCursor.parse(Arguments.text(arguments[1]));
    } catch (IllegalArgumentException e) {
      throw new CommandError("ERR invalid cursor");
    }
    long count = 10;
    byte[] pattern = NO_PATTERN;
    boolean stringsOnly = true;
    for (int i = 2; i < arguments.length; i++) {
      boolean hasNext = i + 1 < arguments.length;
      if (is(arguments[i], "count") && hasNext) {
        count = Arguments.parseLong(arguments[++i]);
        if (count < 1) {
          throw CommandError.syntax();
        }
      } else if (is(arguments[i], "match") && hasNext) {
        pattern = arguments[++i];
        if (pattern.length == 1 && pattern[0] == '*') {
          pattern = NO_PATTERN;
        }
      } else if (is(arguments[i], "type") && hasNext) {
        stringsOnly = is(arguments[++i], "string");
      } else {
        throw CommandError.syntax();
      }
    }
    if (!stringsOnly) {
      // SCAN does not read values, so it cannot tell a causal keyspace's sets from strings: TYPE
      // string lists every key, any other type none (docs/api/redis.md, "SCAN").
      RespWriter out = connection.out();
      out.arrayHeader(2);
      out.bulk(ScanCursor.END.toToken());
      out.arrayHeader(0);
      return;
    }
    byte[] match = pattern;
    int limit = (int) Math.min(count, SCAN_COUNT_MAX);
    connection.reply(
        server.service.scan(cursor, limit, connection.readOptions()),
        (page, out) -> renderScan(page, match, out));
  }

  private static void renderScan(ScanPage page, byte[] pattern, RespWriter out) {
    List<ScanPage.Entry> entries = page.entries();
    int matching = entries.size();
    if (pattern != null) {
      matching = 0;
      for (ScanPage.Entry entry : entries) {
        matching += GlobPattern.matches(pattern, entry.key(), false) ? 1 : 0;
      }
    }
    out.arrayHeader(2);
    out.bulk(page.next().toToken());
    out.arrayHeader(matching);
    for (ScanPage.Entry entry : entries) {
      if (pattern == null || GlobPattern.matches(pattern, entry.key(), false)) {
        out.bulk(entry.key());
      }
    }
  }
}
