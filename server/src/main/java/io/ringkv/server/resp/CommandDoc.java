package io.ringkv.server.resp;

import java.util.List;

/**
 * What {@code COMMAND DOCS} says about a command, in the shape of Redis' command docs (so that
 * {@code redis-cli} can build its hints and client libraries can read it).
 *
 * @param summary one line
 * @param since the Redis version the command appeared in (what clients compare against)
 * @param group Redis' command group: string, generic, connection, server
 * @param complexity time complexity
 * @param arguments the arguments after the name
 */
record CommandDoc(
    String summary, String since, String group, String complexity, List<Argument> arguments) {

  CommandDoc {
    arguments = List.copyOf(arguments);
  }

  static CommandDoc of(
      String summary, String since, String group, String complexity, Argument... arguments) {
    return new CommandDoc(summary, since, group, complexity, List.of(arguments));
  }

  /**
   * One argument, as Redis describes it.
   *
   * @param name identifier of the argument
   * @param type key, string, integer, pattern, unix-time, pure-token, oneof or block
   * @param token the literal word that introduces it, or null
   * @param optional whether it may be left out
   * @param multiple whether it may be repeated
   * @param children the arguments of a oneof or block
   */
  record Argument(
      String name,
      String type,
      String token,
      boolean optional,
      boolean multiple,
      List<Argument> children) {

    Argument {
      children = List.copyOf(children);
    }

    static Argument key(String name) {
      return new Argument(name, "key", null, false, false, List.of());
    }

    static Argument string(String name) {
      return new Argument(name, "string", null, false, false, List.of());
    }

    static Argument integer(String name) {
      return new Argument(name, "integer", null, false, false, List.of());
    }

    static Argument pattern(String name) {
      return new Argument(name, "pattern", null, false, false, List.of());
    }

    static Argument unixTime(String name) {
      return new Argument(name, "unix-time", null, false, false, List.of());
    }

    /** A word alone, e.g. {@code NX}. */
    static Argument token(String name, String token) {
      return new Argument(name, "pure-token", token, false, false, List.of());
    }

    static Argument oneOf(String name, Argument... children) {
      return new Argument(name, "oneof", null, false, false, List.of(children));
    }

    static Argument block(String name, Argument... children) {
      return new Argument(name, "block", null, false, false, List.of(children));
    }

    /** The same argument introduced by {@code word}, e.g. {@code EX seconds}. */
    Argument introducedBy(String word) {
      return new Argument(name, type, word, optional, multiple, children);
    }

    Argument asOptional() {
      return new Argument(name, type, token, true, multiple, children);
    }

    Argument asMultiple() {
      return new Argument(name, type, token, optional, true, children);
    }
  }
}
