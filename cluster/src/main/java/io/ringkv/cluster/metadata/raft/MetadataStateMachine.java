package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Murmur3;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenAllocator;
import io.ringkv.common.Rng;
import io.ringkv.raft.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster metadata as a Raft state machine: applies {@link MetadataCommand}s, in log order, to
 * a {@link ClusterMetadata}, so that every member of the metadata group holds the same snapshot at
 * the same index.
 *
 * <p>Why commands and not finished members: a join's tokens are chosen here, on apply, with the
 * {@link TokenAllocator}, against the metadata as of the entry before. Two nodes that join at the
 * same time become two entries one after the other; the second one's allocation sees the first
 * one's (Joining members reserve their tokens), so their tokens cannot clash, which gossip, where
 * each node allocated against its own possibly stale view, could not promise.
 *
 * <p>Determinism (the {@link StateMachine} contract): the allocator's random draws come from an
 * {@link Rng} seeded with the member's name and the epoch, and its settings travel in the {@link
 * MetadataCommand.Join} command; nothing else but the metadata and the command is read. Every
 * member therefore computes the same metadata and the same {@link MetadataResult} for an entry, a
 * rejected one included.
 *
 * <p>Invariants: the epoch grows by exactly one per command that changes something, and not at all
 * for one that does not or is rejected; {@link #appliedIndex} grows by one per {@link #apply} or
 * {@link #skip}; no two members that are not Left share a token or a {@link RaftIds Raft id}.
 *
 * <p>Not thread-safe: driven by one thread (the node loop or the simulator). {@link #metadata()}
 * alone may be called from any thread: it returns the newest immutable snapshot.
 */
public final class MetadataStateMachine implements StateMachine {
  /** Hears of every new epoch this machine reaches, by a command or a restore. */
  @FunctionalInterface
  public interface Listener {
    void onChange(ClusterMetadata previous, ClusterMetadata current);
  }

  private static final Listener NOBODY = (previous, current) -> {};

  private final Listener listener;
  // Volatile so that another thread may read the newest snapshot (a server's request threads);
  // written only by the driving thread.
  private volatile ClusterMetadata metadata = ClusterMetadata.empty();
  private long appliedIndex;
  private MetadataResult lastResult;

  /** A machine at index 0 with empty metadata, telling {@code listener} of each change. */
  public MetadataStateMachine(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** A machine without a listener. */
  public MetadataStateMachine() {
    this(NOBODY);
  }

  /** The metadata as of {@link #appliedIndex()}. */
  public ClusterMetadata metadata() {
    return metadata;
  }

  /** The result of the last command applied, if any since this machine was made or restored. */
  public Optional<MetadataResult> lastResult() {
    return Optional.ofNullable(lastResult);
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    checkNext(index);
    appliedIndex = index;
    MetadataResult result;
    try {
      result = execute(MetadataCodec.decodeCommand(command));
    } catch (IllegalArgumentException e) {
      result =
          new MetadataResult.Rejected(metadata.epoch(), "undecodable command: " + e.getMessage());
    }
    lastResult = result;
    return MetadataCodec.encode(result);
  }

  /**
   * The result {@code command} would have against the current metadata, without applying it: what a
   * proposer checks before it proposes.
   */
  public MetadataResult dryRun(MetadataCommand command) {
    return next(metadata, command).result();
  }

  @Override
  public void skip(long index) {
    checkNext(index);
    appliedIndex = index;
  }

  @Override
  public byte[] snapshot() {
    return MetadataCodec.encode(metadata);
  }

  @Override
  public void restore(long index, byte[] snapshot) {
    if (index < 0) {
      throw new IllegalArgumentException("snapshot index must be >= 0, was " + index);
    }
    ClusterMetadata restored =
        snapshot.length == 0 ? ClusterMetadata.empty() : MetadataCodec.decodeSnapshot(snapshot);
    ClusterMetadata previous = metadata;
    metadata = restored;
    appliedIndex = index;
    lastResult = null;
    if (!restored.equals(previous)) {
      listener.onChange(previous, restored);
    }
  }

  private void checkNext(long index) {
    if (index != appliedIndex + 1) {
      throw new IllegalStateException(
          "metadata entry " + index + " is not the next after applied index " + appliedIndex);
    }
  }

  private MetadataResult execute(MetadataCommand command) {
    Outcome outcome = next(metadata, command);
    if (outcome.metadata() != metadata) {
      ClusterMetadata previous = metadata;
      metadata = outcome.metadata();
      listener.onChange(previous, metadata);
    }
    return outcome.result();
  }

  /** A command's next metadata and result. */
  private record Outcome(ClusterMetadata metadata, MetadataResult result) {}

  private static Outcome next(ClusterMetadata metadata, MetadataCommand command) {
    try {
      ClusterMetadata next = change(metadata, command);
      return next == metadata
          ? new Outcome(metadata, new MetadataResult.Unchanged(metadata.epoch()))
          : new Outcome(next, new MetadataResult.Applied(next.epoch()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return new Outcome(metadata, new MetadataResult.Rejected(metadata.epoch(), e.getMessage()));
    }
  }

  /** The metadata after {@code command}; the same object if it changes nothing. */
  private static ClusterMetadata change(ClusterMetadata metadata, MetadataCommand command) {
    return switch (command) {
      case MetadataCommand.Join join -> join(metadata, join);
      case MetadataCommand.SetStatus setStatus -> {
        Member member = require(metadata, setStatus.id());
        yield member.status() == setStatus.status()
            ? metadata
            : metadata.withStatus(setStatus.id(), setStatus.status());
      }
      case MetadataCommand.Leave leave -> {
        Member member = require(metadata, leave.id());
        yield switch (member.status()) {
          case NORMAL -> metadata.withStatus(leave.id(), Member.Status.LEAVING);
          case JOINING -> metadata.withStatus(leave.id(), Member.Status.LEFT);
          case LEAVING, LEFT -> metadata;
        };
      }
      case MetadataCommand.Remove remove -> {
        require(metadata, remove.id());
        yield metadata.withoutMember(remove.id());
      }
      case MetadataCommand.SetAddress setAddress -> {
        Member member = require(metadata, setAddress.id());
        yield metadata.withMember(member.withAddress(setAddress.address()));
      }
      case MetadataCommand.PutKeyspace put -> {
        requireOwnTag(metadata, put.keyspace().name());
        yield metadata.withKeyspace(put.keyspace());
      }
      case MetadataCommand.DropKeyspace drop -> metadata.withoutKeyspace(drop.name());
    };
  }

  private static ClusterMetadata join(ClusterMetadata metadata, MetadataCommand.Join join) {
    Optional<Member> existing = metadata.member(join.id());
    if (existing.isPresent() && existing.get().status() != Member.Status.LEFT) {
      Member member = existing.get();
      if (member.address().equals(join.address())
          && member.datacenter().equals(join.datacenter())
          && member.rack().equals(join.rack())
          && member.weight() == join.weight()) {
        return metadata; // a retried join: it is in already
      }
      throw new IllegalArgumentException(
          "member "
              + join.id()
              + " is already in the cluster as "
              + member.status()
              + " at "
              + member.address()
              + "; leave first to join with another address, place or weight");
    }
    long raftId = RaftIds.of(join.id());
    for (Member member : metadata.members().values()) {
      if (!member.id().equals(join.id()) && RaftIds.of(member.id()) == raftId) {
        throw new IllegalArgumentException(
            "member " + join.id() + " has the Raft id " + raftId + " of member " + member.id());
      }
    }
    Member joining =
        new Member(
            join.id(),
            join.address(),
            join.datacenter(),
            join.rack(),
            List.of(),
            Member.Status.JOINING,
            join.weight());
    TokenAllocator allocator =
        new TokenAllocator(join.tokensPerWeight(), join.allocationReplicationFactor());
    List<Token> tokens =
        allocator.allocate(metadata, joining, new Rng(allocationSeed(join.id(), metadata.epoch())));
    return metadata.withMember(joining.withTokens(tokens));
  }

  /** The seed of a join's allocation: a function of the joining name and the epoch only. */
  static long allocationSeed(NodeId id, long epoch) {
    long[] hash = Murmur3.hash128(id.value().getBytes(StandardCharsets.UTF_8));
    return hash[0] ^ (hash[1] * 31) ^ epoch;
  }

  /**
   * Refuses a new keyspace whose stored-key tag ({@link KeyCodec#tag}) another keyspace has: the
   * two would share their stored keys. Checked here too (and not only by the admin that proposes)
   * so that two racing proposals cannot both land.
   */
  private static void requireOwnTag(ClusterMetadata metadata, String name) {
    int tag = KeyCodec.tag(name);
    for (String other : metadata.keyspaces().keySet()) {
      if (!other.equals(name) && KeyCodec.tag(other) == tag) {
        throw new IllegalArgumentException(
            "keyspace '"
                + name
                + "' has the stored-key tag "
                + Integer.toUnsignedString(tag)
                + " of existing keyspace '"
                + other
                + "'; their keys would mix on disk: choose another name");
      }
    }
  }

  private static Member require(ClusterMetadata metadata, NodeId id) {
    return metadata
        .member(id)
        .orElseThrow(
            () ->
                new IllegalArgumentException("no member " + id + " at epoch " + metadata.epoch()));
  }
}
