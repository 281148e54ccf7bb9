package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataChange;
import io.ringkv.cluster.metadata.MetadataSource;
import io.ringkv.cluster.ring.TokenAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link MetadataSource} of a node in raft mode: {@link #current} is what the node's {@link
 * MetadataStateMachine} has applied from the metadata log, and {@link #propose} turns a {@link
 * MetadataChange} into a {@link MetadataCommand} and hands its bytes to a {@link Proposer} (the
 * node's Raft driver, which proposes on the leader or forwards to it). The change takes effect when
 * its entry commits and is applied, on every member alike.
 *
 * <p>Mapping changes to commands: a {@code PutMember} of a member that is new (or Left) is a {@link
 * MetadataCommand.Join} (the member's own tokens are ignored: the state machine chooses them, with
 * this source's allocation settings); of a known member, a new address is a {@link
 * MetadataCommand.SetAddress} and a new status a {@link MetadataCommand.SetStatus}; a new place,
 * weight or tokens is refused (leave and join again). The other changes map one to one. A change is
 * checked against {@link #current} first ({@link MetadataStateMachine#dryRun}): one that would be
 * rejected is refused at once with the state machine's reason; one that would change nothing is not
 * proposed.
 *
 * <p>Listeners hear of every epoch the state machine reaches, in order, on the thread that drives
 * it. Not thread-safe: owned by the node loop.
 */
public final class RaftMetadataSource implements MetadataSource {
  /** The most listeners one source holds: a bound, since subscribing twice is a leak. */
  public static final int LISTENERS_MAX = 32;

  /** Takes an encoded command to the metadata log. */
  @FunctionalInterface
  public interface Proposer {
    /**
     * Proposes {@code command}, or forwards it to the leader.
     *
     * @return false if it cannot now (no leader known, a full queue): back-pressure
     */
    boolean propose(byte[] command);
  }

  private final Proposer proposer;
  private final int tokensPerWeight;
  private final int allocationReplicationFactor;
  private final List<Listener> listeners = new ArrayList<>();
  private final MetadataStateMachine machine;

  /**
   * A source whose joins allocate {@code tokensPerWeight} tokens a weight unit, balanced for {@code
   * allocationReplicationFactor}.
   */
  public RaftMetadataSource(
      Proposer proposer, int tokensPerWeight, int allocationReplicationFactor) {
    this.proposer = Objects.requireNonNull(proposer, "proposer");
    new TokenAllocator(tokensPerWeight, allocationReplicationFactor); // checks both
    this.tokensPerWeight = tokensPerWeight;
    this.allocationReplicationFactor = allocationReplicationFactor;
    this.machine = new MetadataStateMachine(this::notifyListeners);
  }

  /** A source with the default allocation settings. */
  public RaftMetadataSource(Proposer proposer) {
    this(proposer, TokenAllocator.NUM_TOKENS_DEFAULT, TokenAllocator.REPLICATION_FACTOR_DEFAULT);
  }

  /** The state machine to hand to the Raft driver. */
  public MetadataStateMachine stateMachine() {
    return machine;
  }

  @Override
  public ClusterMetadata current() {
    return machine.metadata();
  }

  @Override
  public boolean propose(MetadataChange change) {
    for (MetadataCommand command : commands(change)) {
      if (!propose(command)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Proposes {@code command} after checking it against {@link #current}.
   *
   * @return false if the proposer cannot take it now
   * @throws IllegalArgumentException with the state machine's reason if it would be rejected
   */
  public boolean propose(MetadataCommand command) {
    MetadataResult result = machine.dryRun(command);
    if (result instanceof MetadataResult.Rejected rejected) {
      throw new IllegalArgumentException(rejected.reason());
    }
    if (result instanceof MetadataResult.Unchanged) {
      return true;
    }
    return proposer.propose(MetadataCodec.encode(command));
  }

  /** The commands that make {@code change} against {@link #current}. */
  List<MetadataCommand> commands(MetadataChange change) {
    ClusterMetadata metadata = current();
    return switch (change) {
      case MetadataChange.PutMember put -> {
        Member member = put.member();
        Member known = metadata.member(member.id()).orElse(null);
        if (known == null || known.status() == Member.Status.LEFT) {
          if (member.status() != Member.Status.JOINING) {
            throw new IllegalArgumentException(
                "member "
                    + member.id()
                    + " must join as JOINING, not "
                    + member.status()
                    + "; its tokens are chosen when its join is applied");
          }
          yield List.of(
              new MetadataCommand.Join(
                  member.id(),
                  member.address(),
                  member.datacenter(),
                  member.rack(),
                  member.weight(),
                  tokensPerWeight,
                  allocationReplicationFactor));
        }
        if (!known.datacenter().equals(member.datacenter())
            || !known.rack().equals(member.rack())
            || known.weight() != member.weight()
            || !known.tokens().equals(member.tokens())) {
          throw new IllegalArgumentException(
              "member "
                  + member.id()
                  + " cannot change its place, weight or tokens in place on the metadata log;"
                  + " it leaves and joins again");
        }
        List<MetadataCommand> commands = new ArrayList<>();
        if (!known.address().equals(member.address())) {
          commands.add(new MetadataCommand.SetAddress(member.id(), member.address()));
        }
        if (known.status() != member.status()) {
          commands.add(new MetadataCommand.SetStatus(member.id(), member.status()));
        }
        yield commands;
      }
      case MetadataChange.SetStatus setStatus ->
          List.of(new MetadataCommand.SetStatus(setStatus.id(), setStatus.status()));
      case MetadataChange.RemoveMember remove -> List.of(new MetadataCommand.Remove(remove.id()));
      case MetadataChange.PutKeyspace put ->
          List.of(new MetadataCommand.PutKeyspace(put.keyspace()));
      case MetadataChange.DropKeyspace drop ->
          List.of(new MetadataCommand.DropKeyspace(drop.name()));
    };
  }

  @Override
  public void subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    if (listeners.size() >= LISTENERS_MAX) {
      throw new IllegalStateException(
          "metadata source already has " + LISTENERS_MAX + " listeners, its limit");
    }
    listeners.add(listener);
  }

  private void notifyListeners(ClusterMetadata previous, ClusterMetadata current) {
    for (Listener listener : listeners) {
      listener.onEpoch(previous, current);
    }
  }
}
