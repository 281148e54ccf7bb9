package io.ringkv.server.cluster;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.MetadataResult;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.server.kv.KeyspaceAdmin;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.raft.RaftGroupException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Keyspace changes through the metadata log (docs/design/metadata-on-raft.md): a put or drop is a
 * {@link MetadataCommand.PutKeyspace} or {@link MetadataCommand.DropKeyspace} proposed through this
 * node's member of the metadata group, which forwards it to the leader; the future completes once
 * the leader applied it and this node's view has reached that epoch, so that the caller's next
 * request through this node sees the change.
 *
 * <p>Checked here, against this node's current metadata, before anything is proposed: the conflict
 * mode of an existing keyspace cannot change (its stored cells are of that mode), {@code default}
 * cannot be dropped, and a {@code default} the leader's upkeep would replace is refused (the upkeep
 * owns {@code default} only while it has the upkeep's shape; {@link
 * RaftMetadataService#automaticDefault}), and a new keyspace whose stored-key tag ({@link
 * KeyCodec#tag}) another keyspace has is refused naming both (the state machine refuses it too, so
 * that two racing creations cannot both land). Two operators racing to create one name with
 * different modes are not caught (the state machine takes the last put); the check is at the edge.
 *
 * <p>Failures ({@link KvException}): INVALID_REQUEST for the refusals above, a command the state
 * machine rejected, or gossip mode (whose metadata holds only {@code default}); NO_SUCH_KEYSPACE
 * for a drop of an unknown keyspace; UNAVAILABLE with no metadata leader or before the node
 * started; TIMEOUT when the outcome is unknown (the change may still be applied).
 *
 * <p>Thread-safe: holds no state of its own.
 */
final class ClusterKeyspaceAdmin implements KeyspaceAdmin {
  private final ClusterService cluster;

  ClusterKeyspaceAdmin(ClusterService cluster) {
    this.cluster = cluster;
  }

  @Override
  public List<Keyspace> keyspaces() {
    return List.copyOf(cluster.view().metadata().keyspaces().values());
  }

  @Override
  public CompletableFuture<Keyspace> put(Keyspace keyspace) {
    RaftMetadataService raft;
    try {
      raft = raft();
      check(keyspace, cluster.view().metadata());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    return apply(raft, new MetadataCommand.PutKeyspace(keyspace), keyspace.name())
        .thenApply(
            metadata ->
                metadata
                    .keyspace(keyspace.name())
                    .orElseThrow(
                        () ->
                            new KvException(
                                KvException.Kind.FAILED,
                                "keyspace '"
                                    + keyspace.name()
                                    + "' was applied but is gone again at epoch "
                                    + metadata.epoch()
                                    + " (dropped meanwhile)")));
  }

  @Override
  public CompletableFuture<Void> drop(String name) {
    RaftMetadataService raft;
    try {
      raft = raft();
      if (Keyspace.DEFAULT_NAME.equals(name)) {
        throw KvException.invalid(
            "keyspace 'default' cannot be dropped: requests that name no keyspace use it");
      }
      ClusterMetadata metadata = cluster.view().metadata();
      if (metadata.keyspace(name).isEmpty()) {
        throw noSuchKeyspace(name, metadata);
      }
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    return apply(raft, new MetadataCommand.DropKeyspace(name), name).thenApply(metadata -> null);
  }

  private RaftMetadataService raft() {
    if (!cluster.metadataOnRaft()) {
      throw KvException.invalid(
          "keyspaces can be changed only with cluster.metadata: raft; this cluster derives its"
              + " metadata from gossip, which holds only the default keyspace");
    }
    RaftMetadataService raft = cluster.raftMetadata();
    if (raft == null) {
      throw new KvException(
          KvException.Kind.UNAVAILABLE, "this node is starting: its metadata group is not up yet");
    }
    return raft;
  }

  /** The refusals made before proposing (see the class comment). */
  static void check(Keyspace keyspace, ClusterMetadata metadata) {
    Optional<Keyspace> existing = metadata.keyspace(keyspace.name());
    if (existing.isPresent() && existing.get().conflicts() != keyspace.conflicts()) {
      throw KvException.invalid(
          "keyspace '"
              + keyspace.name()
              + "' is conflicts: "
              + existing.get().conflicts().configName()
              + "; its conflict mode cannot change to "
              + keyspace.conflicts().configName()
              + " once created (its cells are of that mode): create another keyspace");
    }
    int tag = KeyCodec.tag(keyspace.name());
    for (String other : metadata.keyspaces().keySet()) {
      if (!other.equals(keyspace.name()) && KeyCodec.tag(other) == tag) {
        throw KvException.invalid(
            "keyspace '"
                + keyspace.name()
                + "' has the same stored-key tag ("
                + Integer.toUnsignedString(tag)
                + ", a hash of the name) as existing keyspace '"
                + other
                + "', so their keys would mix on disk: choose another name");
      }
    }
    if (RaftMetadataService.automaticDefault(keyspace, metadata.normalMemberCount())) {
      throw KvException.invalid(
          "keyspace 'default' with "
              + keyspace.replication()
              + " would be raised back to "
              + Keyspace.defaultKeyspace(metadata.normalMemberCount()).replication()
              + " by the metadata leader's upkeep (default follows the number of members while it"
              + " has its built-in levels): change its levels or sloppy quorum too, or keep the"
              + " replication factor");
    }
  }

  /** Proposes {@code command}, then waits until this node's view has the epoch it made. */
  private CompletableFuture<ClusterMetadata> apply(
      RaftMetadataService raft, MetadataCommand command, String name) {
    return raft.propose(command)
        .handle(
            (result, failure) -> {
              if (failure != null) {
                throw failure(failure, command);
              }
              return switch (result) {
                case MetadataResult.Applied applied -> applied.epoch();
                case MetadataResult.Unchanged unchanged -> unchanged.epoch();
                case MetadataResult.Rejected rejected ->
                    throw command instanceof MetadataCommand.DropKeyspace
                            && rejected.reason().startsWith("no keyspace")
                        ? new KvException(KvException.Kind.NO_SUCH_KEYSPACE, rejected.reason())
                        : KvException.invalid(
                            "keyspace '"
                                + name
                                + "': the metadata log refused "
                                + command
                                + ": "
                                + rejected.reason());
              };
            })
        .thenCompose(
            epoch ->
                cluster
                    .awaitEpoch(epoch)
                    .exceptionallyCompose(
                        failure ->
                            CompletableFuture.failedFuture(
                                new KvException(
                                    KvException.Kind.TIMEOUT,
                                    command
                                        + " was applied by the metadata leader at epoch "
                                        + epoch
                                        + ", but this node has not caught up with it: "
                                        + unwrap(failure)))));
  }

  private static KvException failure(Throwable failure, MetadataCommand command) {
    Throwable cause = unwrap(failure);
    if (cause instanceof KvException kv) {
      return kv;
    }
    if (cause instanceof RaftGroupException raft) {
      return switch (raft.reason()) {
        case NOT_LEADER, OVERLOADED, CLOSED ->
            new KvException(
                KvException.Kind.UNAVAILABLE,
                command
                    + " was not proposed: "
                    + raft.getMessage()
                    + " ("
                    + raft.reason()
                    + "); nothing was changed, retry later",
                raft);
        case TIMEOUT, LOST ->
            new KvException(
                KvException.Kind.TIMEOUT,
                command
                    + ": "
                    + raft.getMessage()
                    + "; it may or may not have been applied (see the keyspace list)",
                raft);
        case REFUSED -> KvException.invalid(command + " refused: " + raft.getMessage());
      };
    }
    if (cause instanceof TimeoutException) {
      return new KvException(
          KvException.Kind.TIMEOUT, command + " timed out; it may or may not have been applied");
    }
    return new KvException(
        KvException.Kind.FAILED, command + " failed: " + cause.getMessage(), cause);
  }

  private static KvException noSuchKeyspace(String name, ClusterMetadata metadata) {
    return new KvException(
        KvException.Kind.NO_SUCH_KEYSPACE,
        "no keyspace '"
            + name
            + "' at metadata epoch "
            + metadata.epoch()
            + " (keyspaces: "
            + String.join(", ", metadata.keyspaces().keySet())
            + ")");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
