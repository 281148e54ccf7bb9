package io.ringkv.server.internode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.EndpointDelta;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.GossipDigest;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.VersionedValue;
import io.ringkv.server.internode.InternodeMessage.Echo;
import io.ringkv.server.internode.InternodeMessage.EchoReply;
import io.ringkv.server.internode.InternodeMessage.Gossip;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two or more transports on 127.0.0.1, real sockets: gossip and requests flow, timeouts, refused
 * and unreachable peers, the queue bound, per-peer address overrides (through a counting proxy),
 * the inbound connection and frame bounds, handshake failures, and close.
 */
class InternodeTransportTest {
  private static final String CLUSTER = "ringkv-test";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  // ---------------------------------------------------------------- fixtures

  /** A started transport and what its handler saw. */
  record Node(
      String id,
      InternodeTransport transport,
      RecordingHandler handler,
      SimpleMeterRegistry registry) {
    InetSocketAddress address() {
      return transport.localAddress();
    }

    TransportStats stats() {
      return transport.stats();
    }

    /** Learns where {@code other} listens, as gossip would tell it. */
    void learn(Node other) {
      transport.updatePeerAddress(other.id(), other.address());
    }
  }

  private static InternodeConfig config() {
    return InternodeConfig.defaults(LOOPBACK.getHostAddress(), 0);
  }

  private Node start(String id, InternodeConfig config) throws IOException {
    return start(id, CLUSTER, config);
  }

  private Node start(String id, String cluster, InternodeConfig config) throws IOException {
    RecordingHandler handler = new RecordingHandler();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InternodeTransport transport = new InternodeTransport(config, id, cluster, handler, registry);
    closeables.add(transport);
    transport.start();
    return new Node(id, transport, handler, registry);
  }

  private Node start(String id) throws IOException {
    return start(id, config());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    }
  }

  private RawConnection raw(Node node) throws IOException {
    RawConnection connection = RawConnection.connect(node.address());
    closeables.add(connection);
    return connection;
  }

  private static Gossip syn(String from, String to) {
    return new Gossip(
        new GossipMessage.Syn(from, to, CLUSTER, List.of(new GossipDigest(from, 7, 42))));
  }

  private static Gossip ack(String from, String to) {
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    values.put(ApplicationState.STATUS, new VersionedValue("NORMAL", 3));
    values.put(ApplicationState.TOKENS, new VersionedValue("-9223372036854775808,0", 4));
    return new Gossip(
        new GossipMessage.Ack(
            from,
            to,
            List.of(new GossipDigest(to, 5, 0)),
            List.of(EndpointDelta.whole(new EndpointState(from, 7, 42, values)))));
  }

  private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
    try {
      future.get(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail, it completed");
  }

  private static <T> T valueOf(CompletableFuture<T> future) throws Exception {
    return future.get(Await.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- messages and requests

  @Test
  void send_gossipFlowsBothWays() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);
    b.learn(a);

    assertThat(a.transport().send("node-2", syn("node-1", "node-2"))).isTrue();
    Await.until("B receives the SYN", () -> b.handler().messages.size() == 1);
    assertThat(b.handler().messagesFrom("node-1")).containsExactly(syn("node-1", "node-2"));

    assertThat(b.transport().send("node-1", ack("node-2", "node-1"))).isTrue();
    Await.until("A receives the ACK", () -> a.handler().messages.size() == 1);
    assertThat(a.handler().messagesFrom("node-2")).containsExactly(ack("node-2", "node-1"));

    assertThat(a.stats().peer("node-2").messagesSent()).isEqualTo(1);
    assertThat(b.stats().peer("node-1").messagesReceived()).isEqualTo(1);
    assertThat(b.stats().peer("node-1").messagesSent()).isEqualTo(1);
    assertThat(a.stats().total().messagesDropped()).isZero();
  }

  @Test
  void send_manyMessages_arriveInOrderOverOneConnection() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);
    int count = 5_000;
    for (int i = 0; i < count; i++) {
      assertThat(a.transport().send("node-2", new Echo(i))).isTrue();
    }
    Await.until("B receives every message", () -> b.handler().messages.size() == count);
    List<InternodeMessage> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(new Echo(i));
    }
    assertThat(b.handler().messagesFrom("node-1")).isEqualTo(expected);
    assertThat(b.stats().inboundConnections()).isEqualTo(1);
  }

  @Test
  void request_echoIsAnswered() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);

    assertThat(valueOf(a.transport().request("node-2", new Echo(1234))))
        .isEqualTo(new EchoReply(1234, 0));
    assertThat(b.handler().requests)
        .extracting(RecordingHandler.Received::fromPeer)
        .containsExactly("node-1");
    assertThat(a.stats().pendingRequests()).isZero();
  }

  @Test
  void request_manyInFlight_eachGetsItsOwnAnswer() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);
    List<CompletableFuture<InternodeMessage>> futures = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      futures.add(a.transport().request("node-2", new Echo(i)));
    }
    for (int i = 0; i < futures.size(); i++) {
      assertThat(valueOf(futures.get(i))).isEqualTo(new EchoReply(i, 0));
    }
    assertThat(a.stats().pendingRequests()).isZero();
  }

  @Test
  void request_peerNeverAnswers_timesOutWithOutcomeUnknown() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.NEVER_ANSWER;
    a.learn(b);

    Throwable failure = failureOf(a.transport().request("node-2", new Echo(1), 200));

    assertThat(failure)
        .isInstanceOf(InternodeTimeoutException.class)
        .hasMessageContaining("node-2")
        .hasMessageContaining("200 ms")
        .hasMessageContaining("outcome is unknown");
    assertThat(((InternodeTimeoutException) failure).timeoutMillis()).isEqualTo(200);
    assertThat(b.handler().requests).hasSize(1);
    assertThat(a.stats().peer("node-2").requestTimeouts()).isEqualTo(1);
    assertThat(a.stats().pendingRequests()).isZero();
  }

  @Test
  void request_handlerFails_isARemoteFailureWithTheReason() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.FAIL;
    a.learn(b);

    assertThat(failureOf(a.transport().request("node-2", new Echo(1))))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessage("node-2 failed to answer: IllegalStateException: disk on fire");
  }

  @Test
  void request_toAClosedPort_isUnreachableAndReportsTheRefusal() throws Exception {
    Node a = start("node-1");
    a.transport().updatePeerAddress("node-9", new InetSocketAddress(LOOPBACK, freePort()));

    Throwable failure = failureOf(a.transport().request("node-9", new Echo(1)));

    assertThat(failure)
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("node-9 is unreachable")
        .hasMessageContaining("refused");
    assertThat(a.handler().refused).containsExactly("node-9");
    assertThat(a.stats().peer("node-9").connectFailures()).isEqualTo(1);
    assertThat(a.stats().peer("node-9").connectionsRefused()).isEqualTo(1);
    // The next request fails too: at once while the backoff lasts, else after a new attempt.
    assertThat(failureOf(a.transport().request("node-9", new Echo(2))))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("node-9 is unreachable");
  }

  @Test
  void send_peerRestarts_queuedMessagesGoToTheNewProcess() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);
    assertThat(valueOf(a.transport().request("node-2", new Echo(1))))
        .isEqualTo(new EchoReply(1, 0));
    int port = b.address().getPort();
    b.transport().close();
    Await.until(
        "A notices node-2 is gone",
        () -> a.transport().request("node-2", new Echo(2)).handle((r, e) -> e != null).join());

    assertThat(a.transport().send("node-2", syn("node-1", "node-2"))).isTrue();
    Await.until("a reconnect attempt is refused", () -> !a.handler().refused.isEmpty());
    Node restarted = start("node-2", InternodeConfig.defaults(LOOPBACK.getHostAddress(), port));

    Await.until(
        "the restarted node receives the SYN", () -> restarted.handler().messages.size() == 1);
    assertThat(restarted.handler().messagesFrom("node-1")).containsExactly(syn("node-1", "node-2"));
  }

  @Test
  void request_connectionLostAfterSending_failsWithOutcomeUnknown() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.NEVER_ANSWER;
    a.learn(b);
    CompletableFuture<InternodeMessage> future =
        a.transport().request("node-2", new Echo(1), 60_000);
    Await.until("B receives the request", () -> b.handler().requests.size() == 1);

    b.transport().close();

    assertThat(failureOf(future))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("the outcome is unknown");
  }

  @Test
  void send_withoutAnAddress_isDroppedAndCounted() throws Exception {
    Node a = start("node-1");
    assertThat(a.transport().send("node-5", new Echo(1))).isFalse();
    assertThat(failureOf(a.transport().request("node-5", new Echo(1))))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessage("node-5 is unreachable: no address is known for it");
    assertThat(a.stats().peer("node-5").droppedUnroutable()).isEqualTo(2);
  }

  @Test
  void send_toItselfOrAnInvalidId_isAProgrammerError() throws Exception {
    Node a = start("node-1");
    assertThatThrownBy(() -> a.transport().send("node-1", new Echo(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be this node itself");
    assertThatThrownBy(() -> a.transport().send("node 2", new Echo(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> a.transport().request("node-2", new Echo(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeoutMillis must be in [1, 3600000], was 0");
  }

  // ---------------------------------------------------------------- bounds

  @Test
  void queue_peerNotYetStarted_dropsTheExcess_thenDeliversWhatWaited() throws Exception {
    int queueMax = 10;
    Node a = start("node-1", config().withBounds(1_024, 1 << 20, queueMax, 1_000));
    int port = freePort();
    a.transport().updatePeerAddress("node-2", new InetSocketAddress(LOOPBACK, port));

    int accepted = 0;
    for (int i = 0; i < 25; i++) {
      if (a.transport().send("node-2", new Echo(i))) {
        accepted++;
      }
    }

    assertThat(accepted).isEqualTo(queueMax);
    assertThat(a.stats().peer("node-2").droppedQueueFull()).isEqualTo(25 - queueMax);
    assertThat(a.stats().peer("node-2").queuedMessages()).isEqualTo(queueMax);
    Await.until("a connection attempt is refused", () -> !a.handler().refused.isEmpty());
    assertThat(a.stats().peer("node-2").queuedMessages()).isEqualTo(queueMax);

    Node b = start("node-2", InternodeConfig.defaults(LOOPBACK.getHostAddress(), port));

    Await.until("B receives the queued messages", () -> b.handler().messages.size() == queueMax);
    List<InternodeMessage> expected = new ArrayList<>();
    for (int i = 0; i < queueMax; i++) {
      expected.add(new Echo(i));
    }
    assertThat(b.handler().messagesFrom("node-1")).isEqualTo(expected);
    assertThat(a.stats().peer("node-2").queuedMessages()).isZero();
  }

  @Test
  void queue_peerThatNeverReads_boundsWhatWaits() throws Exception {
    // A socket that accepts but never reads or answers: the handshake never completes, so every
    // message waits in the bounded queue (and none is buffered anywhere else).
    try (ServerSocket silent = new ServerSocket(0, 50, LOOPBACK)) {
      Node a = start("node-1", config().withBounds(1_024, 1 << 20, 100, 1_000));
      a.transport()
          .updatePeerAddress("node-2", new InetSocketAddress(LOOPBACK, silent.getLocalPort()));
      int accepted = 0;
      for (int i = 0; i < 10_000; i++) {
        if (a.transport().send("node-2", ack("node-1", "node-2"))) {
          accepted++;
        }
      }
      assertThat(accepted).isEqualTo(100);
      assertThat(a.stats().peer("node-2").droppedQueueFull()).isEqualTo(9_900);
      assertThat(a.stats().peer("node-2").queuedMessages()).isEqualTo(100);
      assertThat(a.stats().peer("node-2").messagesSent()).isZero();
    }
  }

  @Test
  void request_overPendingRequestsMax_failsAtOnce() throws Exception {
    Node a = start("node-1", config().withBounds(1_024, 1 << 20, 1_000, 2));
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.NEVER_ANSWER;
    a.learn(b);
    CompletableFuture<InternodeMessage> first = a.transport().request("node-2", new Echo(1));
    CompletableFuture<InternodeMessage> second = a.transport().request("node-2", new Echo(2));

    assertThat(failureOf(a.transport().request("node-2", new Echo(3))))
        .isInstanceOf(InternodeOverloadedException.class)
        .hasMessage("request to node-2 not sent: 2 requests are in flight (pendingRequestsMax)");
    assertThat(a.stats().requestsRejected()).isEqualTo(1);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
  }

  @Test
  void inboundConnectionsMax_closesTheExtraConnectionAtOnce() throws Exception {
    Node b =
        start(
            "node-2",
            config().withBounds(2, 1 << 20, 1_000, 1_000).withTimeouts(2_000, 600_000, 2_000));
    RawConnection first = raw(b);
    RawConnection second = raw(b);
    Await.until("B holds two connections", () -> b.stats().inboundConnections() == 2);

    RawConnection third = raw(b);

    assertThat(third.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().inboundConnectionsRejected()).isEqualTo(1);
    assertThat(b.stats().inboundConnections()).isEqualTo(2);
    // The first two still work.
    assertThat(first.hello(CLUSTER, "node-7")).isEqualTo(new Frame.HelloAccept(1, "node-2"));
    assertThat(second.hello(CLUSTER, "node-8")).isEqualTo(new Frame.HelloAccept(1, "node-2"));
  }

  @Test
  void frameOverFrameBytesMax_closesTheConnection() throws Exception {
    Node b = start("node-2", config().withBounds(1_024, 4_096, 1_000, 1_000));
    RawConnection connection = raw(b);
    assertThat(connection.hello(CLUSTER, "node-7")).isEqualTo(new Frame.HelloAccept(1, "node-2"));
    connection.send(Frame.oneWay(new Echo(1)));
    Await.until("B receives the small frame", () -> b.handler().messages.size() == 1);

    connection.sendBytes(new byte[] {0, 0, 0x10, 0x01}); // 4,097 bytes announced

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().peer("node-7").framesTooLarge()).isEqualTo(1);
    assertThat(b.handler().messages).hasSize(1);
  }

  @Test
  void send_messageOverFrameBytesMax_isDroppedNotSent() throws Exception {
    Node a = start("node-1", config().withBounds(1_024, 4_096, 1_000, 1_000));
    Node b = start("node-2");
    a.learn(b);
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    values.put(ApplicationState.TOKENS, new VersionedValue("t".repeat(10_000), 3));
    Gossip large =
        new Gossip(
            new GossipMessage.Ack2(
                "node-1",
                "node-2",
                List.of(EndpointDelta.whole(new EndpointState("node-1", 1, 1, values)))));

    assertThat(a.transport().send("node-2", large)).isTrue(); // queued; dropped on encoding
    assertThat(a.transport().send("node-2", new Echo(2))).isTrue();

    Await.until("B receives the small message", () -> b.handler().messages.size() == 1);
    assertThat(b.handler().messagesFrom("node-1")).containsExactly(new Echo(2));
    assertThat(a.stats().peer("node-2").droppedUnroutable()).isEqualTo(1);
  }

  @Test
  void connectionsPerPeer_opensABoundedSetAndSpreadsMessages() throws Exception {
    Node a = start("node-1", config().withConnectionsPerPeer(3));
    Node b = start("node-2");
    a.learn(b);
    for (int i = 0; i < 3_000; i++) {
      assertThat(a.transport().send("node-2", new Echo(i))).isTrue();
    }
    Await.until("B receives every message", () -> b.handler().messages.size() == 3_000);
    Await.until("three connections are open", () -> b.stats().inboundConnections() == 3);
    for (int i = 0; i < 300; i++) {
      assertThat(a.transport().send("node-2", new Echo(i))).isTrue();
    }
    Await.until("B receives the rest", () -> b.handler().messages.size() == 3_300);
    assertThat(b.stats().inboundConnections()).isEqualTo(3);
    assertThat(b.handler().messagesFrom("node-1"))
        .hasSize(3_300)
        .containsAll(List.of(new Echo(0), new Echo(2_999), new Echo(299)));
  }

  // ---------------------------------------------------------------- addresses

  @Test
  void peerAddressOverride_winsOverTheLearntAddress() throws Exception {
    Node b = start("node-2");
    CountingProxy proxy = new CountingProxy(b.address());
    closeables.add(proxy);
    Node a = start("node-1", config().withPeerAddresses(Map.of("node-2", proxy.address())));

    a.learn(b); // gossip says where node-2 listens; the override must still win
    assertThat(a.transport().send("node-2", syn("node-1", "node-2"))).isTrue();
    assertThat(valueOf(a.transport().request("node-2", new Echo(9))))
        .isEqualTo(new EchoReply(9, 0));

    Await.until("B receives the SYN", () -> b.handler().messages.size() == 1);
    assertThat(proxy.connections.get()).isEqualTo(1);
    assertThat(proxy.bytesToTarget.get()).isPositive();
    assertThat(proxy.bytesFromTarget.get()).isPositive();
  }

  @Test
  void learntAddress_isUsedWithoutAnOverride() throws Exception {
    Node b = start("node-2");
    CountingProxy proxy = new CountingProxy(b.address());
    closeables.add(proxy);
    Node a = start("node-1");
    a.transport().updatePeerAddress("node-2", proxy.address());
    assertThat(valueOf(a.transport().request("node-2", new Echo(1))))
        .isEqualTo(new EchoReply(1, 0));
    long viaProxy = proxy.bytesToTarget.get();
    assertThat(viaProxy).isPositive();

    a.learn(b); // a new address: used by the next connection
    proxy.close(); // drops the connection through the proxy
    Await.until(
        "a request over the new address succeeds",
        () -> a.transport().request("node-2", new Echo(2)).handle((r, e) -> e == null).join());
    assertThat(proxy.connections.get()).isEqualTo(1);
  }

  @Test
  void handshake_withASeed_returnsItsIdAndLearnsItsAddress() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");

    assertThat(valueOf(a.transport().handshake(b.address()))).isEqualTo("node-2");

    assertThat(valueOf(a.transport().request("node-2", new Echo(3))))
        .isEqualTo(new EchoReply(3, 0));
  }

  @Test
  void handshake_withItself_fails() throws Exception {
    Node a = start("node-1");
    assertThat(failureOf(a.transport().handshake(a.address())))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("NODE_ID_CLASH");
  }

  @Test
  void handshake_withAClosedPort_isUnreachable() throws Exception {
    Node a = start("node-1");
    assertThat(failureOf(a.transport().handshake(new InetSocketAddress(LOOPBACK, freePort()))))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("refused");
  }

  @Test
  void staleAddress_leadingToAnotherNode_isRefusedByTheConnector() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.transport().updatePeerAddress("node-3", b.address());

    assertThat(failureOf(a.transport().request("node-3", new Echo(1))))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("the node at that address is 'node-2', not 'node-3'");
    assertThat(a.stats().peer("node-3").handshakeFailures()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- handshake over the wire

  @Test
  void handshake_wrongClusterName_failsRequestsWithTheReason() throws Exception {
    Node a = start("node-1", "alpha", config());
    Node b = start("node-2", "beta", config());
    a.learn(b);

    assertThat(failureOf(a.transport().request("node-2", new Echo(1))))
        .isInstanceOf(PeerUnreachableException.class)
        .hasMessageContaining("WRONG_CLUSTER")
        .hasMessageContaining("this node belongs to cluster 'beta', the connector to 'alpha'");
    assertThat(a.stats().peer("node-2").handshakeFailures()).isEqualTo(1);
    Await.until("B counts the refusal", () -> b.stats().total().handshakeFailures() == 1);
    assertThat(b.handler().requests).isEmpty();
  }

  @Test
  void handshake_wrongVersion_isRefusedOnTheWire() throws Exception {
    Node b = start("node-2");
    RawConnection connection = raw(b);
    connection.send(new Frame.Hello(7, 9, CLUSTER, "node-7", 7000));

    Frame answer = connection.read();

    assertThat(answer).isInstanceOf(Frame.HelloRefuse.class);
    assertThat(((Frame.HelloRefuse) answer).reason())
        .isEqualTo(HandshakeRefusal.UNSUPPORTED_VERSION);
    assertThat(connection.awaitClosedByPeer()).isTrue();
  }

  @Test
  void handshake_nodeIdClash_isRefusedOnTheWire() throws Exception {
    Node b = start("node-2");
    Frame answer = raw(b).hello(CLUSTER, "node-2");
    assertThat(((Frame.HelloRefuse) answer).reason()).isEqualTo(HandshakeRefusal.NODE_ID_CLASH);
  }

  @Test
  void handshake_badMagic_closesTheConnection() throws Exception {
    Node b = start("node-2");
    RawConnection connection = raw(b);
    byte[] hello =
        InternodeCodecTest.encoded(
            new InternodeCodec(WireLimits.defaults()), Handshake.hello(CLUSTER, "node-7", 7000));
    hello[InternodeFormat.LENGTH_BYTES + 2] = 'G'; // the magic's first byte

    connection.sendBytes(hello);

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().total().handshakeFailures()).isEqualTo(1);
    assertThat(b.stats().peers()).doesNotContainKey("node-7");
  }

  @Test
  void handshake_largeFrameBeforeIt_closesTheConnection() throws Exception {
    Node b = start("node-2");
    RawConnection connection = raw(b);
    connection.sendBytes(
        "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().total().framesTooLarge()).isEqualTo(1);
    assertThat(b.stats().total().handshakeFailures()).isEqualTo(1);
  }

  @Test
  void handshake_messageBeforeIt_closesTheConnection() throws Exception {
    Node b = start("node-2");
    RawConnection connection = raw(b);
    connection.send(Frame.oneWay(new Echo(1)));

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.handler().messages).isEmpty();
    assertThat(b.stats().total().handshakeFailures()).isEqualTo(1);
  }

  @Test
  void handshake_notCompletedInTime_closesTheConnection() throws Exception {
    Node b = start("node-2", config().withTimeouts(2_000, 200, 2_000));
    RawConnection connection = raw(b);

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().total().handshakeFailures()).isEqualTo(1);
  }

  @Test
  void malformedFrameAfterTheHandshake_closesTheConnectionAsAProtocolError() throws Exception {
    Node b = start("node-2");
    RawConnection connection = raw(b);
    connection.hello(CLUSTER, "node-7");
    connection.sendBytes(new byte[] {0, 0, 0, 2, 99, 0}); // unknown type 99

    assertThat(connection.awaitClosedByPeer()).isTrue();
    assertThat(b.stats().peer("node-7").protocolErrors()).isEqualTo(1);
  }

  @Test
  void responseWithAnUnknownRequestId_isCountedAndIgnored() throws Exception {
    // A scripted peer: accepts node-1's connection, answers its handshake, then sends a response
    // nobody asked for before answering the real request.
    try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
      Node a = start("node-1");
      a.transport()
          .updatePeerAddress("node-5", new InetSocketAddress(LOOPBACK, listener.getLocalPort()));
      CompletableFuture<InternodeMessage> future = a.transport().request("node-5", new Echo(77));
      try (Socket accepted = listener.accept();
          RawConnection peer = new RawConnection(accepted)) {
        assertThat(peer.read()).isInstanceOf(Frame.Hello.class);
        peer.send(new Frame.HelloAccept(1, "node-5"));
        Frame.Message request = (Frame.Message) peer.read();
        assertThat(request.kind()).isEqualTo(FrameKind.REQUEST);
        assertThat(request.message()).isEqualTo(new Echo(77));

        peer.send(Frame.response(request.requestId() + 1_000, new EchoReply(0, 0)));
        peer.send(Frame.response(request.requestId(), new EchoReply(77, 0)));

        assertThat(valueOf(future)).isEqualTo(new EchoReply(77, 0));
        assertThat(a.stats().unknownResponses()).isEqualTo(1);
      }
    }
  }

  @Test
  void forgetPeer_failsWhatWaitsAndDropsItsAddress() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.NEVER_ANSWER;
    a.learn(b);
    CompletableFuture<InternodeMessage> pending =
        a.transport().request("node-2", new Echo(1), 60_000);
    Await.until("B receives the request", () -> b.handler().requests.size() == 1);

    a.transport().forgetPeer("node-2");

    assertThat(failureOf(pending)).isInstanceOf(PeerUnreachableException.class);
    assertThat(a.transport().send("node-2", new Echo(2))).isFalse(); // no address any more
    Await.until("B sees the connection close", () -> b.stats().inboundConnections() == 0);
    assertThat(a.registry().find("ringkv.internode.queue.messages").tag("peer", "node-2").gauge())
        .isNull();
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void close_failsPendingRequestsAndIsIdempotent() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    b.handler().mode = RecordingHandler.Mode.NEVER_ANSWER;
    a.learn(b);
    CompletableFuture<InternodeMessage> pending =
        a.transport().request("node-2", new Echo(1), 60_000);
    Await.until("B receives the request", () -> b.handler().requests.size() == 1);

    a.transport().close();
    a.transport().close();

    assertThat(failureOf(pending))
        .isInstanceOf(InternodeClosedException.class)
        .hasMessageContaining("node-2");
    assertThat(a.transport().send("node-2", new Echo(2))).isFalse();
    assertThat(failureOf(a.transport().request("node-2", new Echo(3))))
        .isInstanceOf(InternodeClosedException.class);
    assertThat(a.stats().pendingRequests()).isZero();
  }

  @Test
  void close_beforeStart_isFine() {
    InternodeTransport transport =
        new InternodeTransport(
            config(), "node-1", CLUSTER, new RecordingHandler(), new SimpleMeterRegistry());
    transport.close();
    transport.close();
    assertThatThrownBy(transport::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void start_onABusyPort_namesTheAddress() throws Exception {
    Node a = start("node-1");
    int port = a.address().getPort();
    InternodeTransport second =
        new InternodeTransport(
            InternodeConfig.defaults(LOOPBACK.getHostAddress(), port),
            "node-2",
            CLUSTER,
            new RecordingHandler(),
            new SimpleMeterRegistry());
    closeables.add(second);
    assertThatThrownBy(second::start)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot listen for internode messages on 127.0.0.1:" + port);
  }

  @Test
  void metrics_mirrorTheStats() throws Exception {
    Node a = start("node-1");
    Node b = start("node-2");
    a.learn(b);
    assertThat(valueOf(a.transport().request("node-2", new Echo(1))))
        .isEqualTo(new EchoReply(1, 0));
    a.transport().updatePeerAddress("node-3", new InetSocketAddress(LOOPBACK, freePort()));
    failureOf(a.transport().request("node-3", new Echo(1)));

    assertThat(
            a.registry()
                .get("ringkv.internode.messages.sent")
                .tag("peer", "node-2")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            a.registry()
                .get("ringkv.internode.connections.refused")
                .tag("peer", "node-3")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            b.registry()
                .get("ringkv.internode.messages.received")
                .tag("peer", "node-1")
                .functionCounter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            a.registry()
                .get("ringkv.internode.messages.dropped")
                .tags("peer", "node-2", "reason", "queue_full")
                .functionCounter()
                .count())
        .isZero();
    assertThat(a.registry().get("ringkv.internode.requests.pending").gauge().value()).isZero();
  }
}
