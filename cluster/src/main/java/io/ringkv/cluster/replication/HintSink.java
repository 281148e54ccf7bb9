package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.storage.Cell;
import java.io.IOException;

/** Where a node keeps hints: writes it holds for a replica that did not take them. */
@FunctionalInterface
public interface HintSink {

  /**
   * Stores a hint for {@code target} durably (per the node's fsync policy).
   *
   * @param nowMillis the node's wall clock, when the hint was written (its window starts then)
   * @return false if the hint was not kept (the target's hint bound is full, or hints are off); the
   *     write is then repair debt, and counted
   * @throws IOException if the hint could not be written
   */
  boolean store(NodeId target, byte[] key, Cell cell, long nowMillis) throws IOException;
}
