package io.ringkv.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataFixtures;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replica placement and ownership against a brute-force model: for random rings with random
 * datacenter and rack layouts, the replicas of a token equal what a naive scan of every token
 * computes (sort all tokens by clockwise distance, apply the strategy's rule as a definition rather
 * than as a walk); no node appears twice; NTS uses distinct racks when it can; ownership sums to
 * exactly 2^64 (primary) and effective RF x 2^64 (effective).
 */
class PlacementModelTest {
  private static final BigInteger RING = BigInteger.ONE.shiftLeft(64);

  static Stream<Long> seeds() {
    return TestSeeds.seeds(0x9_1ACEL, 20);
  }

  record RingEntry(long token, Member owner) {}

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void replicas_matchANaiveScanOfAllTokens(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 40; round++) {
      ClusterMetadata metadata = randomCluster(rng);
      List<Member> owners = owners(metadata);
      ReplicationStrategy strategy = randomStrategy(rng);
      String where =
          TestSeeds.replay(seed) + " round " + round + " " + strategy + " " + metadata.members();
      TokenRing ring = metadata.ring();
      for (int probe = 0; probe < 60; probe++) {
        Token token = probeToken(rng, ring);
        List<NodeId> got = strategy.replicas(ring, token);
        List<NodeId> want = model(strategy, owners, token.value());
        assertThat(got).as(where + " token " + token).isEqualTo(want);
        assertThat(new LinkedHashSet<>(got)).as(where).hasSameSizeAs(got);
        assertThat(got.size()).as(where).isEqualTo(strategy.effectiveReplicationFactor(ring));
        if (strategy instanceof NetworkTopologyStrategy nts) {
          checkDistinctRacks(nts, ring, got, where + " token " + token);
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void ownership_sumsExactlyAndMatchesTheModel(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 20; round++) {
      ClusterMetadata metadata = randomCluster(rng);
      List<Member> owners = owners(metadata);
      ReplicationStrategy strategy = randomStrategy(rng);
      TokenRing ring = metadata.ring();
      String where = TestSeeds.replay(seed) + " round " + round + " " + strategy;

      Ownership primary = Ownership.primary(ring);
      assertThat(primary.total()).as(where).isEqualTo(RING);
      double primarySum = primary.fractions().values().stream().mapToDouble(d -> d).sum();
      assertThat(primarySum).as(where).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));

      Ownership effective = Ownership.effective(ring, strategy);
      assertThat(effective.total())
          .as(where)
          .isEqualTo(RING.multiply(BigInteger.valueOf(strategy.effectiveReplicationFactor(ring))));

      // The model: every ring token ends a range from the token before it; its replicas get it all.
      List<RingEntry> sorted = entries(owners);
      sorted.sort(Comparator.comparingLong(RingEntry::token));
      TreeMap<NodeId, BigInteger> primaryModel = new TreeMap<>();
      TreeMap<NodeId, BigInteger> effectiveModel = new TreeMap<>();
      for (Member member : owners) {
        primaryModel.put(member.id(), BigInteger.ZERO);
        effectiveModel.put(member.id(), BigInteger.ZERO);
      }
      for (int i = 0; i < sorted.size(); i++) {
        long end = sorted.get(i).token();
        long start = sorted.get((i + sorted.size() - 1) % sorted.size()).token();
        BigInteger size =
            sorted.size() == 1 ? RING : new BigInteger(Long.toUnsignedString(end - start));
        primaryModel.merge(sorted.get(i).owner().id(), size, BigInteger::add);
        for (NodeId replica : model(strategy, owners, end)) {
          effectiveModel.merge(replica, size, BigInteger::add);
        }
      }
      assertThat(primary.tokenCounts()).as(where).isEqualTo(primaryModel);
      assertThat(effective.tokenCounts()).as(where).isEqualTo(effectiveModel);
    }
  }

  /**
   * Plans on random clusters: every possible plan holds exactly the model's replicas, the
   * coordinator first when it is one, then its datacenter; every level but ANY can be met by its
   * replicas alone.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void replicaPlan_holdsTheModelsReplicasInPreferenceOrder(long seed) {
    Rng rng = new Rng(seed);
    ConsistencyLevel[] levels = ConsistencyLevel.values();
    int possible = 0;
    for (int round = 0; round < 200; round++) {
      ClusterMetadata metadata = randomCluster(rng);
      ReplicationStrategy strategy = randomStrategy(rng);
      metadata =
          metadata.withKeyspace(
              new Keyspace("ks", strategy, ConsistencyLevel.ONE, ConsistencyLevel.ONE));
      List<Member> all = new ArrayList<>(metadata.members().values());
      Member coordinator = all.get(rng.nextInt(all.size()));
      Token token = probeToken(rng, metadata.ring());
      ConsistencyLevel level = levels[rng.nextInt(levels.length)];
      String where =
          TestSeeds.replay(seed)
              + " round "
              + round
              + " "
              + strategy
              + " "
              + level
              + " from "
              + coordinator.id();
      ReplicaPlanResult result =
          ReplicaPlan.forWrite(metadata, "ks", token, level, coordinator.id());
      if (!(result instanceof ReplicaPlan plan)) {
        continue;
      }
      possible++;
      List<NodeId> want = model(strategy, owners(metadata), token.value());
      assertThat(new TreeSet<>(plan.nodes())).as(where).isEqualTo(new TreeSet<>(want));
      if (want.contains(coordinator.id())) {
        assertThat(plan.nodes().get(0)).as(where).isEqualTo(coordinator.id());
      }
      boolean remoteSeen = false;
      for (ReplicaPlan.Replica replica : plan.replicas()) {
        boolean local = replica.datacenter().equals(coordinator.datacenter());
        assertThat(local && remoteSeen).as(where + " local after remote").isFalse();
        remoteSeen |= !local;
      }
      if (level != ConsistencyLevel.ANY) {
        assertThat(plan.satisfiedBy(plan.nodes())).as(where).isTrue();
      }
    }
    assertThat(possible).as(TestSeeds.replay(seed)).isGreaterThan(50);
  }

  // --- the model ---

  /** The replicas of {@code token} by definition, from a list of members in no particular order. */
  static List<NodeId> model(ReplicationStrategy strategy, List<Member> owners, long token) {
    List<Member> walk = walkOrder(owners, token);
    if (strategy instanceof SimpleStrategy simple) {
      return walk.stream().limit(simple.replicationFactor()).map(Member::id).toList();
    }
    NetworkTopologyStrategy nts = (NetworkTopologyStrategy) strategy;
    Set<NodeId> chosen = new TreeSet<>();
    for (Map.Entry<String, Integer> entry : nts.replicationFactors().entrySet()) {
      int factor = entry.getValue();
      List<Member> inDatacenter =
          walk.stream().filter(m -> m.datacenter().equals(entry.getKey())).toList();
      Set<String> racks = new TreeSet<>();
      List<Member> firstOfRack = new ArrayList<>();
      List<Member> others = new ArrayList<>();
      for (Member member : inDatacenter) {
        (racks.add(member.rack()) ? firstOfRack : others).add(member);
      }
      if (factor >= inDatacenter.size()) {
        inDatacenter.forEach(m -> chosen.add(m.id()));
      } else if (racks.size() >= factor) {
        firstOfRack.stream().limit(factor).forEach(m -> chosen.add(m.id()));
      } else {
        firstOfRack.forEach(m -> chosen.add(m.id()));
        others.stream().limit(factor - racks.size()).forEach(m -> chosen.add(m.id()));
      }
    }
    // Replicas come in walk order.
    return walk.stream().map(Member::id).filter(chosen::contains).toList();
  }

  /** Distinct members in the order a clockwise scan from {@code token} first meets their tokens. */
  static List<Member> walkOrder(List<Member> owners, long token) {
    List<RingEntry> entries = entries(owners);
    // Clockwise distance from the key's token to a ring token, as unsigned: 0 when equal.
    entries.sort((a, b) -> Long.compareUnsigned(a.token() - token, b.token() - token));
    LinkedHashSet<Member> order = new LinkedHashSet<>();
    for (RingEntry entry : entries) {
      order.add(entry.owner());
    }
    return new ArrayList<>(order);
  }

  private static List<RingEntry> entries(List<Member> owners) {
    List<RingEntry> entries = new ArrayList<>();
    for (Member member : owners) {
      for (Token token : member.tokens()) {
        entries.add(new RingEntry(token.value(), member));
      }
    }
    return entries;
  }

  private static void checkDistinctRacks(
      NetworkTopologyStrategy nts, TokenRing ring, List<NodeId> replicas, String where) {
    for (String datacenter : nts.replicationFactors().keySet()) {
      List<NodeId> local =
          replicas.stream().filter(n -> ring.datacenter(n).equals(datacenter)).toList();
      Set<String> racks = new TreeSet<>();
      local.forEach(n -> racks.add(ring.rack(n)));
      assertThat(racks.size())
          .as(where + " racks used in " + datacenter)
          .isEqualTo(Math.min(local.size(), ring.rackCount(datacenter)));
    }
  }

  // --- random clusters ---

  /** Members that own ranges, the input of the model. */
  static List<Member> owners(ClusterMetadata metadata) {
    return metadata.members().values().stream().filter(m -> m.status().ownsRanges()).toList();
  }

  /**
   * 1 to 12 members in 1 to 3 datacenters of 1 to 4 racks, 1 to 8 tokens each; a few Joining or
   * Left ones that must not be on the ring. Tokens sometimes crowd near the ends of the ring.
   */
  static ClusterMetadata randomCluster(Rng rng) {
    int datacenters = rng.nextInt(1, 4);
    int[] racksPerDatacenter = new int[datacenters];
    for (int i = 0; i < datacenters; i++) {
      racksPerDatacenter[i] = rng.nextInt(1, 5);
    }
    int nodes = rng.nextInt(1, 13);
    TreeSet<Long> taken = new TreeSet<>();
    List<Member> members = new ArrayList<>();
    boolean edges = rng.chance(0.2);
    for (int i = 0; i < nodes; i++) {
      int datacenter = rng.nextInt(datacenters);
      int rack = rng.nextInt(racksPerDatacenter[datacenter]);
      int tokenCount = rng.nextInt(1, 9);
      long[] tokens = new long[tokenCount];
      for (int t = 0; t < tokenCount; t++) {
        long token;
        do {
          token = edges && rng.nextBoolean() ? Long.MAX_VALUE - rng.nextInt(50) : rng.nextLong();
          if (edges && rng.chance(0.2)) {
            token = Long.MIN_VALUE + 1 + rng.nextInt(50);
          }
        } while (token == Long.MIN_VALUE || !taken.add(token));
        tokens[t] = token;
      }
      Member member = MetadataFixtures.member("n" + i, "dc" + datacenter, "r" + rack, tokens);
      int status = rng.nextInt(10);
      if (status == 0) {
        member = member.withStatus(Member.Status.JOINING);
      } else if (status == 1) {
        member = member.withStatus(Member.Status.LEFT);
      } else if (status == 2) {
        member = member.withStatus(Member.Status.LEAVING);
      }
      members.add(member);
    }
    // At least one member owns ranges.
    if (members.stream().noneMatch(m -> m.status().ownsRanges())) {
      members.set(
          0, members.get(0).withStatus(Member.Status.LEFT).withStatus(Member.Status.JOINING));
      members.set(0, members.get(0).withStatus(Member.Status.NORMAL));
    }
    return ClusterMetadata.of(1, members, List.of());
  }

  /** SimpleStrategy RF 1 to 5, or NTS over some of dc0..dc2 and a datacenter with no members. */
  static ReplicationStrategy randomStrategy(Rng rng) {
    if (rng.nextBoolean()) {
      return new SimpleStrategy(rng.nextInt(1, 6));
    }
    TreeMap<String, Integer> factors = new TreeMap<>();
    for (int dc = 0; dc < 3; dc++) {
      if (rng.chance(0.7)) {
        factors.put("dc" + dc, rng.nextInt(1, 6));
      }
    }
    if (factors.isEmpty() || rng.chance(0.1)) {
      factors.put("dc-empty", rng.nextInt(1, 3));
    }
    return new NetworkTopologyStrategy(factors);
  }

  /** Ring tokens, their neighbours, the ends of the ring and random tokens. */
  static Token probeToken(Rng rng, TokenRing ring) {
    return switch (rng.nextInt(6)) {
      case 0 -> ring.token(rng.nextInt(ring.size()));
      case 1 -> Token.of(ring.token(rng.nextInt(ring.size())).value() + 1);
      case 2 -> Token.of(ring.token(rng.nextInt(ring.size())).value() - 1);
      case 3 -> rng.nextBoolean() ? Token.MIN : Token.MAX;
      default -> Token.of(rng.nextLong());
    };
  }
}
