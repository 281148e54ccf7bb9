package io.ringkv.cluster.hints;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.KeyedCell;
import java.util.List;
import java.util.Objects;

/**
 * The oldest undelivered hints of one target, to send as a {@link
 * io.ringkv.cluster.replication.ReplicaRequest.WriteBatch}; hand it back to {@link
 * HintStore#delivered} once the target took it.
 *
 * @param target the node the hints are for
 * @param cells the hints, oldest first
 * @param bytes their size in the log (headers included), what a throttle should charge
 * @param position where the batch ends in the log (opaque)
 */
public record HintBatch(NodeId target, List<KeyedCell> cells, long bytes, HintPosition position) {
  public HintBatch {
    Objects.requireNonNull(target, "target");
    cells = List.copyOf(cells);
    Objects.requireNonNull(position, "position");
  }

  /** A batch with nothing to send. */
  static HintBatch empty(NodeId target) {
    return new HintBatch(target, List.of(), 0, HintPosition.NONE);
  }

  /** Whether there is nothing to send. */
  public boolean isEmpty() {
    return cells.isEmpty();
  }
}
