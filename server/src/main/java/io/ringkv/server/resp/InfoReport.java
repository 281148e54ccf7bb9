package io.ringkv.server.resp;

import io.ringkv.server.kv.ServiceStats;
import io.ringkv.storage.EngineStats;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The text of INFO: Redis' "# Section" blocks of {@code field:value} lines, with the fields Redis
 * clients and tools read, filled with real figures; fields Redis has but ringkv cannot honestly
 * fill are left out rather than faked, and ringkv's own figures carry a {@code ringkv_} prefix.
 * docs/api/redis.md lists every field and where it comes from.
 *
 * <p>Stateless.
 */
final class InfoReport {
  /** The sections of a plain INFO, in Redis' order. */
  static final List<String> DEFAULT_SECTIONS =
      List.of("server", "clients", "memory", "persistence", "stats", "replication", "keyspace");

  private InfoReport() {}

  /**
   * The report for the requested section names (any case); none, "default", "all" or "everything"
   * mean all sections.
   */
  static String render(RespContext server, List<String> requested) {
    Set<String> sections = new LinkedHashSet<>();
    for (String name : requested) {
      String section = name.toLowerCase(Locale.ROOT);
      if (section.equals("default") || section.equals("all") || section.equals("everything")) {
        sections.addAll(DEFAULT_SECTIONS);
      } else {
        sections.add(section);
      }
    }
    if (requested.isEmpty()) {
      sections.addAll(DEFAULT_SECTIONS);
    }
    StringBuilder text = new StringBuilder();
    ServiceStats stats = null;
    for (String section : DEFAULT_SECTIONS) {
      if (!sections.contains(section)) {
        continue;
      }
      if (!text.isEmpty()) {
        text.append("\r\n");
      }
      if ((section.equals("persistence") || section.equals("keyspace")) && stats == null) {
        stats = server.service.stats();
      }
      switch (section) {
        case "server" -> server(server, text);
        case "clients" -> clients(server, text);
        case "memory" -> memory(text);
        case "persistence" -> persistence(server, stats, text);
        case "stats" -> stats(server, text);
        case "replication" -> replication(text);
        case "keyspace" -> keyspace(stats, text);
        default -> throw new AssertionError(section);
      }
    }
    return text.toString();
  }

  private static void line(StringBuilder text, String field, Object value) {
    text.append(field).append(':').append(value).append("\r\n");
  }

  private static void server(RespContext server, StringBuilder text) {
    RespServerInfo info = server.info;
    long nowMillis = server.clock.epochMillis();
    long uptimeSeconds = Math.max(0, (nowMillis - info.startEpochMillis()) / 1000);
    text.append("# Server\r\n");
    line(text, "redis_version", ConnectionCommands.REDIS_COMPATIBLE_VERSION);
    line(text, "ringkv_version", info.version());
    line(text, "redis_mode", "standalone");
    line(
        text,
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    line(text, "arch_bits", System.getProperty("os.arch").contains("64") ? 64 : 32);
    line(text, "multiplexing_api", server.multiplexingApi());
    line(text, "java_version", System.getProperty("java.version"));
    line(text, "process_id", ProcessHandle.current().pid());
    line(text, "run_id", info.runId());
    line(text, "ringkv_node_id", info.nodeId());
    line(text, "tcp_port", info.tcpPort() != 0 ? info.tcpPort() : server.boundPort());
    line(text, "server_time_usec", nowMillis * 1000);
    line(text, "uptime_in_seconds", uptimeSeconds);
    line(text, "uptime_in_days", uptimeSeconds / 86_400);
    line(text, "config_file", info.configFile());
    line(text, "ringkv_data_directory", info.dataDirectory());
  }

  private static void clients(RespContext server, StringBuilder text) {
    text.append("# Clients\r\n");
    line(text, "connected_clients", server.counters.connectedClients.get());
    line(text, "maxclients", server.listener.maxConnections());
    line(text, "blocked_clients", 0);
  }

  private static void memory(StringBuilder text) {
    Runtime runtime = Runtime.getRuntime();
    long used = runtime.totalMemory() - runtime.freeMemory();
    text.append("# Memory\r\n");
    line(text, "used_memory", used);
    line(text, "used_memory_human", human(used));
    line(text, "ringkv_heap_committed", runtime.totalMemory());
    line(text, "ringkv_heap_max", runtime.maxMemory());
    line(text, "maxmemory", 0);
    line(text, "maxmemory_human", "0B");
    line(text, "maxmemory_policy", "noeviction");
  }

  private static void persistence(RespContext server, ServiceStats stats, StringBuilder text) {
    EngineStats engine = stats.engine();
    text.append("# Persistence\r\n");
    line(text, "loading", 0);
    line(text, "aof_enabled", 1);
    line(text, "ringkv_engine", server.info.engine());
    line(text, "ringkv_durability", server.info.durability().name().toLowerCase(Locale.ROOT));
    line(text, "ringkv_user_bytes_written", engine.userBytesWritten());
    line(text, "ringkv_wal_bytes_written", engine.walBytesWritten());
    line(text, "ringkv_flush_bytes_written", engine.flushBytesWritten());
    line(text, "ringkv_compaction_bytes_written", engine.compactionBytesWritten());
    line(
        text,
        "ringkv_write_amplification",
        String.format(Locale.ROOT, "%.2f", engine.writeAmplification()));
    line(text, "ringkv_flushes", engine.flushes());
    line(text, "ringkv_compactions", engine.compactions());
    line(text, "ringkv_write_stalls", engine.writeStalls());
    line(text, "ringkv_memtable_bytes", engine.memtableBytes());
    line(text, "ringkv_live_data_bytes", engine.liveDataBytes());
    line(text, "ringkv_files_per_level", join(engine.filesPerLevel()));
    line(
        text,
        "ringkv_block_cache_hit_rate",
        String.format(Locale.ROOT, "%.4f", engine.blockCacheHitRate()));
  }

  private static void stats(RespContext server, StringBuilder text) {
    ServerCounters counters = server.counters;
    text.append("# Stats\r\n");
    line(text, "total_connections_received", counters.connectionsReceived());
    line(text, "total_commands_processed", counters.commandsProcessed());
    line(text, "instantaneous_ops_per_sec", counters.instantaneousOpsPerSecond());
    line(text, "total_net_input_bytes", counters.netInputBytes());
    line(text, "total_net_output_bytes", counters.netOutputBytes());
    line(text, "rejected_connections", counters.connectionsRejected());
    line(text, "keyspace_hits", counters.keyspaceHits());
    line(text, "keyspace_misses", counters.keyspaceMisses());
    line(text, "total_error_replies", counters.errorReplies());
  }

  private static void replication(StringBuilder text) {
    text.append("# Replication\r\n");
    line(text, "role", "master");
    line(text, "connected_slaves", 0);
  }

  private static void keyspace(ServiceStats stats, StringBuilder text) {
    text.append("# Keyspace\r\n");
    if (stats.estimatedKeys() > 0) {
      line(text, "db0", "keys=" + stats.estimatedKeys());
    }
  }

  private static String join(List<?> values) {
    StringBuilder joined = new StringBuilder();
    for (Object value : values) {
      if (!joined.isEmpty()) {
        joined.append(',');
      }
      joined.append(value);
    }
    return joined.toString();
  }

  /** Redis' human-readable byte counts: 1.50K, 2.00M, ... */
  static String human(long bytes) {
    String[] units = {"B", "K", "M", "G", "T"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
  }
}
