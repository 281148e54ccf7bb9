package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The placement ring: every token of a set of members, sorted, each with its owner and the owner's
 * datacenter and rack. Index {@code i} is the token {@code token(i)} and the range that ends at it,
 * {@code (token(i - 1), token(i)]} (the owner's primary range there).
 *
 * <p>Why its own type: replica placement walks the ring many times per request and per ownership
 * report, so the ring is built once per metadata epoch into flat sorted arrays ({@code long[]}
 * tokens, {@code int[]} owner indexes), which walk without boxing or map lookups.
 *
 * <p>Invariants: tokens strictly ascending (two members never share a token), never {@link
 * Token#MIN}; nodes sorted by id. Immutable and thread-safe.
 */
public final class TokenRing {
  /** The ring without tokens. */
  public static final TokenRing EMPTY = of(List.of());

  private final long[] tokens;
  private final int[] owners;
  private final NodeId[] nodes;
  private final String[] nodeDatacenters;
  private final String[] nodeRacks;
  private final SortedMap<String, Integer> nodesPerDatacenter;
  private final SortedMap<String, Integer> racksPerDatacenter;

  private TokenRing(
      long[] tokens, int[] owners, NodeId[] nodes, String[] nodeDatacenters, String[] nodeRacks) {
    this.tokens = tokens;
    this.owners = owners;
    this.nodes = nodes;
    this.nodeDatacenters = nodeDatacenters;
    this.nodeRacks = nodeRacks;
    TreeMap<String, Integer> nodeCounts = new TreeMap<>();
    TreeMap<String, TreeSet<String>> racks = new TreeMap<>();
    for (int i = 0; i < nodes.length; i++) {
      nodeCounts.merge(nodeDatacenters[i], 1, Integer::sum);
      racks.computeIfAbsent(nodeDatacenters[i], dc -> new TreeSet<>()).add(nodeRacks[i]);
    }
    TreeMap<String, Integer> rackCounts = new TreeMap<>();
    racks.forEach((dc, set) -> rackCounts.put(dc, set.size()));
    this.nodesPerDatacenter = Collections.unmodifiableSortedMap(nodeCounts);
    this.racksPerDatacenter = Collections.unmodifiableSortedMap(rackCounts);
  }

  /**
   * The ring of every token of {@code members}, whatever their status: the caller chooses who is on
   * it ({@code ClusterMetadata.ring()} takes the members that own ranges). Members without tokens
   * are left out.
   *
   * @throws IllegalArgumentException if two members hold the same token, or one member is given
   *     twice
   */
  public static TokenRing of(Collection<Member> members) {
    TreeMap<NodeId, Member> byId = new TreeMap<>();
    int tokenCount = 0;
    for (Member member : members) {
      if (member.tokens().isEmpty()) {
        continue;
      }
      if (byId.put(member.id(), member) != null) {
        throw new IllegalArgumentException("member " + member.id() + " is given twice");
      }
      tokenCount += member.tokens().size();
    }
    NodeId[] nodes = new NodeId[byId.size()];
    String[] datacenters = new String[nodes.length];
    String[] racks = new String[nodes.length];
    long[] packed = new long[tokenCount];
    long[] tokenValues = new long[tokenCount];
    int[] ownerOf = new int[tokenCount];
    int node = 0;
    int at = 0;
    for (Member member : byId.values()) {
      nodes[node] = member.id();
      datacenters[node] = member.datacenter();
      racks[node] = member.rack();
      for (Token token : member.tokens()) {
        tokenValues[at] = token.value();
        ownerOf[at] = node;
        at++;
      }
      node++;
    }
    // Sort token positions by token value; ties mean two members claim one token.
    Integer[] order = new Integer[tokenCount];
    for (int i = 0; i < tokenCount; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(tokenValues[a], tokenValues[b]));
    int[] owners = new int[tokenCount];
    for (int i = 0; i < tokenCount; i++) {
      packed[i] = tokenValues[order[i]];
      owners[i] = ownerOf[order[i]];
      if (i > 0 && packed[i] == packed[i - 1]) {
        throw new IllegalArgumentException(
            "token "
                + packed[i]
                + " is claimed by both "
                + nodes[owners[i - 1]]
                + " and "
                + nodes[owners[i]]);
      }
    }
    return new TokenRing(packed, owners, nodes, datacenters, racks);
  }

  /** The number of tokens on the ring. */
  public int size() {
    return tokens.length;
  }

  /** True if the ring has no tokens. */
  public boolean isEmpty() {
    return tokens.length == 0;
  }

  /** The token at {@code index}, in ascending order. */
  public Token token(int index) {
    return Token.of(tokens[index]);
  }

  /** The owner of the token at {@code index}. */
  public NodeId owner(int index) {
    return nodes[owners[index]];
  }

  /**
   * The range that ends at the token at {@code index}: {@code (token(index - 1), token(index)]}.
   */
  public TokenRange range(int index) {
    int previous = index == 0 ? tokens.length - 1 : index - 1;
    return new TokenRange(Token.of(tokens[previous]), Token.of(tokens[index]));
  }

  /**
   * The index of the first ring token at or after {@code token}, wrapping to 0 past the last one:
   * the index of the range that holds {@code token}.
   *
   * @throws IllegalStateException on an empty ring
   */
  public int rangeIndexOf(Token token) {
    if (tokens.length == 0) {
      throw new IllegalStateException("the ring has no tokens");
    }
    int found = Arrays.binarySearch(tokens, token.value());
    if (found >= 0) {
      return found;
    }
    int insertion = -found - 1;
    return insertion == tokens.length ? 0 : insertion;
  }

  /** The node whose primary range holds {@code token}. */
  public NodeId primaryOwner(Token token) {
    return owner(rangeIndexOf(token));
  }

  /** The members on the ring, sorted by id. */
  public List<NodeId> nodes() {
    return List.of(nodes);
  }

  /** The number of members on the ring. */
  public int nodeCount() {
    return nodes.length;
  }

  /** The datacenters of the members on the ring, sorted. */
  public SortedSet<String> datacenters() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(nodesPerDatacenter.keySet()));
  }

  /** The number of ring members in {@code datacenter} (0 if none). */
  public int nodeCount(String datacenter) {
    return nodesPerDatacenter.getOrDefault(datacenter, 0);
  }

  /** The number of distinct racks of the ring members in {@code datacenter} (0 if none). */
  public int rackCount(String datacenter) {
    return racksPerDatacenter.getOrDefault(datacenter, 0);
  }

  /** The datacenter of ring member {@code node}. */
  public String datacenter(NodeId node) {
    return nodeDatacenters[nodeIndex(node)];
  }

  /** The rack of ring member {@code node}. */
  public String rack(NodeId node) {
    return nodeRacks[nodeIndex(node)];
  }

  /** The tokens of ring member {@code node}, ascending (empty if it is not on the ring). */
  public List<Token> tokensOf(NodeId node) {
    int index = Arrays.binarySearch(nodes, node);
    if (index < 0) {
      return List.of();
    }
    List<Token> result = new ArrayList<>();
    for (int i = 0; i < tokens.length; i++) {
      if (owners[i] == index) {
        result.add(Token.of(tokens[i]));
      }
    }
    return List.copyOf(result);
  }

  /** The ring as a sorted map of token to owner, for display and tests. */
  public SortedMap<Token, NodeId> asMap() {
    TreeMap<Token, NodeId> map = new TreeMap<>();
    for (int i = 0; i < tokens.length; i++) {
      map.put(Token.of(tokens[i]), nodes[owners[i]]);
    }
    return Collections.unmodifiableSortedMap(map);
  }

  // --- flat access for placement and allocation in this package ---

  /** The owner of the token at {@code index} as an index into {@link #nodes()}. */
  int ownerIndex(int index) {
    return owners[index];
  }

  /** The raw token at {@code index}. */
  long tokenValue(int index) {
    return tokens[index];
  }

  /** The member at {@code nodeIndex} of {@link #nodes()}. */
  NodeId node(int nodeIndex) {
    return nodes[nodeIndex];
  }

  /** The datacenter of the member at {@code nodeIndex}. */
  String datacenterAt(int nodeIndex) {
    return nodeDatacenters[nodeIndex];
  }

  /** The rack of the member at {@code nodeIndex}. */
  String rackAt(int nodeIndex) {
    return nodeRacks[nodeIndex];
  }

  private int nodeIndex(NodeId node) {
    int index = Arrays.binarySearch(nodes, node);
    if (index < 0) {
      throw new IllegalArgumentException("node " + node + " is not on the ring");
    }
    return index;
  }

  @Override
  public String toString() {
    return "TokenRing{" + nodes.length + " nodes, " + tokens.length + " tokens}";
  }
}
