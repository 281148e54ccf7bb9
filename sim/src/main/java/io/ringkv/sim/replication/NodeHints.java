package io.ringkv.sim.replication;

import io.ringkv.cluster.hints.HintBatch;
import io.ringkv.cluster.hints.HintConfig;
import io.ringkv.cluster.hints.HintDelivery;
import io.ringkv.cluster.hints.HintStats;
import io.ringkv.cluster.hints.HintStore;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.HintSink;
import io.ringkv.storage.Cell;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A process's hints: the real {@link HintStore} on the node's {@link FaultInjectingFileSystem} (so
 * a power loss drops what was not synced, per the node's durability) and the real {@link
 * HintDelivery} schedule. Opened when the process starts, from what the disk kept.
 *
 * <p>A killed process must let go of the store's directory lock, which the kernel would release;
 * the simulated file system releases locks only on a power loss, so {@link #abandon} closes the
 * store with every fsync failing, which releases the lock and makes nothing more durable. (Closing
 * still moves hints buffered in the process into the page cache, where a real kill would lose them:
 * kinder than reality for NONE and PERIODIC hints only.)
 *
 * <p>Not thread-safe: owned by its process on the simulation's one thread.
 */
final class NodeHints implements HintSink {
  private final HintStore store;
  private final HintDelivery delivery;
  private final FaultInjectingFileSystem fileSystem;

  private NodeHints(HintStore store, HintDelivery delivery, FaultInjectingFileSystem fileSystem) {
    this.store = store;
    this.delivery = delivery;
    this.fileSystem = fileSystem;
  }

  /** Opens (recovers) the hint store of {@code node} and a fresh delivery schedule. */
  static NodeHints open(ReplicaNode node, NodeSettings settings) throws IOException {
    HintConfig config =
        new HintConfig(
            settings.hintsEnabled(),
            settings.hintWindowMillis(),
            settings.hintBytesPerTargetMax(),
            settings.hintSegmentBytes(),
            settings.durability());
    HintStore store = HintStore.open(node.fileSystem(), ReplicaNode.HINTS_DIRECTORY, config);
    HintDelivery delivery =
        new HintDelivery(
            settings.hintThrottleBytesPerSecond(),
            settings.hintBatchBytesMax(),
            settings.hintRetryDelayNanos());
    return new NodeHints(store, delivery, node.fileSystem());
  }

  @Override
  public boolean store(NodeId target, byte[] key, Cell cell, long nowMillis) throws IOException {
    return store.store(target, key, cell, nowMillis);
  }

  /** The targets to send a batch to now. */
  List<NodeId> due(long nowNanos, Set<NodeId> up) {
    return delivery.due(nowNanos, up, store.targets());
  }

  /** The next batch for {@code target} (possibly empty, if its hints expired). */
  HintBatch peek(NodeId target, long nowMillis) throws IOException {
    return store.peek(target, delivery.batchBytesMax(), nowMillis);
  }

  void sent(HintBatch batch, long nowNanos) {
    delivery.sent(batch.target(), batch.bytes(), nowNanos);
  }

  void delivered(HintBatch batch) throws IOException {
    delivery.delivered(batch.target());
    store.delivered(batch);
  }

  void failed(NodeId target, long nowNanos) {
    delivery.failed(target, nowNanos);
  }

  /** The PERIODIC and NONE policies' sync of hints. */
  void sync() throws IOException {
    store.sync();
  }

  HintStats stats() {
    return store.stats();
  }

  /** The process was killed: let go of the store without making anything more durable. */
  void abandon() {
    fileSystem.failSyncs(true);
    try {
      store.close();
    } catch (IOException expected) {
      // Every fsync failed, as intended; the lock is released all the same.
    } finally {
      fileSystem.failSyncs(false);
    }
  }
}
