package io.ringkv.cluster.metadata;

import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenRing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the cluster is at one epoch: its members (identity, address, datacenter and rack, tokens,
 * status, weight) and its keyspaces, with the placement ring derived from them. Cassandra's {@code
 * tcm/ClusterMetadata} is the model.
 *
 * <p>A snapshot never changes. A change produces a new snapshot whose epoch is this one's plus one
 * ({@link #withMember}, {@link #withoutMember}, {@link #withStatus}, {@link #withKeyspace}, {@link
 * #withoutKeyspace}, or a {@link MetadataChange} through {@link #apply}); a call that would change
 * nothing returns this snapshot, so the epoch counts real changes. Two snapshots with the same
 * epoch from one source are the same snapshot; comparing epochs is how a node tells the newer view.
 *
 * <p>Invariants, checked whenever a snapshot is made: the epoch is not negative; members and
 * keyspaces are keyed by their own id and name; no two members that are not {@code LEFT} claim one
 * token ({@code JOINING} members reserve theirs); at most {@link #MEMBERS_MAX} members and {@link
 * #KEYSPACES_MAX} keyspaces.
 *
 * <p>Members and keyspaces are sorted maps, so iteration, {@link #toString}, equality and anything
 * built from them are the same on every node. The ring ({@link #ring}) holds the tokens of the
 * members that own ranges ({@code NORMAL} and {@code LEAVING}); it is derived, so it takes no part
 * in equality.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClusterMetadata {
  /** The most members a cluster may have, Left ones included. */
  public static final int MEMBERS_MAX = 1024;

  /** The most keyspaces a cluster may have. */
  public static final int KEYSPACES_MAX = 256;

  private static final ClusterMetadata EMPTY =
      new ClusterMetadata(0, new TreeMap<>(), new TreeMap<>());

  private final long epoch;
  private final SortedMap<NodeId, Member> members;
  private final SortedMap<String, Keyspace> keyspaces;
  private final TokenRing ring;

  private ClusterMetadata(
      long epoch, TreeMap<NodeId, Member> members, TreeMap<String, Keyspace> keyspaces) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
    }
    if (members.size() > MEMBERS_MAX) {
      throw new IllegalArgumentException(
          "cluster has " + members.size() + " members; at most " + MEMBERS_MAX);
    }
    if (keyspaces.size() > KEYSPACES_MAX) {
      throw new IllegalArgumentException(
          "cluster has " + keyspaces.size() + " keyspaces; at most " + KEYSPACES_MAX);
    }
    List<Member> holders = new ArrayList<>();
    List<Member> owners = new ArrayList<>();
    for (Member member : members.values()) {
      if (member.status() != Member.Status.LEFT) {
        holders.add(member);
      }
      if (member.status().ownsRanges()) {
        owners.add(member);
      }
    }
    TokenRing.of(holders); // throws naming the token if two live members claim it
    this.epoch = epoch;
    this.members = Collections.unmodifiableSortedMap(members);
    this.keyspaces = Collections.unmodifiableSortedMap(keyspaces);
    this.ring = TokenRing.of(owners);
  }

  /** Epoch 0: no members, no keyspaces. */
  public static ClusterMetadata empty() {
    return EMPTY;
  }

  /**
   * A snapshot with exactly these contents, for a source that received or restored one (gossip, a
   * Raft snapshot, a file).
   *
   * @throws IllegalArgumentException if a member or keyspace is given twice, or an invariant fails
   */
  public static ClusterMetadata of(
      long epoch, Collection<Member> members, Collection<Keyspace> keyspaces) {
    TreeMap<NodeId, Member> memberMap = new TreeMap<>();
    for (Member member : members) {
      if (memberMap.put(member.id(), member) != null) {
        throw new IllegalArgumentException("member " + member.id() + " is given twice");
      }
    }
    TreeMap<String, Keyspace> keyspaceMap = new TreeMap<>();
    for (Keyspace keyspace : keyspaces) {
      if (keyspaceMap.put(keyspace.name(), keyspace) != null) {
        throw new IllegalArgumentException("keyspace " + keyspace.name() + " is given twice");
      }
    }
    return new ClusterMetadata(epoch, memberMap, keyspaceMap);
  }

  /** The number of changes that led to this snapshot. */
  public long epoch() {
    return epoch;
  }

  /** Every member, Left ones included, sorted by id. */
  public SortedMap<NodeId, Member> members() {
    return members;
  }

  /** The member {@code id}, if known. */
  public Optional<Member> member(NodeId id) {
    return Optional.ofNullable(members.get(id));
  }

  /** Every keyspace, sorted by name. */
  public SortedMap<String, Keyspace> keyspaces() {
    return keyspaces;
  }

  /** The keyspace {@code name}, if it exists. */
  public Optional<Keyspace> keyspace(String name) {
    return Optional.ofNullable(keyspaces.get(name));
  }

  /** The placement ring: the tokens of the Normal and Leaving members. */
  public TokenRing ring() {
    return ring;
  }

  /** The number of members in {@code NORMAL} status. */
  public int normalMemberCount() {
    int count = 0;
    for (Member member : members.values()) {
      if (member.status() == Member.Status.NORMAL) {
        count++;
      }
    }
    return count;
  }

  /**
   * The next epoch with {@code member} added, or replacing the member with its id. A replacement
   * may change anything but must respect the status transitions of {@link Member.Status#canBecome}.
   *
   * @throws IllegalArgumentException if the status transition is not allowed, or a token is taken
   */
  public ClusterMetadata withMember(Member member) {
    Member previous = members.get(member.id());
    if (member.equals(previous)) {
      return this;
    }
    if (previous != null) {
      checkTransition(previous, member.status());
    }
    TreeMap<NodeId, Member> next = new TreeMap<>(members);
    next.put(member.id(), member);
    return new ClusterMetadata(epoch + 1, next, new TreeMap<>(keyspaces));
  }

  /**
   * The next epoch without member {@code id} at all (purged, not {@code LEFT}).
   *
   * @throws IllegalArgumentException if there is no such member
   */
  public ClusterMetadata withoutMember(NodeId id) {
    requireMember(id);
    TreeMap<NodeId, Member> next = new TreeMap<>(members);
    next.remove(id);
    return new ClusterMetadata(epoch + 1, next, new TreeMap<>(keyspaces));
  }

  /**
   * The next epoch with member {@code id} in {@code status}.
   *
   * @throws IllegalArgumentException if there is no such member or the transition is not allowed
   */
  public ClusterMetadata withStatus(NodeId id, Member.Status status) {
    return withMember(requireMember(id).withStatus(status));
  }

  /**
   * The next epoch with member {@code id} holding {@code tokens}.
   *
   * @throws IllegalArgumentException if there is no such member or a token is taken
   */
  public ClusterMetadata withTokens(NodeId id, List<Token> tokens) {
    return withMember(requireMember(id).withTokens(tokens));
  }

  /** The next epoch with {@code keyspace} added, or replacing the keyspace of its name. */
  public ClusterMetadata withKeyspace(Keyspace keyspace) {
    if (keyspace.equals(keyspaces.get(keyspace.name()))) {
      return this;
    }
    TreeMap<String, Keyspace> next = new TreeMap<>(keyspaces);
    next.put(keyspace.name(), keyspace);
    return new ClusterMetadata(epoch + 1, new TreeMap<>(members), next);
  }

  /**
   * The next epoch without keyspace {@code name}.
   *
   * @throws IllegalArgumentException if there is no such keyspace
   */
  public ClusterMetadata withoutKeyspace(String name) {
    if (!keyspaces.containsKey(name)) {
      throw new IllegalArgumentException("no keyspace " + name + " at epoch " + epoch);
    }
    TreeMap<String, Keyspace> next = new TreeMap<>(keyspaces);
    next.remove(name);
    return new ClusterMetadata(epoch + 1, new TreeMap<>(members), next);
  }

  /** The snapshot {@code change} makes of this one. */
  public ClusterMetadata apply(MetadataChange change) {
    return change.applyTo(this);
  }

  private Member requireMember(NodeId id) {
    Member member = members.get(id);
    if (member == null) {
      throw new IllegalArgumentException("no member " + id + " at epoch " + epoch);
    }
    return member;
  }

  private static void checkTransition(Member previous, Member.Status next) {
    if (!previous.status().canBecome(next)) {
      throw new IllegalArgumentException(
          "member " + previous.id() + " cannot go from " + previous.status() + " to " + next);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClusterMetadata that
        && epoch == that.epoch
        && members.equals(that.members)
        && keyspaces.equals(that.keyspaces);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, members, keyspaces);
  }

  @Override
  public String toString() {
    return "ClusterMetadata{epoch="
        + epoch
        + ", members="
        + members.values()
        + ", keyspaces="
        + keyspaces.values()
        + "}";
  }
}
