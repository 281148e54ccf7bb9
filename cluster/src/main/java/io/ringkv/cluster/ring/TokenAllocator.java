package io.ringkv.cluster.ring;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.Rng;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses a joining node's tokens so that ownership stays balanced as nodes join, with more tokens
 * and a larger share for bigger nodes. In the spirit of Cassandra's {@code
 * allocate_tokens_for_local_replication_factor} (Branimir Lambov's replication-aware allocator,
 * CASSANDRA-7032): existing tokens never move, and the new ones go where they best even out what
 * the nodes of the datacenter replicate.
 *
 * <p>Counts. A node of weight {@code w} gets {@code round(numTokens * w)} tokens (at least 1).
 *
 * <p>The first node of a datacenter gets evenly spaced tokens from a random offset. A later node
 * places its tokens greedily, one by one, then improves them by coordinate descent: {@link
 * #REFINE_PASSES} times, each of its tokens is taken off the ring and placed again where it is best
 * given all the others (the greedy pass alone leaves max/min ownership near 1.3 at 20 nodes; the
 * refinement brings it under 1.1).
 *
 * <p>Placing one token. A candidate token inside a range splits it at offset {@code x}. Moving the
 * split moves only the new token's primary range, so the change of the objective is exactly a
 * quadratic in {@code x}: each range's best {@code x} comes in closed form, and the range whose
 * best is lowest wins. The objective, to minimise, is
 *
 * <pre>
 *   sum over nodes n:  (w_n / W) * (own_n / target_n - 1)^2                      (balance)
 *   + PRIMARY_WEIGHT     * sum over nodes n: (w_n / W) * (prim_n / ptarget_n - 1)^2
 *   + EVEN_RANGES_WEIGHT * (K * sum over ranges r: len_r^2 - 1)
 * </pre>
 *
 * <ul>
 *   <li>{@code own_n}: node {@code n}'s effective ownership under SimpleStrategy with the
 *       configured replication factor, inside the datacenter (RF capped at its number of nodes);
 *       {@code target_n} its weight's share of RF x 100%, capped at 100% per node (water-filling).
 *       The effect of a new token on the replica sets of the up to RF - 1 ranges before it (the new
 *       node joins them and pushes their last replica out) is counted exactly.
 *   <li>{@code prim_n}, {@code ptarget_n}: the same for primary ownership (RF 1). Without it, the
 *       first RF nodes, which all own everything whatever their tokens, would split the ring
 *       unevenly ({@code ringkv status} would show 37/37/25%), and later nodes would inherit it.
 *   <li>The last term is the relative variance of range lengths ({@code K} tokens after the join).
 *       Small, it breaks ties toward splitting long ranges and keeps the quadratic strictly convex.
 * </ul>
 *
 * <p>The weights of the terms were chosen by measurement (docs/design/ring.md): with 16 tokens and
 * RF 3, up to 40 nodes joining one by one keep max/min ownership under about 1.1, primary and
 * effective, where random tokens give 1.9 (effective) to 3 (primary).
 *
 * <p>Randomness: the first node's offset, and the range each step starts scanning from (which
 * decides exact ties), both from the {@link Rng} passed in; the same ring, node, weight and seed
 * always give the same tokens (Java's floating point is deterministic).
 *
 * <p>Not handled: racks (NetworkTopologyStrategy's distinct-racks rule changes replica sets when a
 * datacenter has several racks; the allocator balances as if it had one), and moving existing
 * tokens (a join never moves data between old nodes). Cost per join: {@code (1 + REFINE_PASSES) x
 * tokens} steps, each a scan of every range with a walk of about RF tokens: milliseconds for
 * hundreds of nodes.
 *
 * <p>Immutable configuration; each call works on its own copy of the ring. Thread-safe.
 */
public final class TokenAllocator {
  /** Tokens per node of weight 1 unless configured: Cassandra 4's default, with allocation. */
  public static final int NUM_TOKENS_DEFAULT = 16;

  /** The most tokens per node of weight 1. */
  public static final int NUM_TOKENS_MAX = 256;

  /** The replication factor the allocator balances for unless configured. */
  public static final int REPLICATION_FACTOR_DEFAULT = 3;

  /** The weight of the primary-ownership balance term against the effective-ownership one. */
  static final double PRIMARY_WEIGHT = 0.5;

  /** The weight of the even-ranges term against the effective-ownership balance term. */
  static final double EVEN_RANGES_WEIGHT = 0.01;

  /** Rounds of re-placing each new token once all are placed (coordinate descent). */
  static final int REFINE_PASSES = 4;

  private static final double RING = 0x1.0p64;
  private static final double SLIVER = 0x1.0p-64;

  private final int numTokens;
  private final int replicationFactor;

  /**
   * An allocator giving {@code numTokens} tokens to a node of weight 1 and balancing ownership for
   * {@code replicationFactor} replicas.
   */
  public TokenAllocator(int numTokens, int replicationFactor) {
    if (numTokens < 1 || numTokens > NUM_TOKENS_MAX) {
      throw new IllegalArgumentException(
          "num_tokens must be in [1, " + NUM_TOKENS_MAX + "], was " + numTokens);
    }
    ReplicationStrategy.checkReplicationFactor("allocation replication factor", replicationFactor);
    this.numTokens = numTokens;
    this.replicationFactor = replicationFactor;
  }

  /** The allocator with the defaults: 16 tokens, balanced for RF 3. */
  public static TokenAllocator defaults() {
    return new TokenAllocator(NUM_TOKENS_DEFAULT, REPLICATION_FACTOR_DEFAULT);
  }

  /** The number of tokens a node of {@code weight} gets: round(numTokens x weight), at least 1. */
  public int tokenCount(double weight) {
    checkWeight("weight", weight);
    long count = Math.round(numTokens * weight);
    return (int) Math.max(1, Math.min(Member.TOKENS_MAX, count));
  }

  /**
   * Tokens for {@code joining} (its id, datacenter and weight are used; its own tokens ignored),
   * balanced against the members of its datacenter in {@code metadata} that are not Left (Joining
   * ones included, so that two nodes joining at once do not collide).
   */
  public List<Token> allocate(ClusterMetadata metadata, Member joining, Rng rng) {
    List<Member> peers = new ArrayList<>();
    TreeMap<NodeId, Double> weights = new TreeMap<>();
    for (Member member : metadata.members().values()) {
      if (member.id().equals(joining.id())
          || member.status() == Member.Status.LEFT
          || !member.datacenter().equals(joining.datacenter())
          || member.tokens().isEmpty()) {
        continue;
      }
      peers.add(member);
      weights.put(member.id(), member.weight());
    }
    List<Long> elsewhere = new ArrayList<>();
    for (Member member : metadata.members().values()) {
      if (member.status() != Member.Status.LEFT
          && !member.id().equals(joining.id())
          && !member.datacenter().equals(joining.datacenter())) {
        member.tokens().forEach(token -> elsewhere.add(token.value()));
      }
    }
    long[] reserved = elsewhere.stream().mapToLong(Long::longValue).sorted().toArray();
    return allocate(TokenRing.of(peers), weights, joining.id(), joining.weight(), rng, reserved);
  }

  /**
   * Tokens for {@code node} of {@code weight} joining {@code ring}, sorted.
   *
   * @param ring the ring to balance against (one datacenter's nodes); must not hold {@code node}
   * @param weights the weight of every node on {@code ring}
   * @throws IllegalArgumentException if {@code node} is on the ring or a weight is missing or out
   *     of range
   */
  public List<Token> allocate(
      TokenRing ring, Map<NodeId, Double> weights, NodeId node, double weight, Rng rng) {
    return allocate(ring, weights, node, weight, rng, new long[0]);
  }

  /** As above, never choosing a token of {@code reserved} (sorted: other datacenters' tokens). */
  List<Token> allocate(
      TokenRing ring,
      Map<NodeId, Double> weights,
      NodeId node,
      double weight,
      Rng rng,
      long[] reserved) {
    checkWeight("weight of " + node, weight);
    int count = tokenCount(weight);
    if (ring.isEmpty()) {
      return evenlySpaced(count, rng, reserved);
    }
    if (ring.tokensOf(node).size() > 0) {
      throw new IllegalArgumentException("node " + node + " is already on the ring");
    }
    double[] nodeWeights = new double[ring.nodeCount() + 1];
    for (int i = 0; i < ring.nodeCount(); i++) {
      Double w = weights.get(ring.node(i));
      if (w == null) {
        throw new IllegalArgumentException("no weight for ring member " + ring.node(i));
      }
      checkWeight("weight of " + ring.node(i), w);
      nodeWeights[i] = w;
    }
    nodeWeights[ring.nodeCount()] = weight;
    Allocation allocation = new Allocation(ring, nodeWeights, replicationFactor, count, reserved);
    long[] placed = new long[count];
    for (int i = 0; i < count; i++) {
      placed[i] = allocation.placeNext(rng);
    }
    for (int pass = 0; pass < REFINE_PASSES; pass++) {
      for (int i = 0; i < count; i++) {
        allocation.remove(placed[i]);
        placed[i] = allocation.placeNext(rng);
      }
    }
    List<Token> tokens = new ArrayList<>(count);
    for (long token : placed) {
      tokens.add(Token.of(token));
    }
    tokens.sort(null);
    return List.copyOf(tokens);
  }

  /**
   * {@code count} tokens 2^64 / count apart from a random offset, none the reserved minimum or in
   * {@code reserved}.
   */
  static List<Token> evenlySpaced(int count, Rng rng, long[] reserved) {
    long step = Long.divideUnsigned(-1L, count);
    long offset = rng.nextLong();
    while (true) {
      List<Token> tokens = new ArrayList<>(count);
      boolean hitsMinimum = false;
      for (int i = 0; i < count; i++) {
        long token = offset + i * step;
        hitsMinimum |= token == Long.MIN_VALUE || Arrays.binarySearch(reserved, token) >= 0;
        tokens.add(Token.of(token));
      }
      if (!hitsMinimum) {
        tokens.sort(null);
        return List.copyOf(tokens);
      }
      offset++;
    }
  }

  private static void checkWeight(String field, double weight) {
    if (!(weight >= Member.WEIGHT_MIN && weight <= Member.WEIGHT_MAX)) {
      throw new IllegalArgumentException(
          field
              + " must be in ["
              + Member.WEIGHT_MIN
              + ", "
              + Member.WEIGHT_MAX
              + "], was "
              + weight);
    }
  }

  /**
   * The working ring of one allocation: flat sorted arrays that grow by one token per step, the
   * replica sets of every range under SimpleStrategy with the effective replication factor, and
   * each node's ownership. The joining node is the last node index.
   */
  static final class Allocation {
    private long[] tokens;
    private int[] owners;
    private int size;
    private final int nodeCount;
    private final int joining;
    private final int replicas;
    private final double[] weight;
    private final double[] target;
    private final double[] primaryTarget;
    private final double[] primaryOwned;
    private final double totalWeight;
    private final double tokensAfter;

    // Per step: replica sets of each range (flattened, `replicas` slots each) and ownership.
    private int[] replicaSets;
    private int[] replicaCounts;
    private final double[] owned;

    // Scratch for evaluating one candidate.
    private final double[] delta;
    private final int[] slope;
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;
    private final boolean[] inSet;
    private final long[] reserved;
    private final double[] quadratic = new double[3];

    Allocation(
        TokenRing ring,
        double[] nodeWeights,
        int replicationFactor,
        int newTokens,
        long[] reserved) {
      this.reserved = reserved;
      this.size = ring.size();
      this.tokens = new long[size + newTokens];
      this.owners = new int[size + newTokens];
      for (int i = 0; i < size; i++) {
        tokens[i] = ring.tokenValue(i);
        owners[i] = ring.ownerIndex(i);
      }
      this.nodeCount = nodeWeights.length;
      this.joining = nodeCount - 1;
      this.replicas = Math.min(replicationFactor, nodeCount);
      this.weight = nodeWeights;
      this.totalWeight = Arrays.stream(nodeWeights).sum();
      this.target = waterFill(nodeWeights, replicas);
      this.primaryTarget = waterFill(nodeWeights, 1);
      this.primaryOwned = new double[nodeCount];
      this.tokensAfter = size + newTokens;
      this.owned = new double[nodeCount];
      this.delta = new double[nodeCount];
      this.slope = new int[nodeCount];
      this.touched = new boolean[nodeCount];
      this.touchedList = new int[nodeCount];
      this.inSet = new boolean[nodeCount];
    }

    /**
     * Targets proportional to weight summing to {@code replicas}, none above 1 (a node cannot own
     * more than the whole ring): cap the heaviest at 1 and share the rest among the others.
     */
    private static double[] waterFill(double[] weights, int replicas) {
      Integer[] byWeight = new Integer[weights.length];
      for (int i = 0; i < weights.length; i++) {
        byWeight[i] = i;
      }
      Arrays.sort(byWeight, (a, b) -> Double.compare(weights[b], weights[a]));
      double[] targets = new double[weights.length];
      double share = replicas;
      double weightLeft = Arrays.stream(weights).sum();
      for (int at = 0; at < byWeight.length; at++) {
        int node = byWeight[at];
        double proportional = share * weights[node] / weightLeft;
        if (proportional >= 1.0) {
          targets[node] = 1.0;
          share -= 1.0;
          weightLeft -= weights[node];
        } else {
          for (int rest = at; rest < byWeight.length; rest++) {
            targets[byWeight[rest]] = share * weights[byWeight[rest]] / weightLeft;
          }
          break;
        }
      }
      return targets;
    }

    /** Chooses, inserts and returns the next token of the joining node. */
    long placeNext(Rng rng) {
      computeReplicaSets();
      int start = rng.nextInt(size);
      int bestRange = -1;
      double bestChange = Double.POSITIVE_INFINITY;
      double bestOffset = 0;
      for (int step = 0; step < size; step++) {
        int range = (start + step) % size;
        long width = width(range);
        if (width != 0 && Long.compareUnsigned(width, 2) < 0) {
          continue; // no room for a token strictly inside
        }
        double length = lengthOf(range);
        quadratic(range);
        double a = quadratic[0];
        double b = quadratic[1];
        double x = Math.max(SLIVER, Math.min(length - SLIVER, -b / (2 * a)));
        double change = a * x * x + b * x + quadratic[2];
        if (change < bestChange) {
          bestChange = change;
          bestRange = range;
          bestOffset = x / length;
        }
      }
      if (bestRange < 0) {
        throw new IllegalStateException("no room left on the ring for another token");
      }
      long token = tokenInside(bestRange, bestOffset);
      insert(bestRange, token);
      return token;
    }

    /**
     * Fills {@link #quadratic} with {a, b, c}: the objective changes by {@code a x^2 + b x + c}
     * when a new token of the joining node splits range {@code range} leaving {@code x} (a fraction
     * of the ring) to the new token. Needs {@link #computeReplicaSets} to be current.
     */
    void quadratic(int range) {
      double length = lengthOf(range);
      evaluate(range);
      double a = 2 * EVEN_RANGES_WEIGHT * tokensAfter;
      double b = -2 * EVEN_RANGES_WEIGHT * tokensAfter * length;
      double c = 0;
      for (int t = 0; t < touchedCount; t++) {
        int node = touchedList[t];
        double coefficient = weight[node] / (totalWeight * target[node] * target[node]);
        double base = owned[node] + delta[node] - target[node];
        double before = owned[node] - target[node];
        a += coefficient * slope[node] * slope[node];
        b += 2 * coefficient * slope[node] * base;
        c += coefficient * (base * base - before * before);
      }
      clearScratch();
      // Primary ownership: the range's owner gives x to the joining node.
      int loser = owners[range];
      if (loser != joining) {
        double loserCoefficient = primaryCoefficient(loser);
        double joiningCoefficient = primaryCoefficient(joining);
        a += loserCoefficient + joiningCoefficient;
        b -= 2 * loserCoefficient * (primaryOwned[loser] - primaryTarget[loser]);
        b += 2 * joiningCoefficient * (primaryOwned[joining] - primaryTarget[joining]);
      }
      quadratic[0] = a;
      quadratic[1] = b;
      quadratic[2] = c;
    }

    private double primaryCoefficient(int node) {
      return PRIMARY_WEIGHT
          * weight[node]
          / (totalWeight * primaryTarget[node] * primaryTarget[node]);
    }

    /**
     * The objective computed from scratch on the working ring (for tests: the change {@link
     * #quadratic} predicts must be the difference of two of these).
     */
    double objective() {
      computeReplicaSets();
      double total = 0;
      double squares = 0;
      for (int node = 0; node < nodeCount; node++) {
        double share = weight[node] / totalWeight;
        double effective = owned[node] / target[node] - 1;
        double primary = primaryOwned[node] / primaryTarget[node] - 1;
        total += share * effective * effective + PRIMARY_WEIGHT * share * primary * primary;
      }
      for (int range = 0; range < size; range++) {
        double length = lengthOf(range);
        squares += length * length;
      }
      return total + EVEN_RANGES_WEIGHT * (tokensAfter * squares - 1);
    }

    /** Puts a token of the joining node at {@code fraction} of range {@code range}; for tests. */
    long insertAt(int range, double fraction) {
      long token = tokenInside(range, fraction);
      insert(range, token);
      return token;
    }

    /** The coefficients {@link #quadratic} filled in last; for tests. */
    double[] quadraticForTest() {
      return quadratic.clone();
    }

    /** The number of tokens on the working ring. */
    int size() {
      return size;
    }

    /** The length of range {@code range} as a fraction of the ring. */
    double lengthOf(int range) {
      long width = width(range);
      return width == 0 ? 1.0 : TokenRange.unsignedToDouble(width) / RING;
    }

    /** The token at {@code fraction} of range {@code range}, strictly inside it, never MIN. */
    private long tokenInside(int range, double fraction) {
      long width = width(range);
      BigInteger exactWidth =
          width == 0 ? BigInteger.ONE.shiftLeft(64) : new BigInteger(Long.toUnsignedString(width));
      long offset =
          new BigDecimal(fraction).multiply(new BigDecimal(exactWidth)).toBigInteger().longValue();
      long last = width - 1; // unsigned; 2^64 - 1 for the full ring
      if (offset == 0) {
        offset = 1;
      }
      if (Long.compareUnsigned(offset, last) > 0) {
        offset = last;
      }
      long previous = tokens[(range + size - 1) % size];
      // Step past the reserved minimum and other datacenters' tokens, up then down, staying inside.
      long up = offset;
      while (Long.compareUnsigned(up, last) <= 0 && !usable(previous + up)) {
        up++;
      }
      if (Long.compareUnsigned(up, last) <= 0 && up != 0) {
        return previous + up;
      }
      for (long down = offset - 1; down != 0; down--) {
        if (usable(previous + down)) {
          return previous + down;
        }
      }
      throw new IllegalStateException("range " + range + " has no room for a token");
    }

    private boolean usable(long token) {
      return token != Long.MIN_VALUE && Arrays.binarySearch(reserved, token) < 0;
    }

    /** Unsigned width of the range ending at {@code range}; 0 means the whole ring. */
    private long width(int range) {
      return tokens[range] - tokens[(range + size - 1) % size];
    }

    /** Takes {@code token} (one of the joining node's) off the working ring. */
    void remove(long token) {
      int at = Arrays.binarySearch(tokens, 0, size, token);
      if (at < 0 || owners[at] != joining) {
        throw new IllegalStateException("token " + token + " is not the joining node's");
      }
      System.arraycopy(tokens, at + 1, tokens, at, size - at - 1);
      System.arraycopy(owners, at + 1, owners, at, size - at - 1);
      size--;
    }

    private void insert(int range, long token) {
      // Inside (tokens[range - 1], tokens[range]) the new token goes at index `range`; inside the
      // range that wraps (range 0) it goes first if below tokens[0], else last.
      int at = range == 0 && token > tokens[0] ? size : range;
      System.arraycopy(tokens, at, tokens, at + 1, size - at);
      System.arraycopy(owners, at, owners, at + 1, size - at);
      tokens[at] = token;
      owners[at] = joining;
      size++;
    }

    /** Replica sets of every range and each node's ownership on the current working ring. */
    void computeReplicaSets() {
      replicaSets = new int[size * replicas];
      replicaCounts = new int[size];
      Arrays.fill(owned, 0);
      Arrays.fill(primaryOwned, 0);
      for (int range = 0; range < size; range++) {
        int count = 0;
        for (int step = 0; step < size && count < replicas; step++) {
          int node = owners[(range + step) % size];
          if (!contains(range, count, node)) {
            replicaSets[range * replicas + count++] = node;
          }
        }
        replicaCounts[range] = count;
        double length = lengthOf(range);
        primaryOwned[owners[range]] += length;
        for (int k = 0; k < count; k++) {
          owned[replicaSets[range * replicas + k]] += length;
        }
      }
    }

    private boolean contains(int range, int count, int node) {
      for (int k = 0; k < count; k++) {
        if (replicaSets[range * replicas + k] == node) {
          return true;
        }
      }
      return false;
    }

    /**
     * Fills {@code delta} (ownership change independent of the split point) and {@code slope}
     * (change per unit of the new token's primary range) for a new token inside range {@code
     * range}.
     */
    private void evaluate(int range) {
      // The new token's own range, (previous, t]: its replicas are the joining node followed by
      // the first replicas - 1 other nodes met from `range` on. They replace the range's old set
      // on a length of x.
      int[] fresh = new int[replicas];
      fresh[0] = joining;
      int freshCount = 1 + walk(range, fresh, 1, replicas - 1);
      adjust(range, fresh, freshCount, 0, 1);

      // Ranges whose walk passes the new token before it has all its replicas: the joining node
      // enters their replica set (unless it is there already) and the last replica drops out.
      // Walking back from the split adds each range's owner to the nodes its walk meets first;
      // once they number `replicas`, or hold the joining node, no earlier walk changes either.
      // On a ring with fewer distinct nodes than `replicas`, the walk goes all the way round, and
      // the last one to check (back == size) is the split range's own rest, (t, next], whose
      // length is L - x.
      int[] passed = new int[replicas];
      int passedCount = 0;
      for (int back = 1; back <= size; back++) {
        int earlier = (range - back + size) % size;
        int node = owners[earlier];
        if (node == joining) {
          break;
        }
        if (!inArray(passed, passedCount, node)) {
          passed[passedCount++] = node;
        }
        if (passedCount >= replicas) {
          break;
        }
        int[] changed = Arrays.copyOf(passed, replicas);
        changed[passedCount] = joining;
        int changedCount = passedCount + 1;
        changedCount += walk(range, changed, changedCount, replicas - changedCount);
        double length = lengthOf(earlier);
        if (back < size) {
          adjust(earlier, changed, changedCount, length, 0);
        } else {
          adjust(earlier, changed, changedCount, length, -1);
        }
      }
    }

    /**
     * Walks from {@code range} appending up to {@code wanted} distinct nodes not already among the
     * first {@code from} of {@code into}; returns how many it appended.
     */
    private int walk(int range, int[] into, int from, int wanted) {
      int added = 0;
      for (int step = 0; step < size && added < wanted; step++) {
        int node = owners[(range + step) % size];
        if (!inArray(into, from + added, node)) {
          into[from + added++] = node;
        }
      }
      return added;
    }

    /**
     * Records that on (part of) range {@code range} the replica set becomes {@code next}: a node
     * that joins the set gains {@code fixedLength + slopeSign * x}, one that leaves it loses as
     * much ({@code x} being the new token's primary length).
     */
    private void adjust(int range, int[] next, int nextCount, double fixedLength, int slopeSign) {
      int base = range * replicas;
      int oldCount = replicaCounts[range];
      for (int k = 0; k < nextCount; k++) {
        inSet[next[k]] = true;
      }
      for (int k = 0; k < oldCount; k++) {
        int node = replicaSets[base + k];
        if (!inSet[node]) {
          touch(node);
          slope[node] -= slopeSign;
          delta[node] -= fixedLength;
        }
      }
      for (int k = 0; k < nextCount; k++) {
        inSet[next[k]] = false;
      }
      for (int k = 0; k < oldCount; k++) {
        inSet[replicaSets[base + k]] = true;
      }
      for (int k = 0; k < nextCount; k++) {
        int node = next[k];
        if (!inSet[node]) {
          touch(node);
          slope[node] += slopeSign;
          delta[node] += fixedLength;
        }
      }
      for (int k = 0; k < oldCount; k++) {
        inSet[replicaSets[base + k]] = false;
      }
    }

    private void touch(int node) {
      if (!touched[node]) {
        touched[node] = true;
        touchedList[touchedCount++] = node;
      }
    }

    private void clearScratch() {
      for (int t = 0; t < touchedCount; t++) {
        int node = touchedList[t];
        touched[node] = false;
        delta[node] = 0;
        slope[node] = 0;
      }
      touchedCount = 0;
    }

    private static boolean inArray(int[] array, int count, int value) {
      for (int i = 0; i < count; i++) {
        if (array[i] == value) {
          return true;
        }
      }
      return false;
    }
  }
}
