package io.ringkv.server.config;

import io.ringkv.storage.EngineOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every option a node understands, in the order of {@code conf/ringkv.yaml}: the one list that the
 * loader checks names and values against, that unknown names are matched with for suggestions, and
 * that {@code ConfigFileInSyncTest} compares with the commented file.
 *
 * <p>Defaults are taken from where they are decided rather than copied: the storage options from
 * {@link EngineOptions#defaults}, the limits from {@link LimitsConfig#defaults()}. Ranges repeat
 * the engine's (its {@link EngineOptions#validate()} still runs as a backstop) so that a bad value
 * is reported with the source it came from.
 *
 * <p>Static and immutable; thread-safe.
 */
public final class ConfigSchema {
  private static final long UNBOUNDED = Long.MAX_VALUE;
  private static final long KIB = 1L << 10;
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  /** Sections in file order; each option's path is {@code section.key}. */
  public static final List<String> SECTIONS =
      List.of(
          "node",
          "cluster",
          "replication",
          "hints",
          "storage",
          "resp",
          "http",
          "grpc",
          "internode",
          "limits");

  /** Environment variables starting with {@code RINGKV_} that the launcher reads, not the node. */
  public static final Set<String> LAUNCHER_VARIABLES =
      Set.of("RINGKV_JAVA_OPTS", "RINGKV_JVM_DIR", "RINGKV_NO_BUILD");

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\[\\]-]{1,253}");
  private static final Pattern HOST_OR_EMPTY = Pattern.compile("|[A-Za-z0-9._:%\\[\\]-]{1,253}");
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern HOST_PORT_LIST =
      Pattern.compile("\\s*|\\s*[^,\\s]+:\\d{1,5}(\\s*,\\s*[^,\\s]+:\\d{1,5})*\\s*");
  private static final Pattern PEER_ADDRESS_LIST =
      Pattern.compile(
          "\\s*|\\s*[A-Za-z0-9][A-Za-z0-9._-]{0,63}=[^,\\s]+:\\d{1,5}"
              + "(\\s*,\\s*[A-Za-z0-9][A-Za-z0-9._-]{0,63}=[^,\\s]+:\\d{1,5})*\\s*");

  /** Empty, or a path: no NUL, no line break, at most 4096 characters. */
  private static final Pattern PATH_OR_EMPTY = Pattern.compile("[^\\x00\\r\\n]{0,4096}");

  private static final Map<String, ConfigOption> OPTIONS = build();

  private ConfigSchema() {}

  private static Map<String, ConfigOption> build() {
    EngineOptions engine = EngineOptions.defaults(Path.of("."));
    LimitsConfig limits = LimitsConfig.defaults();
    List<ConfigOption> list = new ArrayList<>();

    list.add(
        ConfigOption.string(
            "node.id",
            "node-1",
            NODE_ID,
            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    list.add(ConfigOption.path("node.data_directory", "./data"));
    list.add(ConfigOption.millis("node.shutdown_timeout_millis", 10_000, 100, 600_000));

    list.add(
        ConfigOption.string(
            "cluster.name",
            "ringkv",
            CLUSTER_NAME,
            "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    list.add(
        ConfigOption.string(
            "cluster.seeds",
            "127.0.0.1:7000",
            HOST_PORT_LIST,
            "comma-separated host:port internode addresses ([::1]:7000 for IPv6)"));
    list.add(
        ConfigOption.string(
            "cluster.datacenter",
            "dc1",
            NODE_ID,
            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    list.add(
        ConfigOption.string(
            "cluster.rack",
            "rack1",
            NODE_ID,
            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    list.add(ConfigOption.decimal("cluster.weight", 1.0, 1.0 / 64, 64.0));
    list.add(ConfigOption.integer("cluster.num_tokens", 16, 1, 256));
    list.add(
        ConfigOption.string(
            "cluster.advertise_host",
            "",
            HOST_OR_EMPTY,
            "empty (the internode listen host) or an IP address or host name"));
    list.add(ConfigOption.decimal("cluster.phi_convict_threshold", 8.0, 1.0, 32.0));
    list.add(ConfigOption.millis("cluster.gossip_interval_millis", 1_000, 100, 60_000));
    list.add(ConfigOption.millis("cluster.ring_delay_millis", 2_000, 0, 3_600_000));
    list.add(ConfigOption.millis("cluster.join_wait_max_millis", 30_000, 0, 3_600_000));
    list.add(
        ConfigOption.choice(
            "cluster.metadata",
            ClusterSection.METADATA_RAFT,
            List.of(ClusterSection.METADATA_GOSSIP, ClusterSection.METADATA_RAFT)));

    list.add(ConfigOption.millis("replication.write_timeout_millis", 2_000, 1, 600_000));
    list.add(ConfigOption.millis("replication.read_timeout_millis", 2_000, 1, 600_000));
    list.add(ConfigOption.decimal("replication.read_repair_chance", 0.1, 0.0, 1.0));
    list.add(ConfigOption.bool("replication.speculative_retry", true));
    list.add(ConfigOption.millis("replication.max_clock_skew_millis", 500, 1, 3_600_000));
    list.add(ConfigOption.bool("replication.sloppy_quorum", false));
    list.add(
        ConfigOption.integer(
            "replication.causal_siblings_max",
            ReplicationSection.CAUSAL_SIBLINGS_MAX_DEFAULT,
            1,
            1_024));

    list.add(ConfigOption.bool("hints.enabled", true));
    list.add(
        ConfigOption.string(
            "hints.directory",
            "",
            PATH_OR_EMPTY,
            "empty (<node.data_directory>/<node.id>/hints) or a directory path"));
    list.add(ConfigOption.millis("hints.window_millis", 3 * 3_600_000L, 1, 30 * 24 * 3_600_000L));
    list.add(ConfigOption.size("hints.max_bytes_per_target", GIB, MIB, UNBOUNDED));
    list.add(ConfigOption.size("hints.throttle_bytes_per_second", MIB, 0, UNBOUNDED));

    list.add(
        ConfigOption.choice(
            "storage.engine",
            engine.engine(),
            List.of(EngineOptions.ENGINE_LSM, EngineOptions.ENGINE_ROCKSDB)));
    list.add(ConfigOption.choice("storage.fsync", "periodic", List.of("sync", "periodic", "none")));
    list.add(
        ConfigOption.millis(
            "storage.periodic_sync_millis", engine.periodicSyncMillis(), 1, 3_600_000));
    list.add(
        ConfigOption.size(
            "storage.wal_segment_bytes", engine.walSegmentBytes(), 64 * KIB, 64 * GIB));
    list.add(
        ConfigOption.size("storage.memtable_bytes", engine.memtableBytes(), 64 * KIB, 64 * GIB));
    list.add(
        ConfigOption.integer(
            "storage.immutable_memtables_max", engine.immutableMemtablesMax(), 1, 64));
    list.add(ConfigOption.size("storage.block_bytes", engine.blockBytes(), 512, MIB));
    list.add(
        ConfigOption.integer(
            "storage.block_restart_interval", engine.blockRestartInterval(), 1, 1024));
    list.add(ConfigOption.integer("storage.bloom_bits_per_key", engine.bloomBitsPerKey(), 0, 64));
    list.add(
        ConfigOption.choice(
            "storage.compression",
            engine.compression().name().toLowerCase(Locale.ROOT),
            List.of("none", "lz4")));
    list.add(
        ConfigOption.size("storage.block_cache_bytes", engine.blockCacheBytes(), 0, UNBOUNDED));
    list.add(
        ConfigOption.integer("storage.table_cache_files", engine.tableCacheFiles(), 16, 1_000_000));
    list.add(
        ConfigOption.integer(
            "storage.level0_compaction_trigger", engine.level0CompactionTrigger(), 1, 1_000));
    list.add(
        ConfigOption.integer(
            "storage.level0_slowdown_trigger", engine.level0SlowdownTrigger(), 1, 1_000));
    list.add(
        ConfigOption.integer("storage.level0_stop_trigger", engine.level0StopTrigger(), 1, 1_000));
    list.add(
        ConfigOption.size("storage.level_base_bytes", engine.levelBaseBytes(), MIB, UNBOUNDED));
    list.add(ConfigOption.integer("storage.level_multiplier", engine.levelMultiplier(), 2, 100));
    list.add(ConfigOption.integer("storage.levels_max", engine.levelsMax(), 2, 12));
    list.add(
        ConfigOption.size(
            "storage.target_file_bytes", engine.targetFileBytes(), 64 * KIB, 64 * GIB));
    list.add(
        ConfigOption.size(
            "storage.compaction_bytes_per_second",
            engine.compactionBytesPerSecond(),
            0,
            UNBOUNDED));
    list.add(
        ConfigOption.millis(
            "storage.tombstone_grace_millis", engine.tombstoneGraceMillis(), 0, UNBOUNDED));
    list.add(ConfigOption.bool("storage.salvage", engine.salvage()));

    addFrontEnd(list, "resp", 6379);
    list.add(ConfigOption.secret("resp.requirepass"));
    list.add(
        ConfigOption.integer(
            "resp.io_threads", RespConfig.IO_THREADS_AUTO, 0, RespConfig.IO_THREADS_MAX));
    addFrontEnd(list, "http", 8080);
    addFrontEnd(list, "grpc", 9090);

    list.add(
        ConfigOption.string(
            "internode.host",
            "127.0.0.1",
            HOST,
            "an IP address or host name (0.0.0.0 for every interface)"));
    list.add(ConfigOption.integer("internode.port", 7000, 0, 65_535));
    list.add(ConfigOption.integer("internode.max_connections", 1024, 1, 100_000));
    list.add(ConfigOption.size("internode.frame_bytes_max", 16 * MIB, 64 * KIB, GIB));
    list.add(ConfigOption.integer("internode.outbound_queue_messages_max", 10_000, 16, 10_000_000));
    list.add(ConfigOption.integer("internode.connections_per_peer", 1, 1, 8));
    list.add(ConfigOption.millis("internode.connect_timeout_millis", 2_000, 10, 600_000));
    list.add(ConfigOption.millis("internode.handshake_timeout_millis", 5_000, 10, 600_000));
    list.add(ConfigOption.millis("internode.request_timeout_millis", 5_000, 1, 600_000));
    list.add(ConfigOption.integer("internode.pending_requests_max", 65_536, 1, 10_000_000));
    list.add(
        ConfigOption.string(
            "internode.peer_addresses",
            "",
            PEER_ADDRESS_LIST,
            "comma-separated node-id=host:port pairs, or empty"));

    list.add(ConfigOption.size("limits.key_bytes_max", limits.keyBytesMax(), 1, MIB));
    list.add(ConfigOption.size("limits.value_bytes_max", limits.valueBytesMax(), 1, 128 * MIB));
    list.add(
        ConfigOption.size("limits.resp_bulk_bytes_max", limits.respBulkBytesMax(), 1, 512 * MIB));
    list.add(
        ConfigOption.integer(
            "limits.resp_arguments_max", limits.respArgumentsMax(), 8, 16 * 1024 * 1024));
    list.add(
        ConfigOption.size(
            "limits.resp_inline_bytes_max", limits.respInlineBytesMax(), 256, 16 * MIB));
    list.add(ConfigOption.size("limits.http_body_bytes_max", limits.httpBodyBytesMax(), KIB, GIB));
    list.add(
        ConfigOption.size("limits.grpc_message_bytes_max", limits.grpcMessageBytesMax(), KIB, GIB));

    Map<String, ConfigOption> byPath = new LinkedHashMap<>();
    for (ConfigOption option : list) {
      if (!SECTIONS.contains(option.section())) {
        throw new AssertionError("option " + option + " is in no known section");
      }
      if (byPath.put(option.path(), option) != null) {
        throw new AssertionError("option " + option + " is listed twice");
      }
    }
    return Collections.unmodifiableMap(byPath);
  }

  private static void addFrontEnd(List<ConfigOption> list, String section, int port) {
    ListenerConfig defaults = ListenerConfig.of("127.0.0.1", port);
    list.add(ConfigOption.bool(section + ".enabled", true));
    list.add(
        ConfigOption.string(
            section + ".host",
            defaults.host(),
            HOST,
            "an IP address or host name (0.0.0.0 for every interface)"));
    list.add(ConfigOption.integer(section + ".port", defaults.port(), 0, 65_535));
    list.add(
        ConfigOption.integer(
            section + ".max_connections", defaults.maxConnections(), 1, 1_000_000));
    list.add(
        ConfigOption.millis(
            section + ".idle_timeout_millis", defaults.idleTimeoutMillis(), 0, 86_400_000L * 365));
  }

  /** Every option, in file order. */
  public static List<ConfigOption> options() {
    return List.copyOf(OPTIONS.values());
  }

  /** Every option's dotted path, in file order. */
  public static Set<String> paths() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(OPTIONS.keySet()));
  }

  /** The option at {@code path}, if there is one. */
  public static Optional<ConfigOption> find(String path) {
    return Optional.ofNullable(OPTIONS.get(path));
  }

  /** The option at {@code path}; a path that is not an option is a programmer error. */
  static ConfigOption require(String path) {
    ConfigOption option = OPTIONS.get(path);
    if (option == null) {
      throw new AssertionError("no option " + path);
    }
    return option;
  }

  /** The keys of {@code section}, in file order. */
  public static List<String> keysOf(String section) {
    List<String> keys = new ArrayList<>();
    for (ConfigOption option : OPTIONS.values()) {
      if (option.section().equals(section)) {
        keys.add(option.key());
      }
    }
    return keys;
  }

  /**
   * The message for an option nobody knows: {@code unknown option 'resp.prot' in conf/ringkv.yaml
   * line 4 (did you mean 'resp.port'?)}. Suggests the nearest paths by edit distance; failing that,
   * options with the same key in other sections ({@code port} → {@code resp.port}, ...); failing
   * that, for a known section, the keys it takes.
   */
  static String unknownOption(String path, String source) {
    String prefix = "unknown option '" + path + "' " + source;
    List<String> nearest = NearestNames.nearest(path, OPTIONS.keySet());
    if (nearest.isEmpty()) {
      String lastKey = path.substring(path.lastIndexOf('.') + 1);
      for (ConfigOption option : OPTIONS.values()) {
        if (option.key().equalsIgnoreCase(lastKey)
            && nearest.size() < NearestNames.SUGGESTIONS_MAX) {
          nearest.add(option.path());
        }
      }
    }
    if (!nearest.isEmpty()) {
      return prefix + " (did you mean " + NearestNames.quotedList(nearest) + "?)";
    }
    int dot = path.indexOf('.');
    String section = dot < 0 ? path : path.substring(0, dot);
    if (SECTIONS.contains(section)) {
      return prefix
          + " (section "
          + section
          + " takes: "
          + String.join(", ", keysOf(section))
          + ")";
    }
    return prefix + " (sections are: " + String.join(", ", SECTIONS) + ")";
  }

  /**
   * The option an environment variable names: {@code RINGKV_RESP_PORT} → {@code resp.port}. The
   * first underscore after the prefix separates the section, since section names have none.
   */
  static String pathOfVariable(String variable) {
    String rest = variable.substring("RINGKV_".length()).toLowerCase(Locale.ROOT);
    int underscore = rest.indexOf('_');
    return underscore < 0
        ? rest
        : rest.substring(0, underscore) + '.' + rest.substring(underscore + 1);
  }
}
