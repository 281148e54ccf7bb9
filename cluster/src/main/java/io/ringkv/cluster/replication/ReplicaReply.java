package io.ringkv.cluster.replication;

import io.ringkv.cluster.version.CausalCells;
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

  /**
   * The dot replica took a {@link ReplicaRequest.CausalUpdate}.
   *
   * @param cell the key's cell after it (a causal cell), stored durably per the fsync policy
   * @param duplicate an increment whose idempotency key was already applied: not applied again
   * @param changedMembers for a set add, how many of its distinct elements were absent before; for
   *     a set remove, how many were present and are gone after (Redis' SADD and SREM answers); 0
   *     for other operations
   */
  record CausalApplied(Cell cell, boolean duplicate, int changedMembers) implements ReplicaReply {
    public CausalApplied {
      java.util.Objects.requireNonNull(cell, "cell");
      if (changedMembers < 0) {
        throw new IllegalArgumentException("changedMembers must be >= 0, was " + changedMembers);
      }
    }

    /** An answer to an operation that is not a set write. */
    public CausalApplied(Cell cell, boolean duplicate) {
      this(cell, duplicate, 0);
    }
  }

  /**
   * The dot replica refused a {@link ReplicaRequest.CausalUpdate}; nothing changed.
   *
   * @param reason why (WRONGTYPE, the sibling cap, overflow, …)
   * @param message for the client
   */
  record CausalRefused(CausalCells.Refusal reason, String message) implements ReplicaReply {}
}
