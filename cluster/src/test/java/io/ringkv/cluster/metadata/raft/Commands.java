package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.Rng;
import java.util.List;
import java.util.Map;

/** Commands for tests: fixed examples of every kind, and random sequences drawn from a seed. */
final class Commands {
  private Commands() {}

  static NodeId node(int i) {
    return NodeId.of("node-" + i);
  }

  static Address address(int i) {
    return Address.local("127.0.0.1", i);
  }

  static MetadataCommand.Join join(int i) {
    return MetadataCommand.Join.of(node(i), address(i), "dc1", "rack" + (i % 3), 1.0);
  }

  static MetadataCommand.Join join(int i, String datacenter, double weight) {
    return new MetadataCommand.Join(node(i), address(i), datacenter, "r1", weight, 8, 3);
  }

  static Keyspace keyspace(String name, int replicationFactor) {
    return new Keyspace(
        name, new SimpleStrategy(replicationFactor), ConsistencyLevel.QUORUM, ConsistencyLevel.ONE);
  }

  /** One command of every kind, and every field shape (both strategies, sloppy quorum). */
  static List<MetadataCommand> everyKind() {
    return List.of(
        join(1),
        new MetadataCommand.Join(
            NodeId.of("big.node_7"),
            new Address("db-7.example.com", 7007, 0, 8087, 0),
            "eu-west",
            "r-2",
            2.5,
            32,
            2),
        new MetadataCommand.SetStatus(node(1), Member.Status.NORMAL),
        new MetadataCommand.Leave(node(2)),
        new MetadataCommand.Remove(node(3)),
        new MetadataCommand.SetAddress(node(4), new Address("::1", 1, 2, 3, 65_535)),
        new MetadataCommand.PutKeyspace(keyspace("users", 3)),
        new MetadataCommand.PutKeyspace(
            new Keyspace(
                "orders_2",
                NetworkTopologyStrategy.of(Map.of("dc1", 3, "dc2", 2)),
                ConsistencyLevel.LOCAL_QUORUM,
                ConsistencyLevel.EACH_QUORUM,
                true)),
        new MetadataCommand.PutKeyspace(keyspace("carts", 3).withConflicts(ConflictMode.CAUSAL)),
        new MetadataCommand.PutKeyspace(
            keyspace("sessions", 2).withSloppyQuorum(true).withConflicts(ConflictMode.CAUSAL)),
        new MetadataCommand.DropKeyspace("users"));
  }

  /**
   * A random command over {@code nodes} nodes and a few keyspaces, valid or not: joins (mostly),
   * status changes in any direction, leaves, removals, address changes, keyspace puts and drops.
   */
  static MetadataCommand random(Rng rng, int nodes) {
    int i = 1 + rng.nextInt(nodes);
    int pick = rng.nextInt(100);
    if (pick < 35) {
      return join(i, rng.chance(0.3) ? "dc2" : "dc1", rng.chance(0.2) ? 2.0 : 1.0);
    }
    if (pick < 60) {
      Member.Status[] statuses = Member.Status.values();
      return new MetadataCommand.SetStatus(node(i), statuses[rng.nextInt(statuses.length)]);
    }
    if (pick < 68) {
      return new MetadataCommand.Leave(node(i));
    }
    if (pick < 72) {
      return new MetadataCommand.Remove(node(i));
    }
    if (pick < 78) {
      return new MetadataCommand.SetAddress(node(i), address(1 + rng.nextInt(900)));
    }
    if (pick < 92) {
      Keyspace keyspace = keyspace("ks" + rng.nextInt(5), 1 + rng.nextInt(3));
      return new MetadataCommand.PutKeyspace(
          rng.nextInt(2) == 0 ? keyspace : keyspace.withConflicts(ConflictMode.CAUSAL));
    }
    return new MetadataCommand.DropKeyspace("ks" + rng.nextInt(5));
  }
}
