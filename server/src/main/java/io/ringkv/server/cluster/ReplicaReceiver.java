package io.ringkv.server.cluster;

import io.ringkv.server.internode.InternodeMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Takes the replication requests peers send this node (the replica side of the replication
 * service). Called on a transport event-loop thread; must not block: work that waits on an fsync
 * goes to other threads, and the future completes from there.
 */
@FunctionalInterface
public interface ReplicaReceiver {
  /** Carries out {@code replica} from {@code fromPeer}; completes with the answer to send back. */
  CompletableFuture<InternodeMessage> onReplica(String fromPeer, InternodeMessage.Replica replica);
}
