package io.ringkv.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of the command table: its name, arity, flags and key positions as {@code COMMAND INFO}
 * reports them (Redis' conventions: a positive arity is exact, a negative one a minimum, both
 * counting the name), its documentation, its subcommands (CLIENT, CONFIG, COMMAND) and its handler.
 *
 * @param name lowercase full name; a subcommand's is {@code container|sub}, as in Redis
 * @param arity the argument count, name included; negative for "at least"
 * @param flags Redis command flags: write, readonly, denyoom, fast, no_auth, loading, stale, ...
 * @param firstKey position of the first key argument, 0 if none
 * @param lastKey position of the last key argument, -1 for the last argument
 * @param step distance between key arguments
 * @param aclCategories Redis ACL categories (@read, @write, @string, ...)
 * @param doc what COMMAND DOCS says
 * @param subcommands by lowercase subcommand name (without the container's), in order
 * @param handler what runs it; for a container, what runs when no subcommand is given
 */
record Command(
    String name,
    int arity,
    List<String> flags,
    int firstKey,
    int lastKey,
    int step,
    List<String> aclCategories,
    CommandDoc doc,
    Map<String, Command> subcommands,
    CommandHandler handler) {

  Command {
    flags = List.copyOf(flags);
    aclCategories = List.copyOf(aclCategories);
    subcommands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(subcommands));
  }

  boolean acceptsArgumentCount(int count) {
    return arity >= 0 ? count == arity : count >= -arity;
  }

  /** Whether the command runs before authentication (AUTH, HELLO, QUIT). */
  boolean noAuth() {
    return flags.contains("no_auth");
  }

  /** The subcommand named {@code word} (any case), or null. */
  Command subcommand(byte[] word) {
    return subcommands.get(new String(word, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
  }

  /** The container's name for messages such as "Try CLIENT HELP": the part before '|'. */
  String containerName() {
    int bar = name.indexOf('|');
    return (bar < 0 ? name : name.substring(0, bar)).toUpperCase(Locale.ROOT);
  }

  static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a command; keeps the command classes readable. */
  static final class Builder {
    private final String name;
    private int arity;
    private List<String> flags = List.of();
    private int firstKey;
    private int lastKey;
    private int step;
    private List<String> aclCategories = List.of();
    private CommandDoc doc;
    private final List<Command> subcommands = new ArrayList<>();
    private CommandHandler handler;

    private Builder(String name) {
      this.name = name;
    }

    Builder arity(int value) {
      arity = value;
      return this;
    }

    Builder flags(String... values) {
      flags = List.of(values);
      return this;
    }

    Builder keys(int first, int last, int keyStep) {
      firstKey = first;
      lastKey = last;
      step = keyStep;
      return this;
    }

    Builder acl(String... categories) {
      aclCategories = List.of(categories);
      return this;
    }

    Builder doc(CommandDoc value) {
      doc = value;
      return this;
    }

    Builder subcommand(Command subcommand) {
      subcommands.add(subcommand);
      return this;
    }

    Builder handler(CommandHandler value) {
      handler = value;
      return this;
    }

    Command build() {
      if (doc == null || handler == null) {
        throw new IllegalStateException("command " + name + " needs a doc and a handler");
      }
      Map<String, Command> byName = new LinkedHashMap<>();
      for (Command subcommand : subcommands) {
        String full = subcommand.name();
        if (!full.startsWith(name + "|")) {
          throw new IllegalStateException(full + " is not a subcommand of " + name);
        }
        byName.put(full.substring(name.length() + 1), subcommand);
      }
      return new Command(
          name, arity, flags, firstKey, lastKey, step, aclCategories, doc, byName, handler);
    }
  }
}
