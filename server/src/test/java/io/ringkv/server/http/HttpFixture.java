package io.ringkv.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringkv.common.Clock;
import io.ringkv.common.SystemClock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.LocalKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real HTTP server over a real {@link LocalKeyValueService} and engine in a test directory, bound
 * to 127.0.0.1 on a free port, with a JDK {@link HttpClient} to talk to it.
 */
final class HttpFixture implements AutoCloseable {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  final StorageEngine engine;
  final LocalKeyValueService service;
  final NodeMetrics metrics = new NodeMetrics();
  final HttpServer server;
  final HttpClient client;
  final AtomicBoolean healthy = new AtomicBoolean(true);
  final String base;

  /** What a test may change before the server starts. */
  static final class Options {
    Clock clock = SystemClock.INSTANCE;
    Durability durability = Durability.NONE;
    LimitsConfig limits = LimitsConfig.defaults();
    ListenerConfig listener = ListenerConfig.of("127.0.0.1", 0);

    /** What the server calls instead of the real service (to record or fail calls). */
    UnaryOperator<KeyValueService> wrap = UnaryOperator.identity();
  }

  static HttpFixture start(Path directory) {
    return start(directory, options -> {});
  }

  static HttpFixture start(Path directory, Consumer<Options> configure) {
    Options options = new Options();
    configure.accept(options);
    try {
      return new HttpFixture(directory, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpFixture(Path directory, Options options) throws IOException {
    engine = StorageEngines.open(EngineOptions.defaults(directory).withClock(options.clock));
    service = new LocalKeyValueService(engine, options.clock, options.durability);
    server =
        new HttpServer(
            options.listener,
            options.limits,
            options.wrap.apply(service),
            metrics,
            new HttpServerInfo("test-version", "node-1", healthy::get),
            options.clock);
    server.start();
    base = "http://127.0.0.1:" + server.boundAddress().getPort();
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT)
            .build();
  }

  int port() {
    return server.boundAddress().getPort();
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(REQUEST_TIMEOUT);
  }

  HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> get(String pathAndQuery, String... headers) {
    HttpRequest.Builder builder = request(pathAndQuery).GET();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder.build());
  }

  HttpResponse<byte[]> put(String pathAndQuery, byte[] body, String... headers) {
    HttpRequest.Builder builder =
        request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder.build());
  }

  HttpResponse<byte[]> post(String pathAndQuery, String body, String... headers) {
    HttpRequest.Builder builder =
        request(pathAndQuery).POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder.build());
  }

  HttpResponse<byte[]> delete(String pathAndQuery, String... headers) {
    HttpRequest.Builder builder = request(pathAndQuery).DELETE();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder.build());
  }

  static JsonNode json(HttpResponse<byte[]> response) {
    try {
      return HttpJson.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "not JSON: " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8), e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return HttpJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts {@code response} is an RFC 9457 problem with {@code status} and type {@code slug}, with
   * every standard member, and returns it.
   */
  static JsonNode assertProblem(HttpResponse<byte[]> response, int status, String slug) {
    assertThat(response.statusCode()).as(describe(response)).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(HttpReply.PROBLEM_JSON);
    JsonNode problem = json(response);
    assertThat(problem.path("type").asText()).isEqualTo(ProblemType.URI_PREFIX + slug);
    assertThat(problem.path("title").asText()).isNotEmpty();
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("detail").asText()).isNotEmpty();
    assertThat(problem.path("instance").isTextual()).isTrue();
    return problem;
  }

  static String describe(HttpResponse<byte[]> response) {
    return response.statusCode()
        + " "
        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    server.close();
    client.close();
    service.close();
    engine.close();
  }
}
