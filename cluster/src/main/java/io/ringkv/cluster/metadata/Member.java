package io.ringkv.cluster.metadata;

import io.ringkv.cluster.ring.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One node as the cluster metadata knows it: identity, address, place (datacenter and rack),
 * tokens, where it is in its life ({@link Status}) and its capacity weight.
 *
 * <p>Invariants, checked on construction: tokens are held sorted and distinct, never the reserved
 * {@link Token#MIN}, at most {@link #TOKENS_MAX}; a member that owns ranges ({@code NORMAL}, {@code
 * LEAVING}) has at least one token; the weight is finite and in [{@link #WEIGHT_MIN}, {@link
 * #WEIGHT_MAX}].
 *
 * <p>Immutable value.
 *
 * @param id the node's identity
 * @param address where it listens
 * @param datacenter its datacenter (NetworkTopologyStrategy places replicas per datacenter)
 * @param rack its rack within the datacenter (replicas go to distinct racks first)
 * @param tokens its ring positions, sorted ascending
 * @param status where the node is in its life
 * @param weight its capacity relative to a standard node (1.0); it gets {@code round(num_tokens *
 *     weight)} tokens, and the allocator aims its ownership at its share of the total weight
 */
public record Member(
    NodeId id,
    Address address,
    String datacenter,
    String rack,
    List<Token> tokens,
    Status status,
    double weight) {

  /** The most tokens one member may hold (256 tokens a weight unit times a weight of 16). */
  public static final int TOKENS_MAX = 4096;

  /** The smallest weight: a node with 1/64 of a standard node's capacity. */
  public static final double WEIGHT_MIN = 1.0 / 64;

  /** The largest weight: a node with 64 times a standard node's capacity. */
  public static final double WEIGHT_MAX = 64.0;

  /** The datacenter of a node whose configuration names none (Cassandra's default too). */
  public static final String DEFAULT_DATACENTER = "dc1";

  /** The rack of a node whose configuration names none. */
  public static final String DEFAULT_RACK = "rack1";

  /**
   * Where a node is in its life. Transitions: {@code JOINING -> NORMAL | LEFT}, {@code NORMAL ->
   * LEAVING | LEFT}, {@code LEAVING -> NORMAL | LEFT} (a cancelled decommission), {@code LEFT ->
   * JOINING} (the same identity joins again). {@code NORMAL -> LEFT} is a forced removal.
   */
  public enum Status {
    /** Has reserved its tokens and is receiving data; owns no ranges yet. */
    JOINING,
    /** Owns its primary ranges and serves them. */
    NORMAL,
    /** Still owns its ranges while it hands them to others. */
    LEAVING,
    /** Gone; kept in the metadata so that every node learns it left. Owns nothing. */
    LEFT;

    /** True if a member in this status owns its ranges: it is on the placement ring. */
    public boolean ownsRanges() {
      return this == NORMAL || this == LEAVING;
    }

    /** True if a member may move from this status to {@code next} (or stay in it). */
    public boolean canBecome(Status next) {
      if (next == this) {
        return true;
      }
      return switch (this) {
        case JOINING -> next == NORMAL || next == LEFT;
        case NORMAL -> next == LEAVING || next == LEFT;
        case LEAVING -> next == NORMAL || next == LEFT;
        case LEFT -> next == JOINING;
      };
    }
  }

  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Names.check("datacenter", datacenter);
    Names.check("rack", rack);
    Objects.requireNonNull(status, "status");
    tokens = sortedDistinct(id, tokens);
    if (status.ownsRanges() && tokens.isEmpty()) {
      throw new IllegalArgumentException(
          "member " + id + " is " + status + " but has no tokens; it needs at least 1");
    }
    if (!(weight >= WEIGHT_MIN && weight <= WEIGHT_MAX)) {
      throw new IllegalArgumentException(
          "member "
              + id
              + " weight must be in ["
              + WEIGHT_MIN
              + ", "
              + WEIGHT_MAX
              + "], was "
              + weight);
    }
  }

  /** A joining member of weight 1 without tokens yet, in the default datacenter and rack. */
  public static Member joining(NodeId id, Address address) {
    return new Member(
        id, address, DEFAULT_DATACENTER, DEFAULT_RACK, List.of(), Status.JOINING, 1.0);
  }

  /** This member with {@code status}. */
  public Member withStatus(Status newStatus) {
    return new Member(id, address, datacenter, rack, tokens, newStatus, weight);
  }

  /** This member with {@code newTokens}. */
  public Member withTokens(List<Token> newTokens) {
    return new Member(id, address, datacenter, rack, newTokens, status, weight);
  }

  /** This member with {@code newAddress}. */
  public Member withAddress(Address newAddress) {
    return new Member(id, newAddress, datacenter, rack, tokens, status, weight);
  }

  /** This member in {@code newDatacenter} and {@code newRack}. */
  public Member withPlace(String newDatacenter, String newRack) {
    return new Member(id, address, newDatacenter, newRack, tokens, status, weight);
  }

  /** This member with {@code newWeight}. */
  public Member withWeight(double newWeight) {
    return new Member(id, address, datacenter, rack, tokens, status, newWeight);
  }

  private static List<Token> sortedDistinct(NodeId id, List<Token> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    if (tokens.size() > TOKENS_MAX) {
      throw new IllegalArgumentException(
          "member " + id + " has " + tokens.size() + " tokens; at most " + TOKENS_MAX);
    }
    List<Token> sorted = new ArrayList<>(tokens);
    sorted.sort(null);
    for (int i = 0; i < sorted.size(); i++) {
      Token token = Objects.requireNonNull(sorted.get(i), "token");
      if (token.isMinimum()) {
        throw new IllegalArgumentException(
            "member " + id + " token " + token + " is the reserved minimum token");
      }
      if (i > 0 && sorted.get(i - 1).equals(token)) {
        throw new IllegalArgumentException("member " + id + " lists token " + token + " twice");
      }
    }
    return List.copyOf(sorted);
  }

  @Override
  public String toString() {
    return id
        + " "
        + status
        + " "
        + datacenter
        + "/"
        + rack
        + " weight "
        + weight
        + " "
        + tokens.size()
        + " tokens @ "
        + address;
  }
}
