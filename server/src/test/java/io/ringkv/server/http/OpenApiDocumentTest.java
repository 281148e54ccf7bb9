package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.common.SystemClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code openapi.json} in sync with the router: every route the server serves is in the
 * document with its method and operationId, every operation in the document is served, and every
 * {@code $ref} resolves. The routes come from the server's own route table, not from a copy.
 */
class OpenApiDocumentTest {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  @TempDir Path directory;

  private static JsonNode document() throws IOException {
    return HttpJson.MAPPER.readTree(OperationalRoutes.loadOpenApiDocument());
  }

  private List<HttpRouter.Route> servedRoutes() throws Exception {
    try (StorageEngine engine = StorageEngines.open(EngineOptions.defaults(directory));
        LocalKeyValueService service =
            new LocalKeyValueService(engine, SystemClock.INSTANCE, Durability.NONE)) {
      HttpServer server =
          new HttpServer(
              ListenerConfig.of("127.0.0.1", 0),
              LimitsConfig.defaults(),
              service,
              new NodeMetrics(),
              new HttpServerInfo("v", "n", () -> true));
      return server.routes();
    }
  }

  @Test
  void document_listsExactlyTheRoutesTheRouterServes() throws Exception {
    Map<String, String> served = new TreeMap<>();
    for (HttpRouter.Route route : servedRoutes()) {
      served.put(
          route.method().name().toLowerCase(Locale.ROOT) + " " + route.template(),
          route.operation());
    }
    Map<String, String> documented = new TreeMap<>();
    JsonNode paths = document().path("paths");
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (Iterator<String> names = path.getValue().fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (HTTP_METHODS.contains(name)) {
          documented.put(
              name + " " + path.getKey(), path.getValue().path(name).path("operationId").asText());
        }
      }
    }
    assertThat(documented).isEqualTo(served);
  }

  @Test
  void document_everyReferenceResolves() throws IOException {
    JsonNode document = document();
    List<String> references = new ArrayList<>();
    collectReferences(document, references);
    assertThat(references).isNotEmpty();
    for (String reference : references) {
      assertThat(reference).startsWith("#/");
      assertThat(document.at(reference.substring(1)).isMissingNode()).as(reference).isFalse();
    }
  }

  @Test
  void document_operationIdsAreUniqueAndEveryOperationHasResponses() throws IOException {
    Set<String> operationIds = new TreeSet<>();
    for (JsonNode path : document().path("paths")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = path.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> operation = it.next();
        if (HTTP_METHODS.contains(operation.getKey())) {
          assertThat(operationIds.add(operation.getValue().path("operationId").asText())).isTrue();
          assertThat(operation.getValue().path("responses").size()).isPositive();
        }
      }
    }
  }

  @Test
  void document_everyKeyValueRouteTakesAConsistencyLevelAndAnswers503And504() throws Exception {
    JsonNode document = document();
    List<String> checked = new ArrayList<>();
    for (HttpRouter.Route route : servedRoutes()) {
      if (!route.template().startsWith("/api/v1/") && !route.template().startsWith("/v1/kv")) {
        continue;
      }
      JsonNode path = document.path("paths").path(route.template());
      JsonNode operation = path.path(route.method().name().toLowerCase(Locale.ROOT));
      List<String> parameters = new ArrayList<>();
      path.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      operation.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      assertThat(parameters)
          .as(route.operation())
          .contains(
              "#/components/parameters/ConsistencyQuery",
              "#/components/parameters/ConsistencyHeader");
      assertThat(operation.path("responses").has("400")).as(route.operation()).isTrue();
      assertThat(operation.path("responses").path("503").path("$ref").asText())
          .as(route.operation())
          .isEqualTo("#/components/responses/Unavailable");
      assertThat(operation.path("responses").path("504").path("$ref").asText())
          .as(route.operation())
          .isEqualTo("#/components/responses/Timeout");
      checked.add(route.operation());
    }
    assertThat(checked)
        .containsExactlyInAnyOrder(
            "api_get",
            "api_put",
            "kv_list",
            "kv_get",
            "kv_put",
            "kv_delete",
            "counter_get",
            "counter_incr",
            "set_add",
            "set_remove",
            "set_members");
  }

  @Test
  void document_everyDataRouteTakesAKeyspaceAndEveryWriteAnIdempotencyKey() throws Exception {
    JsonNode document = document();
    JsonNode components = document.path("components").path("parameters");
    assertThat(components.path("KeyspaceQuery").path("name").asText())
        .isEqualTo(RequestKeyspace.PARAMETER);
    assertThat(components.path("KeyspaceHeader").path("name").asText())
        .isEqualTo(RequestKeyspace.HEADER);
    assertThat(components.path("IdempotencyKey").path("name").asText())
        .isEqualTo(CausalHeaders.IDEMPOTENCY_KEY);
    assertThat(components.path("IdempotencyKey").path("schema").path("maxLength").asInt())
        .isEqualTo(CausalHeaders.IDEMPOTENCY_KEY_BYTES_MAX);
    assertThat(components.path("IfMatch").path("name").asText()).isEqualTo(CausalHeaders.IF_MATCH);
    List<String> withKeyspace = new ArrayList<>();
    List<String> withIdempotencyKey = new ArrayList<>();
    for (HttpRouter.Route route : servedRoutes()) {
      JsonNode path = document.path("paths").path(route.template());
      JsonNode operation = path.path(route.method().name().toLowerCase(Locale.ROOT));
      List<String> parameters = new ArrayList<>();
      path.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      operation.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      if (parameters.containsAll(
          List.of(
              "#/components/parameters/KeyspaceQuery", "#/components/parameters/KeyspaceHeader"))) {
        withKeyspace.add(route.operation());
      }
      if (parameters.contains("#/components/parameters/IdempotencyKey")) {
        withIdempotencyKey.add(route.operation());
      }
    }
    assertThat(withKeyspace)
        .containsExactlyInAnyOrder(
            "api_get",
            "api_put",
            "kv_list",
            "kv_get",
            "kv_put",
            "kv_delete",
            "counter_get",
            "counter_incr",
            "set_add",
            "set_remove",
            "set_members");
    assertThat(withIdempotencyKey)
        .containsExactlyInAnyOrder(
            "api_put", "kv_put", "kv_delete", "counter_incr", "set_add", "set_remove");
  }

  @Test
  void document_everyWriteRouteTakesTheSessionTimestampHeader() throws Exception {
    JsonNode document = document();
    assertThat(
            document
                .path("components")
                .path("parameters")
                .path("SessionTimestampHeader")
                .path("name")
                .asText())
        .isEqualTo(KvRoutes.SESSION_TIMESTAMP_HEADER);
    List<String> takingIt = new ArrayList<>();
    for (HttpRouter.Route route : servedRoutes()) {
      JsonNode path = document.path("paths").path(route.template());
      JsonNode operation = path.path(route.method().name().toLowerCase(Locale.ROOT));
      List<String> parameters = new ArrayList<>();
      path.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      operation.path("parameters").forEach(p -> parameters.add(p.path("$ref").asText()));
      if (parameters.contains("#/components/parameters/SessionTimestampHeader")) {
        takingIt.add(route.operation());
      }
    }
    assertThat(takingIt)
        .containsExactlyInAnyOrder(
            "api_put", "kv_put", "kv_delete", "counter_incr", "set_add", "set_remove");
  }

  @Test
  void document_namesTheConsistencyHeaderAndLevelsTheServerReads() throws IOException {
    JsonNode components = document().path("components");
    assertThat(components.path("parameters").path("ConsistencyHeader").path("name").asText())
        .isEqualTo(KvRoutes.CONSISTENCY_HEADER);
    assertThat(components.path("parameters").path("ConsistencyQuery").path("name").asText())
        .isEqualTo(KvRoutes.CONSISTENCY_PARAMETER);
    List<String> levels = new ArrayList<>();
    components
        .path("schemas")
        .path("ConsistencyLevel")
        .path("enum")
        .forEach(l -> levels.add(l.asText()));
    assertThat(levels)
        .containsExactlyElementsOf(
            java.util.Arrays.stream(io.ringkv.common.ConsistencyLevel.values())
                .map(Enum::name)
                .toList());
  }

  private static void collectReferences(JsonNode node, List<String> references) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              field -> {
                if (field.getKey().equals("$ref")) {
                  references.add(field.getValue().asText());
                } else {
                  collectReferences(field.getValue(), references);
                }
              });
    } else if (node.isArray()) {
      node.forEach(element -> collectReferences(element, references));
    }
  }
}
