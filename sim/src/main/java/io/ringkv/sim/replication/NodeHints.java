package io.ringkv.sim.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.HintSink;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.storage.Cell;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A node's hints and their delivery schedule. INTERIM: an in-memory stand-in until the real
 * HintStore and HintDelivery land; kept on the node (it survives crashes) without modelling
 * durability.
 */
final class NodeHints implements HintSink {
  /** A batch in flight to its target. */
  record Batch(NodeId target, List<KeyedCell> cells, long bytes) {}

  private static final class TargetQueue {
    final ArrayDeque<KeyedCell> cells = new ArrayDeque<>();
    long bytes;
    boolean inFlight;
    long nextAttemptNanos = Long.MIN_VALUE;
  }

  private final NodeSettings settings;
  private final TreeMap<NodeId, TargetQueue> queues = new TreeMap<>();
  private long stored;
  private long delivered;
  private long dropped;

  NodeHints(NodeSettings settings) {
    this.settings = settings;
  }

  @Override
  public boolean store(NodeId target, byte[] key, Cell cell, long nowMillis) throws IOException {
    TargetQueue queue = queues.computeIfAbsent(target, t -> new TargetQueue());
    long size = size(key, cell);
    if (!settings.hintsEnabled() || queue.bytes + size > settings.hintBytesPerTargetMax()) {
      dropped++;
      return false;
    }
    queue.cells.addLast(new KeyedCell(key, cell));
    queue.bytes += size;
    stored++;
    return true;
  }

  /** Targets to send a batch to now: seen up, with hints, none in flight, not throttled. */
  List<NodeId> due(long nowNanos, Set<NodeId> up) {
    List<NodeId> due = new ArrayList<>();
    for (var entry : queues.entrySet()) {
      TargetQueue queue = entry.getValue();
      if (!queue.cells.isEmpty()
          && !queue.inFlight
          && up.contains(entry.getKey())
          && nowNanos >= queue.nextAttemptNanos) {
        due.add(entry.getKey());
      }
    }
    return due;
  }

  Batch peek(NodeId target, long nowNanos) {
    TargetQueue queue = queues.get(target);
    List<KeyedCell> cells = new ArrayList<>();
    long bytes = 0;
    for (KeyedCell cell : queue.cells) {
      long size = size(cell.key(), cell.cell());
      if (!cells.isEmpty() && bytes + size > settings.hintBatchBytesMax()) {
        break;
      }
      cells.add(cell);
      bytes += size;
    }
    queue.inFlight = true;
    queue.nextAttemptNanos =
        nowNanos + bytes * 1_000_000_000L / Math.max(1, settings.hintThrottleBytesPerSecond());
    return new Batch(target, cells, bytes);
  }

  void delivered(Batch batch) {
    TargetQueue queue = queues.get(batch.target());
    for (int i = 0; i < batch.cells().size(); i++) {
      queue.cells.removeFirst();
    }
    queue.bytes -= batch.bytes();
    queue.inFlight = false;
    delivered += batch.cells().size();
  }

  void failed(NodeId target, long nowNanos) {
    TargetQueue queue = queues.get(target);
    queue.inFlight = false;
    queue.nextAttemptNanos = nowNanos + settings.hintRetryDelayNanos();
  }

  /** A new process: nothing is in flight any more. */
  void processRestarted() {
    for (TargetQueue queue : queues.values()) {
      queue.inFlight = false;
      queue.nextAttemptNanos = Long.MIN_VALUE;
    }
  }

  long pendingBytes() {
    long bytes = 0;
    for (TargetQueue queue : queues.values()) {
      bytes += queue.bytes;
    }
    return bytes;
  }

  long pendingHints() {
    long count = 0;
    for (TargetQueue queue : queues.values()) {
      count += queue.cells.size();
    }
    return count;
  }

  long stored() {
    return stored;
  }

  long delivered() {
    return delivered;
  }

  long dropped() {
    return dropped;
  }

  private static long size(byte[] key, Cell cell) {
    return 32L + key.length + (cell.value() == null ? 0 : cell.value().length);
  }
}
