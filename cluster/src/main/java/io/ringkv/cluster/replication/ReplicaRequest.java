package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.storage.Cell;
import java.util.List;
import java.util.Objects;

/**
 * What a coordinator (or a hint sender) asks of a replica. Keys are stored keys: the token, the
 * keyspace tag, then the user key ({@link io.ringkv.cluster.ring.KeyCodec}), so a replica never
 * hashes. A replica answers each with a {@link ReplicaReply}, or fails (the transport's error): see
 * {@link LocalReplica} for what it does with each.
 */
public sealed interface ReplicaRequest {

  /** Keep {@code cell} under {@code key} if it wins over what the replica has (LWW). */
  record Write(byte[] key, Cell cell) implements ReplicaRequest {
    public Write {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(cell, "cell");
    }
  }

  /**
   * Sloppy quorum: the receiver stands in for {@code target}, which is down; it keeps the write as
   * a durable hint for {@code target} and hands it over when {@code target} is back. It answers
   * {@link ReplicaReply.Written} once the hint is stored.
   */
  record StandInWrite(NodeId target, byte[] key, Cell cell) implements ReplicaRequest {
    public StandInWrite {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(cell, "cell");
    }
  }

  /** Several writes at once (hint delivery): each is applied as a {@link Write}. */
  record WriteBatch(List<KeyedCell> cells) implements ReplicaRequest {
    public WriteBatch {
      cells = List.copyOf(cells);
    }
  }

  /** The newest cell of {@code key}, or only its digest ({@link io.ringkv.cluster.version.Lww}). */
  record Read(byte[] key, boolean digestOnly) implements ReplicaRequest {
    public Read {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * The newest cells, tombstones included, of stored keys in [{@code from}, {@code to}) in key
   * order, at most {@code limit}.
   *
   * @param from the first stored key (inclusive)
   * @param to the end (exclusive), or null for no end
   * @param limit at most this many cells, at least 1
   */
  record Scan(byte[] from, byte[] to, int limit) implements ReplicaRequest {
    public Scan {
      Objects.requireNonNull(from, "from");
      if (limit < 1) {
        throw new IllegalArgumentException("scan limit must be >= 1, was " + limit);
      }
    }
  }

  /**
   * Causal mode: apply {@code operation} to {@code key} as the dot replica (it assigns the dot from
   * its own state, under its key lock) and answer {@link ReplicaReply.CausalApplied} with the key's
   * new cell, or {@link ReplicaReply.CausalRefused}. The coordinator then sends that cell to the
   * other replicas as a {@link Write}, which they join (docs/design/causal.md).
   *
   * @param timestamp the coordinator's HLC stamp of the write
   */
  record CausalUpdate(byte[] key, CausalOperation operation, long timestamp)
      implements ReplicaRequest {
    public CausalUpdate {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operation, "operation");
    }
  }
}
