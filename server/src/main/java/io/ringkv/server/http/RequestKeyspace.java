package io.ringkv.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.server.kv.KeyspaceAdmin;
import java.util.regex.Pattern;

/**
 * The keyspace a data request names, by the query parameter {@code keyspace} or the header {@code
 * X-Keyspace} (both may be given if they agree), with its conflict mode, which decides whether the
 * request goes through the service's plain calls (last write wins) or its causal ones.
 *
 * <p>A request that names no keyspace, or names {@code default}, is in the built-in {@code default}
 * keyspace, which is last-write-wins by the metadata's own rule ({@link Keyspace}: its mode cannot
 * change), so such a request makes exactly the calls it made before keyspaces were selectable: its
 * options carry a null keyspace and no lookup is done. Any other name is looked up in the node's
 * keyspaces; one it does not know is a 404 {@code keyspace-not-found}.
 *
 * @param name the keyspace for the service's options: null for {@code default}
 * @param conflicts the keyspace's conflict mode
 */
record RequestKeyspace(String name, ConflictMode conflicts) {
  static final String PARAMETER = "keyspace";
  static final String HEADER = "X-Keyspace";

  /**
   * The rule of {@link Keyspace}'s names, checked here so a bad name is a 400 naming its source.
   */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");

  static final String NAME_RULE =
      "1 to 48 characters: a lower-case letter, then lower-case letters, digits or '_'";

  private static final RequestKeyspace DEFAULT = new RequestKeyspace(null, ConflictMode.LWW);

  /** The name as people read it: {@code default} for the default keyspace. */
  String displayName() {
    return name == null ? Keyspace.DEFAULT_NAME : name;
  }

  boolean causal() {
    return conflicts == ConflictMode.CAUSAL;
  }

  /**
   * The keyspace {@code exchange} names, looked up in {@code admin}.
   *
   * @throws ProblemException 400 naming the parameter or header for a malformed name or two that
   *     disagree, 404 for a keyspace this node does not know
   */
  static RequestKeyspace of(HttpExchange exchange, KeyspaceAdmin admin) {
    String fromQuery = exchange.parameter(PARAMETER);
    String fromHeader = exchange.header(HEADER);
    if (fromQuery != null) {
      checkName(fromQuery, "query parameter '" + PARAMETER + "'", PARAMETER);
    }
    if (fromHeader != null) {
      checkName(fromHeader, "header " + HEADER, HEADER);
      if (fromQuery != null && !fromQuery.equals(fromHeader)) {
        throw Problem.badParameter(
                "the query parameter '"
                    + PARAMETER
                    + "' ("
                    + fromQuery
                    + ") and the header "
                    + HEADER
                    + " ("
                    + fromHeader
                    + ") disagree; give one")
            .with("parameter", PARAMETER)
            .toException();
      }
    }
    String name = fromQuery != null ? fromQuery : fromHeader;
    if (name == null || name.equals(Keyspace.DEFAULT_NAME)) {
      return DEFAULT;
    }
    for (Keyspace keyspace : admin.keyspaces()) {
      if (keyspace.name().equals(name)) {
        return new RequestKeyspace(name, keyspace.conflicts());
      }
    }
    throw notFound(name, fromQuery != null ? PARAMETER : HEADER).toException();
  }

  /** The 404 for a keyspace this node does not know. */
  static Problem notFound(String name, String parameter) {
    return Problem.of(
            HttpResponseStatus.NOT_FOUND,
            ProblemType.KEYSPACE_NOT_FOUND,
            "no keyspace '" + name + "' on this node; GET /v1/keyspaces lists them")
        .with("parameter", parameter);
  }

  /**
   * Checks a keyspace name against {@link #NAME}.
   *
   * @param source how the name was given, for the message ("query parameter 'keyspace'")
   * @param parameter the {@code parameter} member of the problem
   */
  static void checkName(String name, String source, String parameter) {
    if (!NAME.matcher(name).matches()) {
      throw Problem.badParameter(
              source + " must be a keyspace name, " + NAME_RULE + ", was '" + name + "'")
          .with("parameter", parameter)
          .toException();
    }
  }
}
