package io.ringkv.server.resp;

import io.ringkv.storage.Durability;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What INFO's server and persistence sections and CONFIG GET say about the node, given by the node
 * that wires the front end.
 *
 * @param version ringkv's version
 * @param nodeId this node's identifier
 * @param runId a random identifier of this process run (Redis' run_id; see {@link #randomRunId()})
 * @param tcpPort the configured port; 0 to report the port actually bound
 * @param startEpochMillis when the node started
 * @param dataDirectory where the node keeps its data
 * @param configFile the configuration file read at start, or "" if none
 * @param engine the storage engine kind ({@code lsm} or {@code rocksdb})
 * @param durability the fsync policy of writes
 */
public record RespServerInfo(
    String version,
    String nodeId,
    String runId,
    int tcpPort,
    long startEpochMillis,
    String dataDirectory,
    String configFile,
    String engine,
    Durability durability) {

  public RespServerInfo {
    if (version == null
        || nodeId == null
        || runId == null
        || dataDirectory == null
        || configFile == null
        || engine == null
        || durability == null) {
      throw new IllegalArgumentException("every field of RespServerInfo must be set");
    }
  }

  /** 40 random hex digits, like Redis' run_id. */
  public static String randomRunId() {
    byte[] bytes = new byte[20];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
