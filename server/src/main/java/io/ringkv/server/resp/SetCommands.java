package io.ringkv.server.resp;

import static io.ringkv.server.resp.CommandDoc.Argument.key;
import static io.ringkv.server.resp.CommandDoc.Argument.string;

import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.WriteOptions.Condition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SCARD on the observed-remove sets of a causal
 * keyspace (docs/design/causal.md, "Sets"): adds and removes are {@link
 * io.ringkv.server.kv.KeyValueService#writeCausal} operations merged on the server (an add
 * concurrent with a remove survives it), reads are one readCausal. SREM removes what the
 * coordinating replica holds (no context: Redis clients have none to give).
 *
 * <p>A member given twice counts once, as in Redis ({@code SADD s a a} answers 1), so the members
 * are deduplicated before the write. Reads of a key holding a register or counter answer WRONGTYPE
 * (in a last-write-wins keyspace every present key is a string); an absent key is an empty set.
 *
 * <p>Thread-safe: holds only the shared context and renderers.
 */
final class SetCommands {
  private final RespContext server;

  private static final ReplyRenderer<CausalWriteOutcome> CHANGED_REPLY =
      (outcome, out) -> out.integer(outcome.changedMembers());

  private static final ReplyRenderer<CausalValue> MEMBERS_REPLY =
      (value, out) -> {
        List<byte[]> members = members(value);
        out.setHeader(members.size());
        for (byte[] member : members) {
          out.bulk(member);
        }
      };

  private static final ReplyRenderer<CausalValue> CARDINALITY_REPLY =
      (value, out) -> out.integer(members(value).size());

  SetCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    return List.of(
        Command.builder("sadd")
            .arity(-3)
            .flags("write", "denyoom", "fast")
            .keys(1, 1, 1)
            .acl("@write", "@set", "@fast")
            .doc(
                CommandDoc.of(
                    "Adds one or more members to a set. Creates the key if it doesn't exist.",
                    "1.0.0",
                    "set",
                    "O(1) for each element added, so O(N) to add N elements when the command is"
                        + " called with multiple arguments.",
                    key("key"),
                    string("member").asMultiple()))
            .handler((connection, arguments) -> write(connection, arguments, true))
            .build(),
        Command.builder("srem")
            .arity(-3)
            .flags("write", "fast")
            .keys(1, 1, 1)
            .acl("@write", "@set", "@fast")
            .doc(
                CommandDoc.of(
                    "Removes one or more members from a set.",
                    "1.0.0",
                    "set",
                    "O(N) where N is the number of members to be removed.",
                    key("key"),
                    string("member").asMultiple()))
            .handler((connection, arguments) -> write(connection, arguments, false))
            .build(),
        Command.builder("smembers")
            .arity(2)
            .flags("readonly")
            .keys(1, 1, 1)
            .acl("@read", "@set", "@slow")
            .doc(
                CommandDoc.of(
                    "Returns all members of a set.",
                    "1.0.0",
                    "set",
                    "O(N) where N is the set cardinality.",
                    key("key")))
            .handler((connection, arguments) -> read(connection, arguments, MEMBERS_REPLY))
            .build(),
        Command.builder("sismember")
            .arity(3)
            .flags("readonly", "fast")
            .keys(1, 1, 1)
            .acl("@read", "@set", "@fast")
            .doc(
                CommandDoc.of(
                    "Determines whether a member belongs to a set.",
                    "1.0.0",
                    "set",
                    "O(N) where N is the set cardinality (ringkv reads the whole set).",
                    key("key"),
                    string("member")))
            .handler(this::isMember)
            .build(),
        Command.builder("scard")
            .arity(2)
            .flags("readonly", "fast")
            .keys(1, 1, 1)
            .acl("@read", "@set", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the number of members in a set.",
                    "1.0.0",
                    "set",
                    "O(N) where N is the set cardinality (ringkv reads the whole set).",
                    key("key")))
            .handler((connection, arguments) -> read(connection, arguments, CARDINALITY_REPLY))
            .build());
  }

  private void write(RespConnection connection, byte[][] arguments, boolean add) {
    byte[] key = server.checkKey(arguments[1]);
    Set<ByteBuffer> distinct = new LinkedHashSet<>();
    for (int i = 2; i < arguments.length; i++) {
      distinct.add(ByteBuffer.wrap(server.checkValue(arguments[i])));
    }
    List<byte[]> members = new ArrayList<>(distinct.size());
    for (ByteBuffer member : distinct) {
      members.add(member.array());
    }
    CausalWrite write =
        add ? new CausalWrite.SetAdd(members) : new CausalWrite.SetRemove(members, null);
    connection.reply(
        server.service.writeCausal(key, write, connection.writeOptions(Condition.ALWAYS, false)),
        CHANGED_REPLY);
  }

  private void read(
      RespConnection connection, byte[][] arguments, ReplyRenderer<CausalValue> reply) {
    byte[] key = server.checkKey(arguments[1]);
    connection.reply(server.service.readCausal(key, connection.readOptions()), reply);
  }

  private void isMember(RespConnection connection, byte[][] arguments) {
    byte[] key = server.checkKey(arguments[1]);
    byte[] candidate = arguments[2];
    connection.reply(
        server.service.readCausal(key, connection.readOptions()),
        (value, out) -> {
          for (byte[] member : members(value)) {
            if (Arrays.equals(member, candidate)) {
              out.integer(1);
              return;
            }
          }
          out.integer(0);
        });
  }

  /**
   * The members of a set, none for an absent key.
   *
   * @throws CommandError WRONGTYPE for a register or counter
   */
  private static List<byte[]> members(CausalValue value) {
    return switch (value) {
      case CausalValue.Set set -> set.members();
      case CausalValue.Absent absent -> List.of();
      case CausalValue.Register register -> throw CommandError.wrongType();
      case CausalValue.Counter counter -> throw CommandError.wrongType();
    };
  }
}
