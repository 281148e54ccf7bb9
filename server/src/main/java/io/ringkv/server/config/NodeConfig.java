package io.ringkv.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a node is told, one record per section of {@code conf/ringkv.yaml}. Built by {@link
 * ConfigLoader} from the file, {@code RINGKV_*} environment variables and {@code --set} flags,
 * which checks each option's type and range against {@link ConfigSchema}; this record checks the
 * relations between options on construction (STYLE.md §4), so an instance is always consistent.
 *
 * <p>Immutable and thread-safe.
 *
 * @param node identity, data directory, shutdown bound
 * @param storage the engine and its write policy
 * @param resp the Redis protocol front end
 * @param http the HTTP/JSON front end
 * @param grpc the gRPC front end
 * @param limits bounds on client input, enforced by every front end and by the engine
 */
public record NodeConfig(
    NodeSection node,
    StorageConfig storage,
    RespConfig resp,
    FrontEndConfig http,
    FrontEndConfig grpc,
    LimitsConfig limits) {

  public NodeConfig {
    if (node == null
        || storage == null
        || resp == null
        || http == null
        || grpc == null
        || limits == null) {
      throw new IllegalArgumentException("no section of a NodeConfig may be null");
    }
    List<String> problems = relationProblems(storage, resp, http, grpc, limits);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  /** The configuration with every option at its default: what {@code conf/ringkv.yaml} says. */
  public static NodeConfig defaults() {
    return ConfigBinder.bind(ConfigBinder.defaultValues());
  }

  /** The section of {@code kind}. */
  public FrontEndSection frontEnd(FrontEndKind kind) {
    return switch (kind) {
      case RESP -> resp;
      case HTTP -> http;
      case GRPC -> grpc;
    };
  }

  /** This configuration for a node named {@code id} (its directory follows the name). */
  public NodeConfig withNodeId(String id) {
    return new NodeConfig(
        new NodeSection(id, node.dataDirectory(), node.shutdownTimeoutMillis()),
        storage,
        resp,
        http,
        grpc,
        limits);
  }

  /** This configuration with its data under {@code dataDirectory}. */
  public NodeConfig withDataDirectory(Path dataDirectory) {
    return new NodeConfig(
        new NodeSection(node.id(), dataDirectory, node.shutdownTimeoutMillis()),
        storage,
        resp,
        http,
        grpc,
        limits);
  }

  /**
   * This configuration with every front end port moved up by {@code offset}, as {@code ringkv up}
   * numbers its nodes (node i listens on 6379 + i - 1, ...). Port 0 (any free port) stays 0.
   *
   * @throws ConfigException if a port would pass 65535
   */
  public NodeConfig withPortOffset(int offset) {
    return new NodeConfig(
        node,
        storage,
        new RespConfig(
            resp.enabled(),
            shift(resp.listener(), offset, "resp"),
            resp.requirepass(),
            resp.ioThreads()),
        new FrontEndConfig(http.enabled(), shift(http.listener(), offset, "http")),
        new FrontEndConfig(grpc.enabled(), shift(grpc.listener(), offset, "grpc")),
        limits);
  }

  private static ListenerConfig shift(ListenerConfig listener, int offset, String section) {
    if (listener.port() == 0) {
      return listener;
    }
    int port = listener.port() + offset;
    if (port < 1 || port > 65_535) {
      throw new ConfigException(
          section
              + ".port "
              + listener.port()
              + " moved by "
              + offset
              + " is "
              + port
              + "; allowed: 1 to 65535");
    }
    return listener.withPort(port);
  }

  /**
   * The relations between options: the limits that carry a key and a value must hold the largest of
   * both, a log segment must hold the largest write, the level-0 triggers must rise, and two
   * enabled front ends cannot share a port. The engine's own checks run last, as a backstop.
   */
  private static List<String> relationProblems(
      StorageConfig storage,
      RespConfig resp,
      FrontEndConfig http,
      FrontEndConfig grpc,
      LimitsConfig limits) {
    List<String> problems = new ArrayList<>();
    long pair = (long) limits.keyBytesMax() + limits.valueBytesMax();
    String pairText =
        "limits.key_bytes_max + limits.value_bytes_max ("
            + limits.keyBytesMax()
            + " + "
            + limits.valueBytesMax()
            + " = "
            + pair
            + ")";
    atLeastPair(problems, "limits.resp_bulk_bytes_max", limits.respBulkBytesMax(), pair, pairText);
    atLeastPair(problems, "limits.http_body_bytes_max", limits.httpBodyBytesMax(), pair, pairText);
    atLeastPair(
        problems, "limits.grpc_message_bytes_max", limits.grpcMessageBytesMax(), pair, pairText);
    atLeastPair(problems, "storage.wal_segment_bytes", storage.walSegmentBytes(), pair, pairText);
    if (storage.level0SlowdownTrigger() < storage.level0CompactionTrigger()) {
      problems.add(
          "storage.level0_slowdown_trigger is "
              + storage.level0SlowdownTrigger()
              + "; it must be at least storage.level0_compaction_trigger ("
              + storage.level0CompactionTrigger()
              + ")");
    }
    if (storage.level0StopTrigger() < storage.level0SlowdownTrigger()) {
      problems.add(
          "storage.level0_stop_trigger is "
              + storage.level0StopTrigger()
              + "; it must be at least storage.level0_slowdown_trigger ("
              + storage.level0SlowdownTrigger()
              + ")");
    }
    Map<Integer, String> portOwners = new TreeMap<>();
    claimPort(problems, portOwners, "resp", resp);
    claimPort(problems, portOwners, "http", http);
    claimPort(problems, portOwners, "grpc", grpc);
    if (problems.isEmpty()) {
      try {
        storage.toEngineOptions(Path.of("."), limits).validate();
      } catch (IllegalArgumentException e) {
        problems.add("storage options rejected by the engine: " + e.getMessage());
      }
    }
    return problems;
  }

  private static void atLeastPair(
      List<String> problems, String field, long value, long pair, String pairText) {
    if (value < pair) {
      problems.add(
          field
              + " is "
              + value
              + "; it must be at least "
              + pairText
              + ", so that it holds the largest key and value");
    }
  }

  private static void claimPort(
      List<String> problems, Map<Integer, String> owners, String section, FrontEndSection config) {
    int port = config.listener().port();
    if (!config.enabled() || port == 0) {
      return;
    }
    String owner = owners.putIfAbsent(port, section);
    if (owner != null) {
      problems.add(
          section
              + ".port is "
              + port
              + ", the same as "
              + owner
              + ".port; enabled front ends need distinct ports (0 picks a free one)");
    }
  }
}
