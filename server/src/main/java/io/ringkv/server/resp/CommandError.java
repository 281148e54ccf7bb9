package io.ringkv.server.resp;

/**
 * A command's arguments are wrong; the message is the error reply line without the leading {@code
 * -} (starting with its code, e.g. {@code ERR syntax error}). Thrown by argument parsing before a
 * command does anything, caught by the dispatcher, answered as an error; the connection stays open.
 * No stack trace: this is an answer to a client, not a bug.
 */
final class CommandError extends RuntimeException {
  CommandError(String message) {
    super(message, null, false, false);
  }

  static CommandError syntax() {
    return new CommandError("ERR syntax error");
  }

  static CommandError notAnInteger() {
    return new CommandError("ERR value is not an integer or out of range");
  }

  /** Redis' own text, which client libraries match on. */
  static CommandError wrongType() {
    return new CommandError("WRONGTYPE Operation against a key holding the wrong kind of value");
  }

  static CommandError arity(String fullName) {
    return new CommandError("ERR wrong number of arguments for '" + fullName + "' command");
  }
}
