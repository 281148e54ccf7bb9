package io.ringkv.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.ReplicationStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.KeyspaceAdmin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Keyspace administration over HTTP: {@code GET /v1/keyspaces}, {@code GET}, {@code PUT} and {@code
 * DELETE /v1/keyspaces/{name}}, through the service's {@link KeyspaceAdmin} (in a cluster, commands
 * in the metadata log; docs/design/metadata-on-raft.md).
 *
 * <p>A keyspace in JSON: {@code {"name", "replication": {"class": "SimpleStrategy",
 * "replication_factor": n} | {"class": "NetworkTopologyStrategy", "datacenters": {dc: n}},
 * "read_level", "write_level", "sloppy_quorum", "conflicts"}}, snake_case as in the YAML
 * configuration. {@code PUT} takes the definition flat ({@code replication_factor} or {@code
 * datacenters}, the rest optional) and replaces the keyspace's definition: omitted fields take
 * their defaults (QUORUM levels, no sloppy quorum), except {@code conflicts}, which defaults to
 * causal for a new keyspace (decision 007) and to the existing mode for an existing one (the mode
 * cannot change). Every field is checked here, and a bad one is a 400 naming it and its limit,
 * before the admin is called. Stateless apart from the service; thread-safe.
 */
final class KeyspaceRoutes {
  /** The read and write level of a keyspace whose definition names none. */
  static final ConsistencyLevel LEVEL_DEFAULT = ConsistencyLevel.QUORUM;

  /** Longest datacenter name accepted in a definition. */
  static final int DATACENTER_NAME_CHARS_MAX = 64;

  private static final String LEVELS =
      String.join(", ", Arrays.stream(ConsistencyLevel.values()).map(Enum::name).toList());

  private final KeyValueService service;

  KeyspaceRoutes(KeyValueService service) {
    this.service = service;
  }

  /** {@code GET /v1/keyspaces}: {@code {"keyspaces": [...]}}, sorted by name. */
  CompletableFuture<HttpReply> list(HttpExchange exchange) {
    List<Keyspace> keyspaces = new ArrayList<>(service.keyspaces().keyspaces());
    keyspaces.sort(Comparator.comparing(Keyspace::name));
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    ArrayNode array = body.putArray("keyspaces");
    for (Keyspace keyspace : keyspaces) {
      array.add(json(keyspace));
    }
    return CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, body));
  }

  /** {@code GET /v1/keyspaces/{name}}: the keyspace, or 404 {@code keyspace-not-found}. */
  CompletableFuture<HttpReply> get(HttpExchange exchange) {
    String name = pathName(exchange);
    Keyspace keyspace = find(service.keyspaces(), name);
    if (keyspace == null) {
      throw RequestKeyspace.notFound(name, "name").toException();
    }
    return CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, json(keyspace)));
  }

  /**
   * {@code PUT /v1/keyspaces/{name}}: creates the keyspace (201, with {@code Location}) or replaces
   * its definition (200); answers the keyspace as applied.
   */
  CompletableFuture<HttpReply> put(HttpExchange exchange) {
    String name = pathName(exchange);
    String shape = JsonBodies.KeyspaceBody.SHAPE;
    JsonBodies.KeyspaceBody body =
        JsonBodies.read(exchange.body(), JsonBodies.KeyspaceBody.class, shape);
    ReplicationStrategy replication = replication(body, shape);
    ConsistencyLevel readLevel = level(body.readLevel(), "read_level", true, shape);
    ConsistencyLevel writeLevel = level(body.writeLevel(), "write_level", false, shape);
    boolean sloppyQuorum = false;
    if (!JsonBodies.absent(body.sloppyQuorum())) {
      if (!body.sloppyQuorum().isBoolean()) {
        throw Problem.badBody(
                "field 'sloppy_quorum' must be true or false, was "
                    + JsonBodies.describe(body.sloppyQuorum()))
            .with("field", "sloppy_quorum")
            .toException();
      }
      sloppyQuorum = body.sloppyQuorum().booleanValue();
    }
    KeyspaceAdmin admin = service.keyspaces();
    Keyspace existing = find(admin, name);
    ConflictMode conflicts = conflicts(body.conflicts(), existing, shape);
    Keyspace keyspace;
    try {
      keyspace = new Keyspace(name, replication, readLevel, writeLevel, sloppyQuorum, conflicts);
    } catch (IllegalArgumentException e) {
      throw Problem.badBody("invalid keyspace: " + e.getMessage()).toException();
    }
    boolean created = existing == null;
    return admin
        .put(keyspace)
        .thenApply(
            applied -> {
              if (!created) {
                return HttpReply.json(HttpResponseStatus.OK, json(applied));
              }
              return HttpReply.json(HttpResponseStatus.CREATED, json(applied))
                  .withHeader("Location", "/v1/keyspaces/" + applied.name());
            });
  }

  /** {@code DELETE /v1/keyspaces/{name}}: 204; {@code default} cannot be dropped (400). */
  CompletableFuture<HttpReply> delete(HttpExchange exchange) {
    String name = pathName(exchange);
    if (name.equals(Keyspace.DEFAULT_NAME)) {
      throw Problem.of(
              HttpResponseStatus.BAD_REQUEST,
              ProblemType.INVALID_REQUEST,
              "the keyspace default cannot be dropped: requests that name no keyspace use it")
          .with("parameter", "name")
          .toException();
    }
    return service.keyspaces().drop(name).thenApply(done -> HttpReply.noContent());
  }

  /** {@code keyspace} as this API shows it. */
  static ObjectNode json(Keyspace keyspace) {
    ObjectNode node = HttpJson.MAPPER.createObjectNode();
    node.put("name", keyspace.name());
    ObjectNode replication = node.putObject("replication");
    switch (keyspace.replication()) {
      case SimpleStrategy simple -> {
        replication.put("class", "SimpleStrategy");
        replication.put("replication_factor", simple.replicationFactor());
      }
      case NetworkTopologyStrategy topology -> {
        replication.put("class", "NetworkTopologyStrategy");
        ObjectNode datacenters = replication.putObject("datacenters");
        topology.replicationFactors().forEach(datacenters::put);
      }
    }
    node.put("read_level", keyspace.readLevel().name());
    node.put("write_level", keyspace.writeLevel().name());
    node.put("sloppy_quorum", keyspace.sloppyQuorum());
    node.put("conflicts", keyspace.conflicts().configName());
    return node;
  }

  private static Keyspace find(KeyspaceAdmin admin, String name) {
    for (Keyspace keyspace : admin.keyspaces()) {
      if (keyspace.name().equals(name)) {
        return keyspace;
      }
    }
    return null;
  }

  private static String pathName(HttpExchange exchange) {
    String raw = exchange.pathParameter();
    if (raw == null || raw.isEmpty()) {
      throw Problem.badParameter("the path names no keyspace: use /v1/keyspaces/{name}")
          .with("parameter", "name")
          .toException();
    }
    RequestKeyspace.checkName(raw, "the keyspace name in the path", "name");
    return raw;
  }

  private static ReplicationStrategy replication(JsonBodies.KeyspaceBody body, String shape) {
    boolean simple = !JsonBodies.absent(body.replicationFactor());
    boolean topology = !JsonBodies.absent(body.datacenters());
    if (simple == topology) {
      throw Problem.badBody(
              (simple
                      ? "give one of 'replication_factor' and 'datacenters', not both"
                      : "missing field 'replication_factor' or 'datacenters'")
                  + "; "
                  + shape)
          .with("field", "replication_factor")
          .toException();
    }
    if (simple) {
      return new SimpleStrategy(factor(body.replicationFactor(), "replication_factor"));
    }
    JsonNode datacenters = body.datacenters();
    if (!datacenters.isObject() || datacenters.isEmpty()) {
      throw Problem.badBody(
              "field 'datacenters' must be a non-empty JSON object of datacenter: replicas, was "
                  + (datacenters.isObject() ? "an empty object" : JsonBodies.describe(datacenters)))
          .with("field", "datacenters")
          .toException();
    }
    if (datacenters.size() > NetworkTopologyStrategy.DATACENTERS_MAX) {
      throw Problem.badBody(
              "field 'datacenters' names "
                  + datacenters.size()
                  + " datacenters, more than "
                  + NetworkTopologyStrategy.DATACENTERS_MAX)
          .with("field", "datacenters")
          .with("max", NetworkTopologyStrategy.DATACENTERS_MAX)
          .toException();
    }
    Map<String, Integer> factors = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = datacenters.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String datacenter = entry.getKey();
      String field = "datacenters/" + datacenter;
      if (datacenter.isBlank() || datacenter.length() > DATACENTER_NAME_CHARS_MAX) {
        throw Problem.badBody(
                "field 'datacenters' holds a datacenter name of "
                    + datacenter.length()
                    + " characters; a name is 1 to "
                    + DATACENTER_NAME_CHARS_MAX
                    + " characters, not blank")
            .with("field", "datacenters")
            .with("max", DATACENTER_NAME_CHARS_MAX)
            .toException();
      }
      factors.put(datacenter, factor(entry.getValue(), field));
    }
    return NetworkTopologyStrategy.of(factors);
  }

  private static int factor(JsonNode node, String field) {
    int max = ReplicationStrategy.REPLICATION_FACTOR_MAX;
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < 1
        || node.intValue() > max) {
      throw Problem.badBody(
              "field '"
                  + field
                  + "' must be an integer from 1 to "
                  + max
                  + ", was "
                  + (node.isNumber() ? node.asText() : JsonBodies.describe(node)))
          .with("field", field)
          .with("max", max)
          .toException();
    }
    return node.intValue();
  }

  private static ConsistencyLevel level(JsonNode node, String field, boolean read, String shape) {
    if (JsonBodies.absent(node)) {
      return LEVEL_DEFAULT;
    }
    String text = JsonBodies.text(node, field, shape);
    ConsistencyLevel level;
    try {
      level = ConsistencyLevel.parse(text);
    } catch (IllegalArgumentException e) {
      throw Problem.badBody("field '" + field + "': " + e.getMessage())
          .with("field", field)
          .with("allowed", LEVELS)
          .toException();
    }
    if (read && !level.allowsReads()) {
      throw Problem.badBody(
              "field '" + field + "': consistency level " + level + " is for writes only")
          .with("field", field)
          .toException();
    }
    return level;
  }

  private static ConflictMode conflicts(JsonNode node, Keyspace existing, String shape) {
    if (JsonBodies.absent(node)) {
      return existing != null ? existing.conflicts() : ConflictMode.NEW_KEYSPACE_DEFAULT;
    }
    String text = JsonBodies.text(node, "conflicts", shape);
    try {
      return ConflictMode.parse(text);
    } catch (IllegalArgumentException e) {
      throw Problem.badBody("field 'conflicts': " + e.getMessage())
          .with("field", "conflicts")
          .with("allowed", "causal, lww")
          .toException();
    }
  }
}
