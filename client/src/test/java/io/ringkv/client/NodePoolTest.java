package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which a request tries the nodes. The channels are never used, so they stay IDLE and
 * nothing connects.
 */
class NodePoolTest {
  private static final List<NodeAddress> ADDRESSES =
      List.of(new NodeAddress("a", 1), new NodeAddress("b", 2), new NodeAddress("c", 3));

  private NodePool pool;

  private NodePool pool(NodeSelection selection) {
    pool =
        new NodePool(
            ADDRESSES,
            selection,
            address -> InProcessChannelBuilder.forName("unused-" + address.host()).build());
    return pool;
  }

  @AfterEach
  void close() {
    pool.close();
  }

  private static List<String> hosts(List<NodePool.Node> order) {
    return order.stream().map(node -> node.address().host()).toList();
  }

  @Test
  void attemptOrder_roundRobinStartsOneFurtherEachTimeAndCoversEveryNode() {
    NodePool nodes = pool(NodeSelection.ROUND_ROBIN);
    assertThat(hosts(nodes.attemptOrder())).containsExactly("a", "b", "c");
    assertThat(hosts(nodes.attemptOrder())).containsExactly("b", "c", "a");
    assertThat(hosts(nodes.attemptOrder())).containsExactly("c", "a", "b");
    assertThat(hosts(nodes.attemptOrder())).containsExactly("a", "b", "c");
  }

  @Test
  void attemptOrder_stickyStaysWithTheLastNodeThatAnswered() {
    NodePool nodes = pool(NodeSelection.STICKY);
    assertThat(hosts(nodes.attemptOrder())).containsExactly("a", "b", "c");
    assertThat(hosts(nodes.attemptOrder())).containsExactly("a", "b", "c");
    nodes.succeeded(nodes.nodes().get(1));
    assertThat(hosts(nodes.attemptOrder())).containsExactly("b", "c", "a");
    assertThat(hosts(nodes.attemptOrder())).containsExactly("b", "c", "a");
  }
}
