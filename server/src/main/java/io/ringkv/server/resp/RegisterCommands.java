package io.ringkv.server.resp;

import static io.ringkv.server.resp.CommandDoc.Argument.key;
import static io.ringkv.server.resp.CommandDoc.Argument.string;

import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.WriteOptions.Condition;
import java.util.List;

/**
 * ringkv's commands for the registers of a causal keyspace (docs/design/causal.md,
 * docs/api/redis.md "Causal keyspaces"): CGET reads every sibling with the key's causal context,
 * CSET and CDEL write with the context a CGET returned, superseding exactly the siblings that read
 * saw. Plain GET and SET keep working (the winner; a blind write) for clients that know nothing of
 * contexts.
 *
 * <p>Each command is one {@link io.ringkv.server.kv.KeyValueService} call: readCausal or
 * writeCausal. In a last-write-wins keyspace CGET shows the value as one sibling with an empty
 * context, and CSET and CDEL fail as the service says (a causal write needs a causal keyspace).
 *
 * <p>Thread-safe: holds only the shared context and renderers.
 */
final class RegisterCommands {
  private final RespContext server;

  /** {@code [context, value-or-nil, ...]}: the siblings newest first, nil for a deleted one. */
  private static final ReplyRenderer<CausalValue> SIBLINGS_REPLY =
      (value, out) -> {
        switch (value) {
          case CausalValue.Absent absent -> {
            out.countLookup(false);
            out.arrayHeader(1);
            out.bulk(CausalContexts.encode(absent.context()));
          }
          case CausalValue.Register register -> {
            out.countLookup(true);
            out.arrayHeader(1 + register.siblings().size());
            out.bulk(CausalContexts.encode(register.context()));
            for (CausalValue.Sibling sibling : register.siblings()) {
              out.bulkOrNull(sibling.value());
            }
          }
          case CausalValue.Counter counter -> throw CommandError.wrongType();
          case CausalValue.Set set -> throw CommandError.wrongType();
        }
      };

  /** The key's new context, which the client's next write of the key should carry. */
  private static final ReplyRenderer<CausalWriteOutcome> CONTEXT_REPLY =
      (outcome, out) -> out.bulk(CausalContexts.encode(outcome.state().context()));

  RegisterCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    return List.of(
        Command.builder("cget")
            .arity(2)
            .flags("readonly", "fast")
            .keys(1, 1, 1)
            .acl("@read", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the causal context of a key and all its siblings, newest first (nil"
                        + " for a deleted sibling).",
                    "7.2.0",
                    "string",
                    "O(N) where N is the number of siblings",
                    key("key")))
            .handler(this::cget)
            .build(),
        Command.builder("cset")
            .arity(4)
            .flags("write", "denyoom")
            .keys(1, 1, 1)
            .acl("@write", "@string", "@slow")
            .doc(
                CommandDoc.of(
                    "Writes a value superseding the siblings a causal context covers (\"\" for a"
                        + " blind write); returns the new context.",
                    "7.2.0",
                    "string",
                    "O(N) where N is the number of siblings",
                    key("key"),
                    string("context"),
                    string("value")))
            .handler(this::cset)
            .build(),
        Command.builder("cdel")
            .arity(3)
            .flags("write", "fast")
            .keys(1, 1, 1)
            .acl("@write", "@string", "@fast")
            .doc(
                CommandDoc.of(
                    "Deletes the siblings a causal context covers (\"\" for a blind delete);"
                        + " returns the new context.",
                    "7.2.0",
                    "string",
                    "O(N) where N is the number of siblings",
                    key("key"),
                    string("context")))
            .handler(this::cdel)
            .build());
  }

  private void cget(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(server.service.readCausal(key, connection.readOptions()), SIBLINGS_REPLY);
  }

  private void cset(RespConnection connection, byte[][] arguments) {
    byte[] context = CausalContexts.decode(arguments[2], "cset");
    byte[] key = server.checkKey(arguments[1]);
    byte[] value = server.checkValue(arguments[3]);
    connection.reply(
        server.service.writeCausal(
            key,
            new CausalWrite.Put(value, context),
            connection.writeOptions(Condition.ALWAYS, false)),
        CONTEXT_REPLY);
  }

  private void cdel(RespConnection connection, byte[][] arguments) {
    byte[] context = CausalContexts.decode(arguments[2], "cdel");
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(
        server.service.writeCausal(
            key, new CausalWrite.Delete(context), connection.writeOptions(Condition.ALWAYS, false)),
        CONTEXT_REPLY);
  }
}
