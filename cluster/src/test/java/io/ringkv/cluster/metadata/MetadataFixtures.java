package io.ringkv.cluster.metadata;

import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Members and snapshots for tests of the metadata and the ring. */
public final class MetadataFixtures {
  private MetadataFixtures() {}

  /** A Normal member of weight 1 in {@code dc}/{@code rack} holding {@code tokens}. */
  public static Member member(String id, String dc, String rack, long... tokens) {
    List<Token> list = new ArrayList<>();
    for (long token : tokens) {
      list.add(Token.of(token));
    }
    return new Member(NodeId.of(id), address(id), dc, rack, list, Member.Status.NORMAL, 1.0);
  }

  /** A Normal member of weight 1 in dc1/rack1 holding {@code tokens}. */
  public static Member member(String id, long... tokens) {
    return member(id, Member.DEFAULT_DATACENTER, Member.DEFAULT_RACK, tokens);
  }

  /** An address on localhost whose ports depend on the id's hash, so members differ. */
  public static Address address(String id) {
    int offset = Math.floorMod(id.hashCode(), 500);
    return new Address("127.0.0.1", 7000 + offset, 6379 + offset, 8080 + offset, 9090 + offset);
  }

  /** A snapshot holding {@code members} and {@code keyspaces}, at epoch 1. */
  public static ClusterMetadata metadata(List<Member> members, List<Keyspace> keyspaces) {
    return ClusterMetadata.of(1, members, keyspaces);
  }

  /** {@code count} distinct random tokens, never the reserved minimum. */
  public static long[] randomTokens(Rng rng, int count, TreeSet<Long> taken) {
    long[] tokens = new long[count];
    for (int i = 0; i < count; i++) {
      long token;
      do {
        token = rng.nextLong();
      } while (token == Long.MIN_VALUE || !taken.add(token));
      tokens[i] = token;
    }
    return tokens;
  }
}
