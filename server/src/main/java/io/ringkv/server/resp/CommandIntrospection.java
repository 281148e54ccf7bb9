package io.ringkv.server.resp;

import static io.ringkv.server.resp.CommandDoc.Argument.string;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND, COMMAND COUNT, COMMAND LIST, COMMAND INFO and COMMAND DOCS: the command table described
 * in Redis 7's reply shapes, so that {@code redis-cli} can offer hints and client libraries can
 * learn arity, flags and key positions. Key specs and tips are empty arrays (first key, last key
 * and step say where the keys are).
 *
 * <p>Thread-safe: reads the immutable command table.
 */
final class CommandIntrospection {
  private final RespContext server;

  CommandIntrospection(RespContext server) {
    this.server = server;
  }

  Command command() {
    return Command.builder("command")
        .arity(-1)
        .flags("loading", "stale")
        .acl("@slow", "@connection")
        .doc(
            CommandDoc.of(
                "Returns detailed information about all commands.",
                "2.8.13",
                "server",
                "O(N) where N is the total number of commands"))
        .handler((connection, arguments) -> info(connection, server.commands.all()))
        .subcommand(
            sub("count", 2, "Returns a count of commands.")
                .handler(
                    (connection, arguments) -> connection.out().integer(server.commands.size()))
                .build())
        .subcommand(sub("list", -2, "Returns a list of command names.").handler(this::list).build())
        .subcommand(
            sub("info", -2, "Returns information about one, multiple or all commands.")
                .doc(
                    CommandDoc.of(
                        "Returns information about one, multiple or all commands.",
                        "2.8.13",
                        "server",
                        "O(N) where N is the number of commands to look up",
                        string("command-name").asOptional().asMultiple()))
                .handler(
                    (connection, arguments) ->
                        info(
                            connection,
                            arguments.length == 2 ? server.commands.all() : named(arguments, true)))
                .build())
        .subcommand(
            sub("docs", -2, "Returns documentary information about one, multiple or all commands.")
                .doc(
                    CommandDoc.of(
                        "Returns documentary information about one, multiple or all commands.",
                        "7.0.0",
                        "server",
                        "O(N) where N is the number of commands to look up",
                        string("command-name").asOptional().asMultiple()))
                .handler(
                    (connection, arguments) ->
                        docs(
                            connection,
                            arguments.length == 2
                                ? server.commands.all()
                                : named(arguments, false)))
                .build())
        .subcommand(
            sub("help", 2, "Returns helpful text about the different subcommands.")
                .handler(
                    (connection, arguments) ->
                        ConnectionCommands.help(
                            connection,
                            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                            "(no subcommand)",
                            "    Return details about all commands.",
                            "COUNT",
                            "    Return the total number of commands.",
                            "LIST",
                            "    Return the names of all commands.",
                            "INFO [<command-name> ...]",
                            "    Return details about the named commands, or all of them.",
                            "DOCS [<command-name> ...]",
                            "    Return documentation about the named commands, or all of them.",
                            "HELP",
                            "    Print this help."))
                .build())
        .build();
  }

  private static Command.Builder sub(String name, int arity, String summary) {
    return Command.builder("command|" + name)
        .arity(arity)
        .flags("loading", "stale")
        .acl("@slow", "@connection")
        .doc(CommandDoc.of(summary, "2.8.13", "server", "O(N) where N is the number of commands"));
  }

  /** The commands named from argument 2 on; unknown names give null if {@code keepUnknown}. */
  private List<Command> named(byte[][] arguments, boolean keepUnknown) {
    List<Command> commands = new ArrayList<>(arguments.length - 2);
    for (int i = 2; i < arguments.length; i++) {
      Command command = find(Arguments.text(arguments[i]).toLowerCase(Locale.ROOT));
      if (command != null || keepUnknown) {
        commands.add(command);
      }
    }
    return commands;
  }

  /** A command by name, or a subcommand by {@code container|sub}. */
  private Command find(String name) {
    int bar = name.indexOf('|');
    Command command =
        server.commands.lookup(
            (bar < 0 ? name : name.substring(0, bar)).getBytes(StandardCharsets.ISO_8859_1));
    if (command == null || bar < 0) {
      return command;
    }
    return command.subcommands().get(name.substring(bar + 1));
  }

  private void list(RespConnection connection, byte[][] arguments) {
    if (arguments.length > 2) {
      throw CommandError.syntax();
    }
    RespWriter out = connection.out();
    out.arrayHeader(server.commands.size());
    for (Command command : server.commands.all()) {
      out.bulk(command.name());
    }
  }

  private static void info(RespConnection connection, List<Command> commands) {
    RespWriter out = connection.out();
    out.arrayHeader(commands.size());
    for (Command command : commands) {
      if (command == null) {
        out.nullArray();
      } else {
        writeInfo(command, out);
      }
    }
  }

  private static void writeInfo(Command command, RespWriter out) {
    out.arrayHeader(10);
    out.bulk(command.name());
    out.integer(command.arity());
    out.setHeader(command.flags().size());
    for (String flag : command.flags()) {
      out.simple(flag);
    }
    out.integer(command.firstKey());
    out.integer(command.lastKey());
    out.integer(command.step());
    out.setHeader(command.aclCategories().size());
    for (String category : command.aclCategories()) {
      out.simple(category);
    }
    out.arrayHeader(0); // tips
    out.arrayHeader(0); // key specs
    out.arrayHeader(command.subcommands().size());
    for (Command subcommand : command.subcommands().values()) {
      writeInfo(subcommand, out);
    }
  }

  private static void docs(RespConnection connection, List<Command> commands) {
    RespWriter out = connection.out();
    out.mapHeader(commands.size());
    for (Command command : commands) {
      out.bulk(command.name());
      writeDoc(command, out);
    }
  }

  private static void writeDoc(Command command, RespWriter out) {
    CommandDoc doc = command.doc();
    boolean hasArguments = !doc.arguments().isEmpty();
    boolean hasSubcommands = !command.subcommands().isEmpty();
    out.mapHeader(4 + (hasArguments ? 1 : 0) + (hasSubcommands ? 1 : 0));
    out.bulk("summary");
    out.bulk(doc.summary());
    out.bulk("since");
    out.bulk(doc.since());
    out.bulk("group");
    out.bulk(doc.group());
    out.bulk("complexity");
    out.bulk(doc.complexity());
    if (hasArguments) {
      out.bulk("arguments");
      writeArguments(doc.arguments(), out);
    }
    if (hasSubcommands) {
      out.bulk("subcommands");
      out.mapHeader(command.subcommands().size());
      for (Command subcommand : command.subcommands().values()) {
        out.bulk(subcommand.name());
        writeDoc(subcommand, out);
      }
    }
  }

  private static void writeArguments(List<CommandDoc.Argument> arguments, RespWriter out) {
    out.arrayHeader(arguments.size());
    for (CommandDoc.Argument argument : arguments) {
      List<String> flags = new ArrayList<>(2);
      if (argument.optional()) {
        flags.add("optional");
      }
      if (argument.multiple()) {
        flags.add("multiple");
      }
      boolean hasToken = argument.token() != null;
      boolean hasFlags = !flags.isEmpty();
      boolean hasChildren = !argument.children().isEmpty();
      // Redis shows a placeholder (display_text) for arguments that take a value.
      boolean hasValue = !List.of("pure-token", "oneof", "block").contains(argument.type());
      out.mapHeader(
          2 + (hasValue ? 1 : 0) + (hasToken ? 1 : 0) + (hasFlags ? 1 : 0) + (hasChildren ? 1 : 0));
      out.bulk("name");
      out.bulk(argument.name());
      out.bulk("type");
      out.bulk(argument.type());
      if (hasValue) {
        out.bulk("display_text");
        out.bulk(argument.name());
      }
      if (hasToken) {
        out.bulk("token");
        out.bulk(argument.token());
      }
      if (hasFlags) {
        out.bulk("flags");
        out.setHeader(flags.size());
        for (String flag : flags) {
          out.simple(flag);
        }
      }
      if (hasChildren) {
        out.bulk("arguments");
        writeArguments(argument.children(), out);
      }
    }
  }
}
