package io.ringkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.GossipStateFile;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.IncarnationFile;
import io.ringkv.server.FrontEnd;
import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node's lifecycle with a real front end on real sockets ({@link LineFrontEnd}) over a real
 * engine: start, serve, stop, restart with the data back, refusals that leave nothing behind.
 */
class NodeTest {
  @TempDir Path dataDirectory;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private NodeConfig config(String... sets) {
    List<String> all = new ArrayList<>();
    all.add("node.data_directory=" + dataDirectory);
    all.add("resp.port=0");
    all.add("node.shutdown_timeout_millis=10000");
    all.addAll(List.of(sets));
    return ConfigLoader.fromSets(all.toArray(String[]::new));
  }

  private Node start(NodeConfig config) throws NodeStartException {
    return start(config, LineFrontEnd.wiring());
  }

  private Node start(NodeConfig config, NodeWiring wiring) throws NodeStartException {
    Node node = Node.start(config, wiring);
    toClose.add(node);
    return node;
  }

  private LineClient client(Node node) throws IOException {
    LineClient client = new LineClient(node.address(FrontEndKind.RESP).orElseThrow());
    toClose.add(client);
    return client;
  }

  @Test
  void start_servesThroughItsFrontEnd() throws Exception {
    Node node = start(config());
    LineClient client = client(node);

    client.put("greeting", "hello");

    assertThat(client.get("greeting")).isEqualTo("hello");
    assertThat(client.get("absent")).isNull();
    assertThat(node.service().stats().estimatedKeys()).isEqualTo(1);
  }

  @Test
  void start_laysOutTheNodeDirectory() throws Exception {
    Node node = start(config("node.id=alpha"));

    assertThat(node.directory()).isEqualTo(dataDirectory.resolve("alpha"));
    assertThat(node.directory().resolve(NodeLock.FILE_NAME)).isRegularFile();
    assertThat(Files.readString(node.directory().resolve(NodeLock.FILE_NAME)).strip())
        .isEqualTo("pid " + ProcessHandle.current().pid());
    assertThat(node.directory().resolve(Node.STORAGE_DIRECTORY)).isDirectory();
    assertThat(Files.readString(node.directory().resolve(StoredKeyLayout.FILE_NAME)).strip())
        .isEqualTo("stored-keys " + StoredKeyLayout.CURRENT);
  }

  @Test
  void start_onADataDirectoryOfTheOldKeyLayout_isRefusedNamingBothLayoutsAndWhatToDo()
      throws Exception {
    NodeConfig config = config();
    Path directory = dataDirectory.resolve("node-1");
    try (Node node = Node.start(config, LineFrontEnd.wiring());
        LineClient client = new LineClient(node.address(FrontEndKind.RESP).orElseThrow())) {
      client.put("k", "v");
    }
    // A directory written before the layout was recorded: data, and no layout file.
    Files.delete(directory.resolve(StoredKeyLayout.FILE_NAME));

    NodeStartException refused =
        catchThrowableOfType(NodeStartException.class, () -> start(config));

    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.STORAGE_FAILED);
    assertThat(refused.getMessage())
        .startsWith("data directory " + directory + " holds stored keys of layout 1 ")
        .contains("this version needs layout 2 (token, keyspace tag, user key)")
        .contains("start the node on an empty data directory");
    // The refusal released the directory and recorded nothing: it is refused again.
    assertThat(directory.resolve(StoredKeyLayout.FILE_NAME)).doesNotExist();
    assertThat(catchThrowableOfType(NodeStartException.class, () -> start(config)).getMessage())
        .isEqualTo(refused.getMessage());

    // A layout from a later version is refused alike; the recorded one starts.
    Files.writeString(directory.resolve(StoredKeyLayout.FILE_NAME), "stored-keys 3\n");
    assertThat(catchThrowableOfType(NodeStartException.class, () -> start(config)).getMessage())
        .contains("holds stored keys of layout 3,", "needs layout 2");
    Files.writeString(directory.resolve(StoredKeyLayout.FILE_NAME), "stored-keys 2\n");
    assertThat(client(start(config)).get("k")).isEqualTo("v");
  }

  @Test
  void start_withADamagedLayoutFile_isRefusedNamingTheFile() throws Exception {
    NodeConfig config = config();
    start(config).close();
    Path file = dataDirectory.resolve("node-1").resolve(StoredKeyLayout.FILE_NAME);
    Files.writeString(file, "garbage");

    NodeStartException refused =
        catchThrowableOfType(NodeStartException.class, () -> start(config));

    assertThat(refused.getMessage())
        .isEqualTo(
            "the stored-key layout file "
                + file
                + " is damaged: it holds 'garbage', expected 'stored-keys 2'");
  }

  @Test
  void upLine_namesEveryEndpointAndTheDataDirectory() throws Exception {
    Node node = start(config());
    int port = node.address(FrontEndKind.RESP).orElseThrow().getPort();

    assertThat(port).isPositive();
    assertThat(node.upLine())
        .isEqualTo(
            "ringkv node node-1 up: line 127.0.0.1:"
                + port
                + ", data "
                + dataDirectory.resolve("node-1"));
    assertThat(node.endpoints()).extracting(Node.Endpoint::name).containsExactly("line");
  }

  @Test
  void start_disabledFrontEnd_isNotStarted() throws Exception {
    Node node = start(config("resp.enabled=false"));

    assertThat(node.endpoints()).isEmpty();
    assertThat(node.address(FrontEndKind.RESP)).isEmpty();
    assertThat(node.upLine())
        .isEqualTo("ringkv node node-1 up: data " + dataDirectory.resolve("node-1"));
  }

  @Test
  void close_stopsListeningAndReleasesTheDirectory() throws Exception {
    NodeConfig config = config();
    Node node = Node.start(config, LineFrontEnd.wiring());
    InetSocketAddress address = node.address(FrontEndKind.RESP).orElseThrow();

    node.close();

    assertThatThrownBy(() -> new LineClient(address).close()).isInstanceOf(ConnectException.class);
    start(config); // the lock and the engine are free again
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "periodic", "none"})
  void restart_findsEveryAcknowledgedWrite(String fsync) throws Exception {
    NodeConfig config = config("storage.fsync=" + fsync);
    try (Node node = Node.start(config, LineFrontEnd.wiring());
        LineClient client = new LineClient(node.address(FrontEndKind.RESP).orElseThrow())) {
      for (int i = 0; i < 200; i++) {
        client.put("key-" + i, "value-" + i);
      }
      client.put("key-7", "rewritten");
    }

    Node again = start(config);
    LineClient client = client(again);
    for (int i = 0; i < 200; i++) {
      assertThat(client.get("key-" + i)).isEqualTo(i == 7 ? "rewritten" : "value-" + i);
    }
  }

  @Test
  void start_secondNodeOnTheSameDirectory_isRefusedWithAClearMessage() throws Exception {
    Node first = start(config());
    client(first).put("k", "v");

    NodeStartException refused =
        catchThrowableOfType(
            NodeStartException.class, () -> start(config("resp.port=0", "http.port=0")));

    Path directory = dataDirectory.resolve("node-1");
    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.DATA_DIRECTORY_IN_USE);
    assertThat(refused.getMessage())
        .isEqualTo(
            "data directory "
                + directory
                + " is in use by another ringkv node in this process (pid "
                + ProcessHandle.current().pid()
                + "; lock file "
                + directory.resolve(NodeLock.FILE_NAME)
                + ")");
    // The refused start took nothing from the running node.
    assertThat(client(first).get("k")).isEqualTo("v");
  }

  @Test
  void start_inTheOtherMetadataMode_isRefusedNamingTheModeTheNodeJoinedWith() throws Exception {
    // A node of a gossip-mode cluster: once it holds tokens, raft mode would choose them again.
    NodeConfig gossip =
        config(
            "internode.port=0",
            "cluster.seeds=",
            "cluster.metadata=gossip",
            "cluster.ring_delay_millis=0",
            "cluster.join_wait_max_millis=0");
    GossipStateFile state =
        new GossipStateFile(new LocalFileSystem(), dataDirectory.resolve("node-1"));
    try (Node node = Node.start(gossip, LineFrontEnd.wiring().withCluster(true))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!hasTokens(state)) {
        assertThat(System.nanoTime()).as("tokens stored within 30 s").isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(20); // poll interval, not a stand-in for the condition
      }
    }
    NodeConfig raft = config("internode.port=0", "cluster.seeds=");
    assertThat(raft.cluster().metadataOnRaft()).as("the default").isTrue();

    NodeStartException refused =
        catchThrowableOfType(
            NodeStartException.class,
            () -> Node.start(raft, LineFrontEnd.wiring().withCluster(true)));

    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.CLUSTER_FAILED);
    assertThat(refused.getMessage())
        .contains("cluster.metadata is raft, but this node joined its cluster with")
        .contains("cluster.metadata: gossip")
        .contains("start it with cluster.metadata=gossip");
    assertThat(dataDirectory.resolve("node-1").resolve("metadata-raft")).doesNotExist();
    // In its own mode it starts again.
    Node.start(gossip, LineFrontEnd.wiring().withCluster(true)).close();

    // And the other way: a node of a raft-mode cluster is refused in gossip mode.
    NodeConfig otherRaft =
        config("node.id=node-2", "internode.port=0", "cluster.seeds=", "cluster.metadata=raft");
    Node.start(otherRaft, LineFrontEnd.wiring().withCluster(true)).close();
    NodeStartException refusedGossip =
        catchThrowableOfType(
            NodeStartException.class,
            () ->
                Node.start(
                    config(
                        "node.id=node-2",
                        "internode.port=0",
                        "cluster.seeds=",
                        "cluster.metadata=gossip"),
                    LineFrontEnd.wiring().withCluster(true)));
    assertThat(refusedGossip.kind()).isEqualTo(NodeStartException.Kind.CLUSTER_FAILED);
    assertThat(refusedGossip.getMessage())
        .contains("cluster.metadata is gossip, but this node joined its cluster with")
        .contains("start it with cluster.metadata=raft");
  }

  @Test
  void incarnation_keptAfterACleanClose_grownAfterAnUncleanStop_andCausalUpdatesAreServed()
      throws Exception {
    NodeConfig config = config("internode.port=0", "cluster.seeds=");
    Path file = dataDirectory.resolve("node-1").resolve(IncarnationFile.FILE_NAME);
    Path whileRunning = dataDirectory.resolve("incarnation-while-running");
    try (Node node = Node.start(config, LineFrontEnd.wiring().withCluster(true))) {
      assertThat(node.actor()).contains(Actor.of("node-1", 0));
      assertThat(causalPut(node, "k", "v1")).isInstanceOf(ReplicaReply.CausalApplied.class);
      // What a crash now would leave on disk: the file as it is while the node runs.
      Files.copy(file, whileRunning);
    }
    try (Node node = Node.start(config, LineFrontEnd.wiring().withCluster(true))) {
      assertThat(node.actor()).as("after a clean close").contains(Actor.of("node-1", 0));
    }
    // An unclean stop: the node's files as a kill -9 leaves them (the running mark not replaced).
    Files.copy(whileRunning, file, StandardCopyOption.REPLACE_EXISTING);
    try (Node node = Node.start(config, LineFrontEnd.wiring().withCluster(true))) {
      assertThat(node.actor()).as("after an unclean stop").contains(Actor.of("node-1", 1));
      ReplicaReply reply = causalPut(node, "k", "v2");
      assertThat(reply).isInstanceOf(ReplicaReply.CausalApplied.class);
      DvvSet register =
          CausalCodec.decodeRegister(((ReplicaReply.CausalApplied) reply).cell().value());
      assertThat(register.siblings())
          .as("a blind write supersedes the value incarnation 0 wrote")
          .singleElement()
          .satisfies(sibling -> assertThat(sibling.dot().actor()).isEqualTo(Actor.of("node-1", 1)));
    }
    try (Node node = Node.start(config, LineFrontEnd.wiring().withCluster(true))) {
      assertThat(node.actor()).as("kept after the clean close").contains(Actor.of("node-1", 1));
    }
  }

  /** A blind causal register write of {@code value}, sent to {@code node} as by a peer. */
  private static ReplicaReply causalPut(Node node, String key, String value) throws Exception {
    ReplicaRequest.CausalUpdate update =
        new ReplicaRequest.CausalUpdate(
            key.getBytes(StandardCharsets.UTF_8),
            new CausalOperation.Put(null /* blind */, value.getBytes(StandardCharsets.UTF_8)),
            1);
    InternodeMessage answer =
        node.replicationService()
            .orElseThrow()
            .onReplica("node-2", new InternodeMessage.Replica(1, update))
            .get(30, TimeUnit.SECONDS);
    return ((InternodeMessage.ReplicaAnswer) answer).reply();
  }

  private static boolean hasTokens(GossipStateFile state) throws IOException {
    return state
        .load()
        .map(stored -> stored.applicationStates().containsKey(ApplicationState.TOKENS))
        .orElse(false);
  }

  @Test
  void start_portInUse_failsClearlyAndClosesWhatItOpened() throws Exception {
    try (ServerSocket occupier = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = occupier.getLocalPort();

      NodeStartException refused =
          catchThrowableOfType(NodeStartException.class, () -> start(config("resp.port=" + port)));

      assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.FRONT_END_FAILED);
      assertThat(refused.getMessage())
          .startsWith("cannot start the resp front end on 127.0.0.1:" + port + ": ");
    }
    // The failed start released the directory and closed the engine: a third start succeeds.
    Node node = start(config());
    client(node).put("after", "failure");
    assertThat(client(node).get("after")).isEqualTo("failure");
  }

  @Test
  void start_frontEndFactoryFails_closesWhatItOpened() throws Exception {
    NodeWiring broken =
        LineFrontEnd.wiring()
            .with(
                FrontEndKind.HTTP,
                (config, service, metrics, cluster) -> {
                  throw new IllegalStateException("no event loop");
                });

    NodeStartException refused =
        catchThrowableOfType(NodeStartException.class, () -> start(config(), broken));

    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.FRONT_END_FAILED);
    assertThat(refused.getMessage())
        .isEqualTo(
            "cannot create the http front end on 127.0.0.1:8080:"
                + " java.lang.IllegalStateException: no event loop");
    start(config()); // the line front end that did start was closed: its port 0 and the lock free
  }

  @Test
  void start_directoryThatCannotBeCreated_isAStorageFailure() throws Exception {
    Path file = Files.writeString(dataDirectory.resolve("a-file"), "not a directory");

    NodeStartException refused =
        catchThrowableOfType(
            NodeStartException.class,
            () -> start(config("node.data_directory=" + file.resolve("below"))));

    assertThat(refused.kind()).isEqualTo(NodeStartException.Kind.STORAGE_FAILED);
    assertThat(refused.getMessage()).startsWith("cannot create the data directory ");
  }

  @Test
  void close_isIdempotentAndSafeFromTwoThreads() throws Exception {
    Node node = Node.start(config(), LineFrontEnd.wiring());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> closers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      closers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    node.close();
                  }));
    }
    go.countDown();
    for (Thread closer : closers) {
      closer.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(closer.isAlive()).isFalse();
    }

    node.close();
    start(config());
  }

  @Test
  void close_frontEndSlowerThanTheBound_isReportedAndTheStorageClosedAnyway() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    NodeWiring stuck =
        NodeWiring.none()
            .with(
                FrontEndKind.RESP,
                (config, service, metrics, cluster) -> new StuckFrontEnd(release));
    Node node = Node.start(config("node.shutdown_timeout_millis=100"), stuck);
    try {
      NodeStopException stop = catchThrowableOfType(NodeStopException.class, node::close);

      assertThat(stop.problems())
          .containsExactly(
              "the stuck front end did not stop within 100 ms (node.shutdown_timeout_millis);"
                  + " the storage was closed anyway");
      assertThat(stop.getMessage()).startsWith("node node-1 did not stop cleanly:");
    } finally {
      release.countDown();
    }
    start(config()); // the storage was closed and the lock released despite the stuck front end
  }

  @Test
  void metrics_publishTheEngineFigures() throws Exception {
    Node node = start(config());
    client(node).put("k", "v");

    assertThat(node.metrics().scrape()).contains("ringkv_engine_keys_estimated");
  }

  /** A front end whose close() blocks until released: a shutdown that overruns its bound. */
  private static final class StuckFrontEnd implements FrontEnd {
    private final CountDownLatch release;

    StuckFrontEnd(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public String name() {
      return "stuck";
    }

    @Override
    public void start() {}

    @Override
    public InetSocketAddress boundAddress() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    }

    @Override
    public void close() {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
