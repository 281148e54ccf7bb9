package io.ringkv.server.resp;

import static io.ringkv.server.resp.CommandDoc.Argument.block;
import static io.ringkv.server.resp.CommandDoc.Argument.string;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Server commands: INFO, DBSIZE and CONFIG GET (with the parameters that redis-benchmark and client
 * libraries ask for, answered from the node's real configuration). CONFIG SET is refused: the
 * configuration is read from conf/ringkv.yaml at start.
 *
 * <p>Thread-safe: holds only the shared context.
 */
final class ServerCommands {
  private final RespContext server;
  private final Map<String, Supplier<String>> parameters = new LinkedHashMap<>();

  ServerCommands(RespContext server) {
    this.server = server;
    parameters.put("bind", () -> server.listener.host());
    parameters.put("port", () -> Integer.toString(server.boundPort()));
    parameters.put("databases", () -> "1");
    parameters.put("save", () -> "");
    parameters.put("appendonly", () -> "yes");
    parameters.put(
        "appendfsync",
        () ->
            switch (server.info.durability()) {
              case SYNC -> "always";
              case PERIODIC -> "everysec";
              case NONE -> "no";
            });
    parameters.put("maxmemory", () -> "0");
    parameters.put("maxmemory-policy", () -> "noeviction");
    parameters.put("maxclients", () -> Integer.toString(server.listener.maxConnections()));
    parameters.put("timeout", () -> Long.toString(server.listener.idleTimeoutMillis() / 1000));
    parameters.put("proto-max-bulk-len", () -> Integer.toString(server.limits.respBulkBytesMax()));
    parameters.put("dir", () -> server.info.dataDirectory());
  }

  List<Command> commands() {
    return List.of(
        Command.builder("info")
            .arity(-1)
            .flags("loading", "stale")
            .acl("@slow", "@dangerous")
            .doc(
                CommandDoc.of(
                    "Returns information and statistics about the server.",
                    "1.0.0",
                    "server",
                    "O(1)",
                    string("section").asOptional().asMultiple()))
            .handler(this::info)
            .build(),
        Command.builder("dbsize")
            .arity(1)
            .flags("readonly", "fast")
            .acl("@keyspace", "@read", "@fast")
            .doc(
                CommandDoc.of(
                    "Returns the number of keys in the database (an estimate in ringkv).",
                    "1.0.0",
                    "server",
                    "O(1)"))
            .handler(
                (connection, arguments) ->
                    connection.out().integer(server.service.stats().estimatedKeys()))
            .build(),
        Command.builder("config")
            .arity(-2)
            .acl("@slow")
            .doc(
                CommandDoc.of(
                    "A container for server configuration commands.",
                    "2.0.0",
                    "server",
                    "Depends on subcommand."))
            .handler((connection, arguments) -> connection.out().error("ERR missing subcommand"))
            .subcommand(
                Command.builder("config|get")
                    .arity(-3)
                    .flags("admin", "noscript", "loading", "stale")
                    .acl("@admin", "@slow", "@dangerous")
                    .doc(
                        CommandDoc.of(
                            "Returns the effective values of configuration parameters.",
                            "2.0.0",
                            "server",
                            "O(N) when N is the number of configuration parameters provided",
                            string("parameter").asMultiple()))
                    .handler(this::configGet)
                    .build())
            .subcommand(
                Command.builder("config|set")
                    .arity(-4)
                    .flags("admin", "noscript", "loading", "stale")
                    .acl("@admin", "@slow", "@dangerous")
                    .doc(
                        CommandDoc.of(
                            "Refused by ringkv: configuration comes from conf/ringkv.yaml.",
                            "2.0.0",
                            "server",
                            "O(N) when N is the number of configuration parameters provided",
                            block("data", string("parameter"), string("value")).asMultiple()))
                    .handler(
                        (connection, arguments) -> {
                          throw new CommandError(
                              "ERR CONFIG SET is not supported: ringkv reads its configuration"
                                  + " from conf/ringkv.yaml (and --set flags) at start");
                        })
                    .build())
            .subcommand(
                Command.builder("config|help")
                    .arity(2)
                    .flags("loading", "stale")
                    .acl("@slow")
                    .doc(
                        CommandDoc.of(
                            "Returns helpful text about the different subcommands.",
                            "5.0.0",
                            "server",
                            "O(1)"))
                    .handler(
                        (connection, arguments) ->
                            ConnectionCommands.help(
                                connection,
                                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                "GET <pattern>",
                                "    Return parameters matching the glob-like <pattern> and their"
                                    + " values.",
                                "HELP",
                                "    Print this help."))
                    .build())
            .build());
  }

  private void info(RespConnection connection, byte[][] arguments) {
    // This connection's own earlier commands, pipelined in this batch, are counted.
    connection.publishCounters();
    List<String> sections = new ArrayList<>(arguments.length - 1);
    for (int i = 1; i < arguments.length; i++) {
      sections.add(Arguments.text(arguments[i]));
    }
    connection.out().verbatim(InfoReport.render(server, sections));
  }

  private void configGet(RespConnection connection, byte[][] arguments) {
    Map<String, String> matched = new LinkedHashMap<>();
    for (int i = 2; i < arguments.length; i++) {
      byte[] pattern = arguments[i];
      for (Map.Entry<String, Supplier<String>> parameter : parameters.entrySet()) {
        byte[] name = parameter.getKey().getBytes(StandardCharsets.US_ASCII);
        if (!matched.containsKey(parameter.getKey()) && GlobPattern.matches(pattern, name, true)) {
          matched.put(parameter.getKey(), parameter.getValue().get());
        }
      }
    }
    RespWriter out = connection.out();
    out.mapHeader(matched.size());
    for (Map.Entry<String, String> entry : matched.entrySet()) {
      out.bulk(entry.getKey());
      out.bulk(entry.getValue());
    }
  }
}
