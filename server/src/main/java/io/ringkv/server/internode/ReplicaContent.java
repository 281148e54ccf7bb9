package io.ringkv.server.internode;

import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.version.CausalCodec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Content equality of replication messages, whose records hold byte arrays (keys) that records
 * compare by reference: two messages are equal when they would encode to the same bytes. For the
 * codec's round-trip tests and for logs; not on a hot path. Stateless.
 */
final class ReplicaContent {
  private ReplicaContent() {}

  static boolean equal(ReplicaRequest a, ReplicaRequest b) {
    return switch (a) {
      case ReplicaRequest.Write write ->
          b instanceof ReplicaRequest.Write other
              && Arrays.equals(write.key(), other.key())
              && write.cell().equals(other.cell());
      case ReplicaRequest.StandInWrite standIn ->
          b instanceof ReplicaRequest.StandInWrite other
              && standIn.target().equals(other.target())
              && Arrays.equals(standIn.key(), other.key())
              && standIn.cell().equals(other.cell());
      case ReplicaRequest.WriteBatch batch ->
          b instanceof ReplicaRequest.WriteBatch other && equal(batch.cells(), other.cells());
      case ReplicaRequest.Read read ->
          b instanceof ReplicaRequest.Read other
              && read.digestOnly() == other.digestOnly()
              && Arrays.equals(read.key(), other.key());
      case ReplicaRequest.Scan scan ->
          b instanceof ReplicaRequest.Scan other
              && scan.limit() == other.limit()
              && Arrays.equals(scan.from(), other.from())
              && Arrays.equals(scan.to(), other.to());
      case ReplicaRequest.CausalUpdate update ->
          b instanceof ReplicaRequest.CausalUpdate other
              && update.timestamp() == other.timestamp()
              && Arrays.equals(update.key(), other.key())
              && Arrays.equals(
                  CausalCodec.encodeOperation(update.operation()),
                  CausalCodec.encodeOperation(other.operation()));
    };
  }

  static boolean equal(ReplicaReply a, ReplicaReply b) {
    return switch (a) {
      case ReplicaReply.Written written -> b instanceof ReplicaReply.Written;
      case ReplicaReply.ReadResult read ->
          b instanceof ReplicaReply.ReadResult other
              && read.digest() == other.digest()
              && Objects.equals(read.cell(), other.cell());
      case ReplicaReply.ScanResult scan ->
          b instanceof ReplicaReply.ScanResult other
              && scan.exhausted() == other.exhausted()
              && equal(scan.cells(), other.cells());
      case ReplicaReply.CausalApplied applied ->
          b instanceof ReplicaReply.CausalApplied other
              && applied.duplicate() == other.duplicate()
              && applied.changedMembers() == other.changedMembers()
              && applied.cell().equals(other.cell());
      case ReplicaReply.CausalRefused refused -> refused.equals(b);
    };
  }

  static int hash(ReplicaRequest request) {
    return switch (request) {
      case ReplicaRequest.Write write ->
          Arrays.hashCode(write.key()) * 31 + write.cell().hashCode();
      case ReplicaRequest.StandInWrite standIn ->
          Arrays.hashCode(standIn.key()) * 31 + standIn.target().hashCode();
      case ReplicaRequest.WriteBatch batch -> batch.cells().size();
      case ReplicaRequest.Read read -> Arrays.hashCode(read.key());
      case ReplicaRequest.Scan scan -> Arrays.hashCode(scan.from()) * 31 + scan.limit();
      case ReplicaRequest.CausalUpdate update ->
          Arrays.hashCode(update.key()) * 31 + Long.hashCode(update.timestamp());
    };
  }

  static int hash(ReplicaReply reply) {
    return switch (reply) {
      case ReplicaReply.Written written -> 1;
      case ReplicaReply.ReadResult read -> Long.hashCode(read.digest());
      case ReplicaReply.ScanResult scan -> scan.cells().size();
      case ReplicaReply.CausalApplied applied -> applied.cell().hashCode();
      case ReplicaReply.CausalRefused refused -> refused.hashCode();
    };
  }

  private static boolean equal(List<KeyedCell> a, List<KeyedCell> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i).key(), b.get(i).key())
          || !a.get(i).cell().equals(b.get(i).cell())) {
        return false;
      }
    }
    return true;
  }
}
