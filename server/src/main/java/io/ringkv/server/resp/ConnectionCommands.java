package io.ringkv.server.resp;

import static io.ringkv.server.resp.Arguments.is;
import static io.ringkv.server.resp.CommandDoc.Argument.block;
import static io.ringkv.server.resp.CommandDoc.Argument.integer;
import static io.ringkv.server.resp.CommandDoc.Argument.oneOf;
import static io.ringkv.server.resp.CommandDoc.Argument.string;
import static io.ringkv.server.resp.CommandDoc.Argument.token;

import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.common.ConsistencyLevel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Connection commands: PING, ECHO, HELLO, AUTH, QUIT, SELECT, CLIENT, CONSISTENCY and KEYSPACE.
 * They touch only the connection's session, never the data.
 */
final class ConnectionCommands {
  /** The Redis version this front end speaks; clients gate features on it (HELLO, INFO). */
  static final String REDIS_COMPATIBLE_VERSION = "7.2.0";

  /** The levels a read may use: every level but ANY. */
  static final String READ_LEVELS =
      String.join(
          ", ",
          Arrays.stream(ConsistencyLevel.values())
              .filter(ConsistencyLevel::allowsReads)
              .map(Enum::name)
              .toList());

  private final RespContext server;

  ConnectionCommands(RespContext server) {
    this.server = server;
  }

  List<Command> commands() {
    return List.of(
        Command.builder("ping")
            .arity(-1)
            .flags("fast")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Returns the server's liveliness response.",
                    "1.0.0",
                    "connection",
                    "O(1)",
                    string("message").asOptional()))
            .handler(this::ping)
            .build(),
        Command.builder("echo")
            .arity(2)
            .flags("fast")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Returns the given string.", "1.0.0", "connection", "O(1)", string("message")))
            .handler((connection, arguments) -> connection.out().bulk(arguments[1]))
            .build(),
        Command.builder("hello")
            .arity(-1)
            .flags("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Handshakes with the server: protocol version, authentication, client name.",
                    "6.0.0",
                    "connection",
                    "O(1)",
                    block(
                            "arguments",
                            integer("protover"),
                            block("auth", string("username"), string("password"))
                                .introducedBy("AUTH")
                                .asOptional(),
                            string("clientname").introducedBy("SETNAME").asOptional())
                        .asOptional()))
            .handler(this::hello)
            .build(),
        Command.builder("auth")
            .arity(-2)
            .flags("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Authenticates the connection.",
                    "1.0.0",
                    "connection",
                    "O(N) where N is the number of passwords defined for the user",
                    string("username").asOptional(),
                    string("password")))
            .handler(this::auth)
            .build(),
        Command.builder("quit")
            .arity(-1)
            .flags("allow_busy", "noscript", "loading", "stale", "fast", "no_auth")
            .acl("@fast", "@connection")
            .doc(CommandDoc.of("Closes the connection.", "1.0.0", "connection", "O(1)"))
            .handler(
                (connection, arguments) -> {
                  connection.out().ok();
                  connection.closeAfterReplies();
                })
            .build(),
        Command.builder("select")
            .arity(2)
            .flags("loading", "stale", "fast")
            .acl("@keyspace", "@fast")
            .doc(
                CommandDoc.of(
                    "Changes the selected database; ringkv has only database 0 (KEYSPACE chooses"
                        + " a keyspace).",
                    "1.0.0",
                    "connection",
                    "O(1)",
                    integer("index")))
            .handler(this::select)
            .build(),
        client(),
        Command.builder("consistency")
            .arity(-1)
            .flags("fast", "loading", "stale")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Shows or sets the consistency levels of this connection's reads and writes"
                        + " (ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM;"
                        + " ANY for writes only; DEFAULT for the keyspace's default).",
                    "7.2.0",
                    "connection",
                    "O(1)",
                    oneOf(
                            "setting",
                            token("default", "DEFAULT"),
                            string("level"),
                            block("read", token("read", "READ"), string("level")),
                            block("write", token("write", "WRITE"), string("level")))
                        .asOptional()))
            .handler(this::consistency)
            .build(),
        Command.builder("keyspace")
            .arity(-1)
            .flags("fast", "loading", "stale")
            .acl("@fast", "@connection")
            .doc(
                CommandDoc.of(
                    "Shows or sets the keyspace this connection's commands read and write"
                        + " (DEFAULT for the default keyspace); an unknown keyspace is refused.",
                    "7.2.0",
                    "connection",
                    "O(N) where N is the number of keyspaces",
                    oneOf("keyspace", token("default", "DEFAULT"), string("name")).asOptional()))
            .handler(this::keyspace)
            .build());
  }

  private void ping(RespConnection connection, byte[][] arguments) {
    if (arguments.length > 2) {
      throw CommandError.arity("ping");
    }
    if (arguments.length == 1) {
      connection.out().simple("PONG");
    } else {
      connection.out().bulk(arguments[1]);
    }
  }

  private void select(RespConnection connection, byte[][] arguments) {
    long index = Arguments.parseLong(arguments[1]);
    if (index != 0) {
      throw new CommandError(
          "ERR ringkv has no numbered databases, only database 0; SELECT "
              + index
              + " is not supported: use KEYSPACE <name> to choose a keyspace");
    }
    connection.out().ok();
  }

  private void auth(RespConnection connection, byte[][] arguments) {
    if (arguments.length > 3) {
      throw CommandError.syntax();
    }
    byte[] user = arguments.length == 3 ? arguments[1] : null;
    byte[] password = arguments[arguments.length - 1];
    if (!server.passwordRequired() && user == null) {
      throw new CommandError(
          "ERR AUTH <password> called without any password configured for the default user. Are"
              + " you sure your configuration is correct?");
    }
    authenticate(connection, user, password);
    connection.out().ok();
  }

  /**
   * Authenticates as the default user (the only user). Without a password configured, the default
   * user takes any password, as Redis' nopass default user does.
   */
  private void authenticate(RespConnection connection, byte[] user, byte[] password) {
    boolean userOk = user == null || is(user, "default");
    boolean passwordOk = !server.passwordRequired() || server.passwordMatches(password);
    if (!userOk || !passwordOk) {
      throw new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
    }
    connection.session().authenticated = true;
  }

  private void hello(RespConnection connection, byte[][] arguments) {
    int version = connection.session().protocol;
    if (arguments.length >= 2) {
      long requested;
      try {
        requested = Arguments.parseLong(arguments[1]);
      } catch (CommandError e) {
        throw new CommandError("ERR Protocol version is not an integer or out of range");
      }
      if (requested < 2 || requested > 3) {
        throw new CommandError("NOPROTO unsupported protocol version");
      }
      version = (int) requested;
    }
    byte[] user = null;
    byte[] password = null;
    byte[] name = null;
    for (int i = 2; i < arguments.length; i++) {
      int more = arguments.length - 1 - i;
      if (is(arguments[i], "auth") && more >= 2) {
        user = arguments[i + 1];
        password = arguments[i + 2];
        i += 2;
      } else if (is(arguments[i], "setname") && more >= 1) {
        name = arguments[i + 1];
        validateName(name, "Client names");
        i++;
      } else {
        throw new CommandError(
            "ERR Syntax error in HELLO option '" + Arguments.text(arguments[i], 128) + "'");
      }
    }
    if (password == null && !connection.session().authenticated) {
      throw new CommandError(
          "NOAUTH HELLO must be called with the client already authenticated, otherwise the"
              + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client"
              + " and select the RESP protocol version at the same time");
    }
    if (password != null) {
      authenticate(connection, user, password);
    }
    if (name != null) {
      connection.session().name = Arguments.utf8(name);
    }
    connection.protocol(version);
    RespWriter out = connection.out();
    out.mapHeader(7);
    out.bulk("server");
    out.bulk("ringkv");
    out.bulk("version");
    out.bulk(REDIS_COMPATIBLE_VERSION);
    out.bulk("proto");
    out.integer(version);
    out.bulk("id");
    out.integer(connection.session().id);
    out.bulk("mode");
    out.bulk("standalone");
    out.bulk("role");
    out.bulk("master");
    out.bulk("modules");
    out.arrayHeader(0);
  }

  /**
   * CONSISTENCY, ringkv's own command (Redis has no such notion): {@code CONSISTENCY} shows both
   * levels; {@code CONSISTENCY <level>} sets both; {@code CONSISTENCY READ|WRITE <level>} sets one;
   * {@code DEFAULT} in place of a level goes back to the keyspace's default. ANY is refused for
   * reads, and so for "both".
   */
  private void consistency(RespConnection connection, byte[][] arguments) {
    ClientSession session = connection.session();
    if (arguments.length == 1) {
      RespWriter out = connection.out();
      out.mapHeader(2);
      out.bulk("read");
      out.bulk(ClientSession.levelName(session.readConsistency));
      out.bulk("write");
      out.bulk(ClientSession.levelName(session.writeConsistency));
      return;
    }
    if (arguments.length == 2) {
      ConsistencyLevel level = level(arguments[1]);
      if (level != null && !level.allowsReads()) {
        throw new CommandError(
            "ERR consistency level "
                + level
                + " is for writes only and CONSISTENCY <level> sets reads too; use CONSISTENCY"
                + " WRITE "
                + level);
      }
      connection.consistency(level, level);
      connection.out().ok();
      return;
    }
    if (arguments.length == 3 && is(arguments[1], "read")) {
      ConsistencyLevel level = level(arguments[2]);
      if (level != null && !level.allowsReads()) {
        throw new CommandError(
            "ERR consistency level " + level + " is for writes only; reads allow " + READ_LEVELS);
      }
      connection.consistency(level, session.writeConsistency);
      connection.out().ok();
      return;
    }
    if (arguments.length == 3 && is(arguments[1], "write")) {
      connection.consistency(session.readConsistency, level(arguments[2]));
      connection.out().ok();
      return;
    }
    throw new CommandError(
        "ERR syntax error; usage: CONSISTENCY [[READ | WRITE] <level> | DEFAULT]");
  }

  /**
   * KEYSPACE, ringkv's own command: {@code KEYSPACE} answers the connection's keyspace ({@code
   * default} until set); {@code KEYSPACE <name>} sets it for every later command of the connection;
   * {@code KEYSPACE DEFAULT} goes back to {@code default}. The name is checked against the
   * keyspaces this node knows now, so a typo fails here rather than on every later command; a
   * keyspace dropped afterwards makes the commands that use it fail (the service's
   * NO_SUCH_KEYSPACE).
   */
  private void keyspace(RespConnection connection, byte[][] arguments) {
    if (arguments.length > 2) {
      throw CommandError.arity("keyspace");
    }
    if (arguments.length == 1) {
      connection.out().bulk(ClientSession.keyspaceName(connection.session().keyspace));
      return;
    }
    if (is(arguments[1], "default")) {
      connection.keyspace(null);
      connection.out().ok();
      return;
    }
    String name = Arguments.utf8(arguments[1]);
    List<String> known =
        server.service.keyspaces().keyspaces().stream().map(Keyspace::name).sorted().toList();
    if (!known.contains(name)) {
      throw new CommandError(
          "ERR no such keyspace '"
              + Arguments.text(arguments[1], 128)
              + "'; this node knows "
              + String.join(", ", known));
    }
    connection.keyspace(name.equals(Keyspace.DEFAULT_NAME) ? null : name);
    connection.out().ok();
  }

  /** A level argument: null for DEFAULT, else the level; an unknown word lists the levels. */
  private static ConsistencyLevel level(byte[] argument) {
    if (is(argument, "default")) {
      return null;
    }
    try {
      return ConsistencyLevel.parse(Arguments.text(argument, 128));
    } catch (IllegalArgumentException e) {
      throw new CommandError("ERR " + e.getMessage() + ", or DEFAULT");
    }
  }

  // ---- CLIENT ----

  private Command client() {
    return Command.builder("client")
        .arity(-2)
        .flags("sentinel")
        .acl("@slow")
        .doc(
            CommandDoc.of(
                "A container for client connection commands.",
                "2.4.0",
                "connection",
                "Depends on subcommand."))
        .handler((connection, arguments) -> connection.out().error("ERR missing subcommand"))
        .subcommand(
            clientSubcommand("id", 2, "Returns the unique client ID of the connection.")
                .handler(
                    (connection, arguments) -> connection.out().integer(connection.session().id))
                .build())
        .subcommand(
            clientSubcommand("setname", 3, "Sets the connection name.")
                .doc(
                    CommandDoc.of(
                        "Sets the connection name.",
                        "2.6.9",
                        "connection",
                        "O(1)",
                        string("connection-name")))
                .handler(this::setName)
                .build())
        .subcommand(
            clientSubcommand("getname", 2, "Returns the name of the connection.")
                .handler(
                    (connection, arguments) -> {
                      String name = connection.session().name;
                      if (name.isEmpty()) {
                        connection.out().nullValue();
                      } else {
                        connection.out().bulk(name);
                      }
                    })
                .build())
        .subcommand(
            clientSubcommand("setinfo", 4, "Sets information specific to the client or connection.")
                .doc(
                    CommandDoc.of(
                        "Sets information specific to the client or connection.",
                        "7.2.0",
                        "connection",
                        "O(1)",
                        oneOf(
                            "attr",
                            string("libname").introducedBy("LIB-NAME"),
                            string("libver").introducedBy("LIB-VER"))))
                .handler(this::setInfo)
                .build())
        .subcommand(
            clientSubcommand("info", 2, "Returns information about the connection.")
                .handler(
                    (connection, arguments) ->
                        connection
                            .out()
                            .verbatim(connection.session().describe(System.nanoTime()) + "\n"))
                .build())
        .subcommand(
            clientSubcommand("list", -2, "Lists open connections.")
                .doc(
                    CommandDoc.of(
                        "Lists open connections.",
                        "2.4.0",
                        "connection",
                        "O(N) where N is the number of client connections",
                        token("normal", "NORMAL").introducedBy("TYPE").asOptional(),
                        integer("client-id").introducedBy("ID").asOptional().asMultiple()))
                .handler(this::list)
                .build())
        .subcommand(
            clientSubcommand("help", 2, "Returns helpful text about the different subcommands.")
                .handler(
                    (connection, arguments) ->
                        help(
                            connection,
                            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                            "ID",
                            "    Return the ID of the current connection.",
                            "GETNAME",
                            "    Return the name of the current connection.",
                            "SETNAME <name>",
                            "    Assign the name <name> to the current connection.",
                            "SETINFO <LIB-NAME|LIB-VER> <value>",
                            "    Record the client library's name or version.",
                            "INFO",
                            "    Return information about the current connection.",
                            "LIST [TYPE NORMAL] [ID <id> [<id> ...]]",
                            "    Return information about client connections.",
                            "HELP",
                            "    Print this help."))
                .build())
        .build();
  }

  private static Command.Builder clientSubcommand(String name, int arity, String summary) {
    return Command.builder("client|" + name)
        .arity(arity)
        .flags("noscript", "loading", "stale")
        .acl("@slow", "@connection")
        .doc(CommandDoc.of(summary, "2.4.0", "connection", "O(1)"));
  }

  static void help(RespConnection connection, String... lines) {
    RespWriter out = connection.out();
    out.arrayHeader(lines.length);
    for (String line : lines) {
      out.simple(line);
    }
  }

  private void setName(RespConnection connection, byte[][] arguments) {
    validateName(arguments[2], "Client names");
    connection.session().name = Arguments.utf8(arguments[2]);
    connection.out().ok();
  }

  private void setInfo(RespConnection connection, byte[][] arguments) {
    boolean libraryName = is(arguments[2], "lib-name");
    if (!libraryName && !is(arguments[2], "lib-ver")) {
      throw new CommandError("ERR Unrecognized option '" + Arguments.text(arguments[2], 128) + "'");
    }
    String attribute = libraryName ? "lib-name" : "lib-ver";
    validateName(arguments[3], attribute);
    if (libraryName) {
      connection.session().libraryName = Arguments.utf8(arguments[3]);
    } else {
      connection.session().libraryVersion = Arguments.utf8(arguments[3]);
    }
    connection.out().ok();
  }

  /** Redis allows only printable ASCII without spaces in names. */
  private static void validateName(byte[] name, String what) {
    for (byte b : name) {
      if (b < '!' || b > '~') {
        throw new CommandError(
            "ERR " + what + " cannot contain spaces, newlines or special characters.");
      }
    }
  }

  private void list(RespConnection connection, byte[][] arguments) {
    List<Long> ids = null;
    boolean none = false;
    for (int i = 2; i < arguments.length; i++) {
      if (is(arguments[i], "type") && i + 1 < arguments.length) {
        String type = Arguments.text(arguments[++i]).toLowerCase(Locale.ROOT);
        switch (type) {
          case "normal" -> {}
          case "master", "replica", "slave", "pubsub" -> none = true;
          default -> throw new CommandError("ERR Unknown client type '" + type + "'");
        }
      } else if (is(arguments[i], "id") && i + 1 < arguments.length) {
        ids = new ArrayList<>();
        while (i + 1 < arguments.length) {
          ids.add(Arguments.parseLong(arguments[++i]));
        }
      } else {
        throw CommandError.syntax();
      }
    }
    long now = System.nanoTime();
    List<ClientSession> sessions = new ArrayList<>(server.sessions.values());
    sessions.sort(Comparator.comparingLong(session -> session.id));
    StringBuilder text = new StringBuilder();
    for (ClientSession session : sessions) {
      if (none || (ids != null && !ids.contains(session.id))) {
        continue;
      }
      text.append(session.describe(now)).append('\n');
    }
    connection.out().verbatim(text.toString());
  }
}
