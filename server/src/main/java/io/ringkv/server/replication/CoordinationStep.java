package io.ringkv.server.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.Effects;
import io.ringkv.cluster.replication.RangeScanCoordination;
import io.ringkv.cluster.replication.ReadCoordination;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.WriteCoordination;
import java.util.Set;

/**
 * One pure coordination handler behind one shape, so that the driver treats writes, reads and scan
 * pages alike: answers in, {@link Effects} out. Not thread-safe, like the handlers: the driver
 * holds the request's lock around every call.
 */
sealed interface CoordinationStep {

  Effects start();

  /** {@code from} answered; an answer of the wrong kind counts as a failure of {@code from}. */
  Effects onAnswer(NodeId from, ReplicaReply reply);

  Effects onFailed(NodeId from, String reason);

  Effects onTimeout();

  /** The speculative-retry delay passed (reads only). */
  default Effects onSpeculate() {
    return Effects.none();
  }

  /** True once nothing more is expected: the driver forgets the request. */
  boolean isFinished();

  /** A write. */
  record Write(WriteCoordination handler) implements CoordinationStep {
    @Override
    public Effects start() {
      return handler.start();
    }

    @Override
    public Effects onAnswer(NodeId from, ReplicaReply reply) {
      return reply instanceof ReplicaReply.Written
          ? handler.onWritten(from)
          : handler.onFailed(from, "answered a write with " + reply);
    }

    @Override
    public Effects onFailed(NodeId from, String reason) {
      return handler.onFailed(from, reason);
    }

    @Override
    public Effects onTimeout() {
      return handler.onTimeout();
    }

    @Override
    public boolean isFinished() {
      return handler.isFinished();
    }
  }

  /** A read (with its repair writes). */
  record Read(ReadCoordination handler) implements CoordinationStep {
    @Override
    public Effects start() {
      return handler.start();
    }

    @Override
    public Effects onAnswer(NodeId from, ReplicaReply reply) {
      return switch (reply) {
        case ReplicaReply.ReadResult result -> handler.onRead(from, result);
        case ReplicaReply.Written written -> handler.onWritten(from);
        case ReplicaReply.ScanResult scan -> handler.onFailed(from, "answered a read with a scan");
      };
    }

    @Override
    public Effects onFailed(NodeId from, String reason) {
      return handler.onFailed(from, reason);
    }

    @Override
    public Effects onTimeout() {
      return handler.onTimeout();
    }

    @Override
    public Effects onSpeculate() {
      return handler.onSpeculate();
    }

    @Override
    public boolean isFinished() {
      return handler.isFinished();
    }

    Set<NodeId> contacted() {
      return handler.contacted();
    }
  }

  /** One page of a scan. */
  record Scan(RangeScanCoordination handler) implements CoordinationStep {
    @Override
    public Effects start() {
      return handler.start();
    }

    @Override
    public Effects onAnswer(NodeId from, ReplicaReply reply) {
      return reply instanceof ReplicaReply.ScanResult result
          ? handler.onScanned(from, result)
          : handler.onFailed(from, "answered a scan with " + reply);
    }

    @Override
    public Effects onFailed(NodeId from, String reason) {
      return handler.onFailed(from, reason);
    }

    @Override
    public Effects onTimeout() {
      return handler.onTimeout();
    }

    @Override
    public boolean isFinished() {
      // A scan page needs nothing after its outcome: late answers are ignored.
      return handler.isDecided();
    }
  }
}
