package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicationStrategy;
import io.ringkv.cluster.ring.TokenAllocator;
import java.util.Objects;

/**
 * One entry of the metadata log: a change to the cluster metadata as the {@link
 * MetadataStateMachine} applies it. Unlike a {@link io.ringkv.cluster.metadata.MetadataChange},
 * which states the result ("this member, with these tokens"), a command states the intent ("this
 * node joins") and the state machine works out the result on apply, against the metadata every
 * member has at that index. That is what makes concurrent joins safe: the second join's tokens are
 * chosen knowing the first one's.
 *
 * <p>Immutable values; the constructors check what can be checked without the metadata (names,
 * ranges), so that a decoded command is well formed.
 */
public sealed interface MetadataCommand {

  /** The member the command is about, or the keyspace's name for keyspace commands. */
  String subject();

  /** A command about one member: its subject is the member's id. */
  sealed interface MemberCommand extends MetadataCommand {
    NodeId id();

    @Override
    default String subject() {
      return id().value();
    }
  }

  /**
   * A node joins (or a Left node joins again): it becomes a {@code JOINING} member whose tokens the
   * state machine allocates with a {@link TokenAllocator} of these settings. The settings travel in
   * the command, so that every member allocates the same tokens whatever its own configuration.
   *
   * @param tokensPerWeight tokens of a node of weight 1 ({@code num_tokens}), 1 to {@link
   *     TokenAllocator#NUM_TOKENS_MAX}
   * @param allocationReplicationFactor the replication factor the allocator balances for
   */
  record Join(
      NodeId id,
      Address address,
      String datacenter,
      String rack,
      double weight,
      int tokensPerWeight,
      int allocationReplicationFactor)
      implements MemberCommand {
    public Join {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
      // Member's constructor holds the rules for the place and the weight: check them once there.
      new Member(id, address, datacenter, rack, java.util.List.of(), Member.Status.JOINING, weight);
      new TokenAllocator(tokensPerWeight, allocationReplicationFactor);
    }

    /** A join with the default allocation settings (16 tokens, balanced for RF 3). */
    public static Join of(
        NodeId id, Address address, String datacenter, String rack, double weight) {
      return new Join(
          id,
          address,
          datacenter,
          rack,
          weight,
          TokenAllocator.NUM_TOKENS_DEFAULT,
          TokenAllocator.REPLICATION_FACTOR_DEFAULT);
    }
  }

  /** Moves a member to {@code status} (Joining to Normal once it has its data, and so on). */
  record SetStatus(NodeId id, Member.Status status) implements MemberCommand {
    public SetStatus {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * A member starts to leave: a Normal member becomes Leaving (it hands its ranges over, then sets
   * itself Left); a Joining member, which owns nothing yet, becomes Left at once.
   */
  record Leave(NodeId id) implements MemberCommand {
    public Leave {
      Objects.requireNonNull(id, "id");
    }
  }

  /** Purges a member from the metadata, whatever its status (an operator's forced removal). */
  record Remove(NodeId id) implements MemberCommand {
    public Remove {
      Objects.requireNonNull(id, "id");
    }
  }

  /** A member now listens at {@code address} (it restarted with new ports or a new host). */
  record SetAddress(NodeId id, Address address) implements MemberCommand {
    public SetAddress {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
    }
  }

  /** Creates a keyspace, or replaces the keyspace of its name. */
  record PutKeyspace(Keyspace keyspace) implements MetadataCommand {
    public PutKeyspace {
      Objects.requireNonNull(keyspace, "keyspace");
    }

    /** The keyspace's replication, for readers of the log. */
    public ReplicationStrategy replication() {
      return keyspace.replication();
    }

    @Override
    public String subject() {
      return keyspace.name();
    }
  }

  /** Drops the keyspace {@code name}. */
  record DropKeyspace(String name) implements MetadataCommand {
    public DropKeyspace {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String subject() {
      return name;
    }
  }
}
