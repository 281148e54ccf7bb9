package io.ringkv.cluster.metadata;

import java.util.Objects;

/**
 * One change to the cluster metadata, as data: what a node proposes to its {@link MetadataSource},
 * what a Raft log will hold as an entry, what a test replays. Applying a change to a snapshot gives
 * the next epoch (or the same snapshot when the change changes nothing).
 *
 * <p>Immutable values.
 */
public sealed interface MetadataChange {

  /** The snapshot this change makes of {@code metadata}. */
  ClusterMetadata applyTo(ClusterMetadata metadata);

  /** Adds a member, or replaces the member with its id (a join, a new address, new tokens). */
  record PutMember(Member member) implements MetadataChange {
    public PutMember {
      Objects.requireNonNull(member, "member");
    }

    @Override
    public ClusterMetadata applyTo(ClusterMetadata metadata) {
      return metadata.withMember(member);
    }
  }

  /** Moves a member to a new status (Joining to Normal, Normal to Leaving, Leaving to Left...). */
  record SetStatus(NodeId id, Member.Status status) implements MetadataChange {
    public SetStatus {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public ClusterMetadata applyTo(ClusterMetadata metadata) {
      return metadata.withStatus(id, status);
    }
  }

  /** Purges a member from the metadata altogether (after every node has seen it Left). */
  record RemoveMember(NodeId id) implements MetadataChange {
    public RemoveMember {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public ClusterMetadata applyTo(ClusterMetadata metadata) {
      return metadata.withoutMember(id);
    }
  }

  /** Creates a keyspace, or replaces the keyspace of its name. */
  record PutKeyspace(Keyspace keyspace) implements MetadataChange {
    public PutKeyspace {
      Objects.requireNonNull(keyspace, "keyspace");
    }

    @Override
    public ClusterMetadata applyTo(ClusterMetadata metadata) {
      return metadata.withKeyspace(keyspace);
    }
  }

  /** Drops a keyspace. */
  record DropKeyspace(String name) implements MetadataChange {
    public DropKeyspace {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public ClusterMetadata applyTo(ClusterMetadata metadata) {
      return metadata.withoutKeyspace(name);
    }
  }
}
