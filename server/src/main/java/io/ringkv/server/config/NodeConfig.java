package io.ringkv.server.config;

import io.ringkv.storage.EngineOptions;
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
 * @param cluster the cluster the node belongs to, its place in it, gossip settings
 * @param replication how the node coordinates requests over replicas: timeouts, read repair,
 *     speculative retry, clock skew bound, sloppy quorum
 * @param hints hinted handoff: whether, where, for how long and how much
 * @param storage the engine and its write policy
 * @param resp the Redis protocol front end
 * @param http the HTTP/JSON front end
 * @param grpc the gRPC front end
 * @param internode the listener other nodes connect to, and internode messaging bounds
 * @param limits bounds on client input, enforced by every front end and by the engine
 */
public record NodeConfig(
    NodeSection node,
    ClusterSection cluster,
    ReplicationSection replication,
    HintsSection hints,
    StorageConfig storage,
    RespConfig resp,
    FrontEndConfig http,
    FrontEndConfig grpc,
    InternodeSection internode,
    LimitsConfig limits) {

  /** The most tokens one node may hold (io.ringkv.cluster.membership.MemberValues). */
  static final int TOKENS_PER_NODE_MAX = 1024;

  /** Room a frame needs beside the largest key and value. */
  static final long FRAME_OVERHEAD_BYTES = 64 * 1024;

  /** The hint logs' directory within the node's directory, unless {@code hints.directory} says. */
  public static final String HINTS_DIRECTORY_NAME = "hints";

  public NodeConfig {
    if (node == null
        || cluster == null
        || replication == null
        || hints == null
        || internode == null
        || storage == null
        || resp == null
        || http == null
        || grpc == null
        || limits == null) {
      throw new IllegalArgumentException("no section of a NodeConfig may be null");
    }
    List<String> problems =
        relationProblems(
            node, cluster, replication, hints, storage, resp, http, grpc, internode, limits);
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
        cluster,
        replication,
        hints,
        storage,
        resp,
        http,
        grpc,
        internode,
        limits);
  }

  /** This configuration with its data under {@code dataDirectory}. */
  public NodeConfig withDataDirectory(Path dataDirectory) {
    return new NodeConfig(
        new NodeSection(node.id(), dataDirectory, node.shutdownTimeoutMillis()),
        cluster,
        replication,
        hints,
        storage,
        resp,
        http,
        grpc,
        internode,
        limits);
  }

  /** This configuration with other cluster settings. */
  public NodeConfig withCluster(ClusterSection newCluster) {
    return new NodeConfig(
        node, newCluster, replication, hints, storage, resp, http, grpc, internode, limits);
  }

  /** This configuration with other replication settings. */
  public NodeConfig withReplication(ReplicationSection newReplication) {
    return new NodeConfig(
        node, cluster, newReplication, hints, storage, resp, http, grpc, internode, limits);
  }

  /** This configuration with other hinted handoff settings. */
  public NodeConfig withHints(HintsSection newHints) {
    return new NodeConfig(
        node, cluster, replication, newHints, storage, resp, http, grpc, internode, limits);
  }

  /**
   * Where this node keeps its hint logs: {@code hints.directory}, or {@code <node directory>/hints}
   * when that is empty ({@code ./data/node-1/hints}).
   */
  public Path hintsDirectory() {
    return hints.directory().orElse(node.directory().resolve(HINTS_DIRECTORY_NAME));
  }

  /**
   * This configuration with every port moved up by {@code offset}, the internode port included, as
   * {@code ringkv up} numbers its nodes (node i listens on 6379 + i - 1, ...). Port 0 (any free
   * port) stays 0. The seeds do not move: node 1 stays every node's seed.
   *
   * @throws ConfigException if a port would pass 65535
   */
  public NodeConfig withPortOffset(int offset) {
    return new NodeConfig(
        node,
        cluster,
        replication,
        hints,
        storage,
        new RespConfig(
            resp.enabled(),
            shift(resp.listener(), offset, "resp"),
            resp.requirepass(),
            resp.ioThreads()),
        new FrontEndConfig(http.enabled(), shift(http.listener(), offset, "http")),
        new FrontEndConfig(grpc.enabled(), shift(grpc.listener(), offset, "grpc")),
        internode.port() == 0
            ? internode
            : internode.withPort(
                shift(ListenerConfig.of(internode.host(), internode.port()), offset, "internode")
                    .port()),
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
      NodeSection node,
      ClusterSection cluster,
      ReplicationSection replication,
      HintsSection hints,
      StorageConfig storage,
      RespConfig resp,
      FrontEndConfig http,
      FrontEndConfig grpc,
      InternodeSection internode,
      LimitsConfig limits) {
    List<String> problems = new ArrayList<>();
    long tokens = Math.round(cluster.numTokens() * cluster.weight());
    if (tokens > TOKENS_PER_NODE_MAX) {
      problems.add(
          "cluster.num_tokens x cluster.weight is "
              + cluster.numTokens()
              + " x "
              + cluster.weight()
              + " = "
              + tokens
              + " tokens; at most "
              + TOKENS_PER_NODE_MAX
              + " fit one gossip value");
    }
    if (cluster.joinWaitMaxMillis() < cluster.ringDelayMillis()) {
      problems.add(
          "cluster.join_wait_max_millis is "
              + cluster.joinWaitMaxMillis()
              + "; it must be at least cluster.ring_delay_millis ("
              + cluster.ringDelayMillis()
              + ")");
    }
    long pair = (long) limits.keyBytesMax() + limits.valueBytesMax();
    String pairText =
        "limits.key_bytes_max + limits.value_bytes_max ("
            + limits.keyBytesMax()
            + " + "
            + limits.valueBytesMax()
            + " = "
            + pair
            + ")";
    hintProblems(problems, node, replication, hints, storage, pair, pairText);
    atLeastPair(problems, "limits.resp_bulk_bytes_max", limits.respBulkBytesMax(), pair, pairText);
    atLeastPair(problems, "limits.http_body_bytes_max", limits.httpBodyBytesMax(), pair, pairText);
    atLeastPair(
        problems, "limits.grpc_message_bytes_max", limits.grpcMessageBytesMax(), pair, pairText);
    atLeastPair(problems, "storage.wal_segment_bytes", storage.walSegmentBytes(), pair, pairText);
    atLeastPair(
        problems,
        "internode.frame_bytes_max",
        internode.frameBytesMax(),
        pair + FRAME_OVERHEAD_BYTES,
        pairText + " + 64 KiB of framing");
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
    if (internode.port() != 0) {
      String owner = portOwners.putIfAbsent(internode.port(), "internode");
      if (owner != null) {
        problems.add(
            "internode.port is "
                + internode.port()
                + ", the same as "
                + owner
                + ".port; every listener needs its own port");
      }
    }
    if (problems.isEmpty()) {
      try {
        storage.toEngineOptions(Path.of("."), limits).validate();
      } catch (IllegalArgumentException e) {
        problems.add("storage options rejected by the engine: " + e.getMessage());
      }
    }
    return problems;
  }

  /**
   * Hints must outlive the write that made them and fit the largest write, and (with the lsm
   * engine, which purges tombstones after their grace) must not outlive tombstones: a delete
   * delivered by a hint after the other replicas dropped its tombstone could leave the stale value
   * to come back (Cassandra's rule for max_hint_window and gc_grace). The hint logs must not share
   * the node directory itself, which holds the lock and the storage directory.
   */
  private static void hintProblems(
      List<String> problems,
      NodeSection node,
      ReplicationSection replication,
      HintsSection hints,
      StorageConfig storage,
      long pair,
      String pairText) {
    if (!hints.enabled()) {
      return;
    }
    if (hints.windowMillis() < replication.writeTimeoutMillis()) {
      problems.add(
          "hints.window_millis is "
              + hints.windowMillis()
              + "; it must be at least replication.write_timeout_millis ("
              + replication.writeTimeoutMillis()
              + "), or a hint for a write that timed out would be dropped before it was kept");
    }
    if (EngineOptions.ENGINE_LSM.equals(storage.engine())
        && hints.windowMillis() > storage.tombstoneGraceMillis()) {
      problems.add(
          "hints.window_millis is "
              + hints.windowMillis()
              + "; it must be at most storage.tombstone_grace_millis ("
              + storage.tombstoneGraceMillis()
              + "), or a delete delivered late by a hint could find its tombstone purged on the"
              + " other replicas and deleted data could come back");
    }
    atLeastPair(
        problems,
        "hints.max_bytes_per_target",
        hints.maxBytesPerTarget(),
        pair + FRAME_OVERHEAD_BYTES,
        pairText + " + 64 KiB of framing");
    if (hints.directory().isPresent()
        && hints
            .directory()
            .get()
            .toAbsolutePath()
            .normalize()
            .equals(node.directory().toAbsolutePath().normalize())) {
      problems.add(
          "hints.directory is "
              + hints.directory().get()
              + ", the node's own directory; give a directory of its own, or leave it empty for "
              + node.directory().resolve(HINTS_DIRECTORY_NAME));
    }
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
