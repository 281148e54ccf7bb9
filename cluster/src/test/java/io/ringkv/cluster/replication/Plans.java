package io.ringkv.cluster.replication;

import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.ConsistencyLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replica plans for the coordination tests: replicas n1, n2, n3 (in that order), one datacenter.
 */
final class Plans {
  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final NodeId N3 = NodeId.of("n3");
  static final NodeId N4 = NodeId.of("n4");

  private Plans() {}

  static ReplicaPlan plan(ReplicaPlan.Operation operation, ConsistencyLevel level) {
    List<ReplicaPlan.Replica> replicas = new ArrayList<>();
    for (NodeId node : List.of(N1, N2, N3)) {
      replicas.add(new ReplicaPlan.Replica(node, "dc1"));
    }
    int blockFor =
        switch (level) {
          case ONE, ANY, LOCAL_ONE -> 1;
          case TWO, QUORUM, LOCAL_QUORUM, EACH_QUORUM -> 2;
          case THREE, ALL -> 3;
        };
    Map<String, Integer> perDatacenter = new TreeMap<>();
    return new ReplicaPlan(
        1,
        "default",
        Token.of(50),
        operation,
        level,
        3,
        replicas,
        blockFor,
        new TreeMap<>(perDatacenter));
  }

  static ReplicaPlan write(ConsistencyLevel level) {
    return plan(ReplicaPlan.Operation.WRITE, level);
  }

  static ReplicaPlan read(ConsistencyLevel level) {
    return plan(ReplicaPlan.Operation.READ, level);
  }
}
