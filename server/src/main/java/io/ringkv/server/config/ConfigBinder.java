package io.ringkv.server.config;

import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns parsed option values (dotted path → value, see {@link ConfigOption}) into a {@link
 * NodeConfig}. The only place that knows which record field each option fills; a test checks that
 * every option of {@link ConfigSchema} is read exactly here. Static helpers; thread-safe.
 */
final class ConfigBinder {
  private ConfigBinder() {}

  /** Every option at its default value. */
  static Map<String, Object> defaultValues() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigOption option : ConfigSchema.options()) {
      values.put(option.path(), option.defaultValue());
    }
    return values;
  }

  /**
   * Builds the records from {@code values}, which hold a parsed value for every option.
   *
   * @throws ConfigException if the values break a relation between options
   */
  static NodeConfig bind(Map<String, Object> values) {
    return bind(new Reader(values));
  }

  /** The options {@link #bind} reads, for the test that none is forgotten. */
  static Set<String> pathsRead() {
    Reader reader = new Reader(defaultValues());
    bind(reader);
    return reader.read;
  }

  private static NodeConfig bind(Reader v) {
    NodeSection node =
        new NodeSection(
            v.text("node.id"),
            v.path("node.data_directory"),
            v.number("node.shutdown_timeout_millis"));
    ClusterSection cluster =
        new ClusterSection(
            v.text("cluster.name"),
            hostPorts("cluster.seeds", v.text("cluster.seeds")),
            v.text("cluster.datacenter"),
            v.text("cluster.rack"),
            v.decimal("cluster.weight"),
            v.integer("cluster.num_tokens"),
            v.text("cluster.advertise_host"),
            v.decimal("cluster.phi_convict_threshold"),
            v.number("cluster.gossip_interval_millis"),
            v.number("cluster.ring_delay_millis"),
            v.number("cluster.join_wait_max_millis"),
            v.text("cluster.metadata"));
    ReplicationSection replication =
        new ReplicationSection(
            v.number("replication.write_timeout_millis"),
            v.number("replication.read_timeout_millis"),
            v.decimal("replication.read_repair_chance"),
            v.bool("replication.speculative_retry"),
            v.number("replication.max_clock_skew_millis"),
            v.bool("replication.sloppy_quorum"),
            v.integer("replication.causal_siblings_max"));
    HintsSection hints =
        new HintsSection(
            v.bool("hints.enabled"),
            optionalPath("hints.directory", v.text("hints.directory")),
            v.number("hints.window_millis"),
            v.number("hints.max_bytes_per_target"),
            v.number("hints.throttle_bytes_per_second"));
    StorageConfig storage =
        new StorageConfig(
            v.text("storage.engine"),
            Durability.valueOf(v.text("storage.fsync").toUpperCase(Locale.ROOT)),
            v.number("storage.periodic_sync_millis"),
            v.number("storage.wal_segment_bytes"),
            v.number("storage.memtable_bytes"),
            v.integer("storage.immutable_memtables_max"),
            v.integer("storage.block_bytes"),
            v.integer("storage.block_restart_interval"),
            v.integer("storage.bloom_bits_per_key"),
            EngineOptions.Compression.valueOf(
                v.text("storage.compression").toUpperCase(Locale.ROOT)),
            v.number("storage.block_cache_bytes"),
            v.integer("storage.table_cache_files"),
            v.integer("storage.level0_compaction_trigger"),
            v.integer("storage.level0_slowdown_trigger"),
            v.integer("storage.level0_stop_trigger"),
            v.number("storage.level_base_bytes"),
            v.integer("storage.level_multiplier"),
            v.integer("storage.levels_max"),
            v.number("storage.target_file_bytes"),
            v.number("storage.compaction_bytes_per_second"),
            v.number("storage.tombstone_grace_millis"),
            v.bool("storage.salvage"));
    RespConfig resp =
        new RespConfig(
            v.bool("resp.enabled"),
            listener(v, "resp"),
            v.secret("resp.requirepass"),
            v.integer("resp.io_threads"));
    FrontEndConfig http = new FrontEndConfig(v.bool("http.enabled"), listener(v, "http"));
    FrontEndConfig grpc = new FrontEndConfig(v.bool("grpc.enabled"), listener(v, "grpc"));
    InternodeSection internode =
        new InternodeSection(
            v.text("internode.host"),
            v.integer("internode.port"),
            v.integer("internode.max_connections"),
            v.number("internode.frame_bytes_max"),
            v.integer("internode.outbound_queue_messages_max"),
            v.integer("internode.connections_per_peer"),
            v.number("internode.connect_timeout_millis"),
            v.number("internode.handshake_timeout_millis"),
            v.number("internode.request_timeout_millis"),
            v.integer("internode.pending_requests_max"),
            peerAddresses(v.text("internode.peer_addresses")));
    LimitsConfig limits =
        new LimitsConfig(
            v.integer("limits.key_bytes_max"),
            v.integer("limits.value_bytes_max"),
            v.integer("limits.resp_bulk_bytes_max"),
            v.integer("limits.resp_arguments_max"),
            v.integer("limits.resp_inline_bytes_max"),
            v.integer("limits.http_body_bytes_max"),
            v.integer("limits.grpc_message_bytes_max"));
    return new NodeConfig(
        node, cluster, replication, hints, storage, resp, http, grpc, internode, limits);
  }

  /** An empty text as no path; anything else as a path, refused if the platform cannot hold it. */
  private static Optional<Path> optionalPath(String option, String text) {
    if (text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(text.strip()));
    } catch (InvalidPathException e) {
      throw new ConfigException(
          List.of(
              option + " is '" + text + "'; allowed: a file system path (" + e.getReason() + ")"));
    }
  }

  private static List<HostPort> hostPorts(String path, String text) {
    try {
      return HostPort.parseList(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(path + ": " + e.getMessage()));
    }
  }

  private static Map<String, HostPort> peerAddresses(String text) {
    Map<String, HostPort> peers = new TreeMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String peer = pair.substring(0, equals).trim();
      HostPort address = hostPorts("internode.peer_addresses", pair.substring(equals + 1)).get(0);
      if (peers.put(peer, address) != null) {
        throw new ConfigException(
            List.of("internode.peer_addresses names " + peer + " twice; give each node once"));
      }
    }
    return peers;
  }

  private static ListenerConfig listener(Reader v, String section) {
    return new ListenerConfig(
        v.text(section + ".host"),
        v.integer(section + ".port"),
        v.integer(section + ".max_connections"),
        v.number(section + ".idle_timeout_millis"));
  }

  /** Typed access to the values; a path that is not an option is a programmer error. */
  private static final class Reader {
    private final Map<String, Object> values;
    private final Set<String> read = new HashSet<>();

    Reader(Map<String, Object> values) {
      this.values = values;
    }

    private Object get(String path) {
      ConfigSchema.require(path);
      if (!values.containsKey(path)) {
        throw new AssertionError("no value for option " + path);
      }
      read.add(path);
      return values.get(path);
    }

    String text(String path) {
      return (String) get(path);
    }

    long number(String path) {
      return (Long) get(path);
    }

    /** Ranges in the schema keep every int-typed option within an int. */
    int integer(String path) {
      return Math.toIntExact((Long) get(path));
    }

    double decimal(String path) {
      return (Double) get(path);
    }

    boolean bool(String path) {
      return (Boolean) get(path);
    }

    Path path(String path) {
      return (Path) get(path);
    }

    @SuppressWarnings("unchecked")
    Optional<String> secret(String path) {
      return (Optional<String>) get(path);
    }
  }
}
