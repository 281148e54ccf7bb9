package io.ringkv.cluster.replication;

import io.ringkv.storage.Cell;
import java.util.List;

/** A replica's answer to a {@link ReplicaRequest}. */
public sealed interface ReplicaReply {

  /** A write, stand-in write or batch is stored as durably as the replica's fsync policy says. */
  record Written() implements ReplicaReply {}

  /**
   * The answer to a read.
   *
   * @param cell the newest cell, tombstones and expired cells included; null when the replica has
   *     none, or when only the digest was asked for
   * @param digest {@link io.ringkv.cluster.version.Lww#digest} of the newest cell (0: none)
   */
  record ReadResult(Cell cell, long digest) implements ReplicaReply {}

  /**
   * The answer to a scan.
   *
   * @param cells the cells in stored-key order
   * @param exhausted true if the range holds nothing after the last cell
   */
  record ScanResult(List<KeyedCell> cells, boolean exhausted) implements ReplicaReply {
    public ScanResult {
      cells = List.copyOf(cells);
    }
  }
}
