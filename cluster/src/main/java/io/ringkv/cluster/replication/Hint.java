package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.storage.Cell;
import java.util.Objects;

/** A write the coordinator must keep for {@code target}, which did not take it. */
public record Hint(NodeId target, byte[] key, Cell cell) {
  public Hint {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cell, "cell");
  }
}
