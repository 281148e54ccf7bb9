package io.ringkv.server.replication;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringkv.cluster.hints.HintConfig;
import io.ringkv.cluster.hints.HintStore;
import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.Actor;
import io.ringkv.common.Clock;
import io.ringkv.common.Rng;
import io.ringkv.common.SystemClock;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.internode.InternodeConfig;
import io.ringkv.server.internode.InternodeHandler;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.kv.ClusterKeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Several in-process nodes, each with its own storage engine, hint store, {@link
 * ReplicationService} and {@link ClusterKeyValueService}, talking over real {@link
 * InternodeTransport}s on 127.0.0.1 (ephemeral ports). Membership is not gossiped: the test holds
 * the metadata (fixed, seeded tokens; the default keyspace with replication factor min(3, n) and
 * QUORUM, and {@link #CAUSAL} like it with {@code conflicts: causal}) and says who each node holds
 * Up, so that failure detection is exactly what the test says. Every node is a causal actor
 * (incarnation 0) with a sibling cap of {@link #CAUSAL_SIBLINGS_MAX}. A stopped node closes its
 * transport and storage; a restarted one reopens them.
 */
final class TestCluster implements AutoCloseable {
  static final String CLUSTER = "ringkv-test";
  static final int TOKENS_PER_NODE = 8;

  /** A keyspace like {@code default} but causal. */
  static final String CAUSAL = "causal";

  /** The nodes' sibling cap: small, so that tests reach it. */
  static final int CAUSAL_SIBLINGS_MAX = 4;

  final Path directory;
  final ClusterMetadata metadata;
  final ReplicationSettings settings;
  final Map<NodeId, TestNode> nodes = new LinkedHashMap<>();
  private final Function<NodeId, Clock> clocks;

  TestCluster(Path directory, int size, long seed, ReplicationSettings settings)
      throws IOException {
    this(directory, size, seed, settings, id -> SystemClock.INSTANCE);
  }

  /** As above, each node's clock (its wall clock drives its HLC) given by {@code clocks}. */
  TestCluster(
      Path directory,
      int size,
      long seed,
      ReplicationSettings settings,
      Function<NodeId, Clock> clocks)
      throws IOException {
    this(directory, size, seed, settings, clocks, List.of());
  }

  /** As above, with {@code extraKeyspaces} beside {@code default} and {@link #CAUSAL}. */
  TestCluster(
      Path directory,
      int size,
      long seed,
      ReplicationSettings settings,
      Function<NodeId, Clock> clocks,
      List<Keyspace> extraKeyspaces)
      throws IOException {
    this.directory = directory;
    this.settings = settings;
    this.clocks = clocks;
    Rng rng = new Rng(seed);
    TreeSet<Long> taken = new TreeSet<>();
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      List<Token> tokens = new ArrayList<>();
      while (tokens.size() < TOKENS_PER_NODE) {
        long token = rng.nextLong();
        if (token != Long.MIN_VALUE && taken.add(token)) {
          tokens.add(Token.of(token));
        }
      }
      members.add(
          new Member(
              NodeId.of("node-" + i),
              new Address("127.0.0.1", 7000 + i, 0, 0, 0),
              Member.DEFAULT_DATACENTER,
              Member.DEFAULT_RACK,
              tokens,
              Member.Status.NORMAL,
              1.0));
    }
    Keyspace lww = Keyspace.defaultKeyspace(size);
    Keyspace causal =
        new Keyspace(
            CAUSAL,
            lww.replication(),
            lww.readLevel(),
            lww.writeLevel(),
            false,
            ConflictMode.CAUSAL);
    List<Keyspace> keyspaces = new ArrayList<>(List.of(lww, causal));
    keyspaces.addAll(extraKeyspaces);
    this.metadata = ClusterMetadata.of(1, members, keyspaces);
    for (Member member : members) {
      nodes.put(member.id(), new TestNode(member.id()));
    }
    for (TestNode node : nodes.values()) {
      node.start();
    }
    for (TestNode node : nodes.values()) {
      node.learnPeers();
    }
  }

  TestNode node(int i) {
    return nodes.get(NodeId.of("node-" + i));
  }

  /** Every node's view: {@code node} is Down (or Up again). */
  void markUp(TestNode node, boolean up) {
    for (TestNode observer : nodes.values()) {
      if (observer != node) {
        observer.setUp(node.id, up);
      }
    }
  }

  /** The replicas of {@code key}, in ring order. */
  List<NodeId> replicasOf(byte[] key) {
    return metadata
        .keyspace(Keyspace.DEFAULT_NAME)
        .orElseThrow()
        .replication()
        .replicas(metadata.ring(), Token.forKey(key));
  }

  @Override
  public void close() throws Exception {
    for (TestNode node : nodes.values()) {
      node.stop();
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** One node. */
  final class TestNode {
    final NodeId id;
    final AtomicReference<ClusterView> view;
    final NodeMetrics metrics = new NodeMetrics();
    StorageEngine engine;
    HintStore hints;
    InternodeTransport transport;
    ReplicationService replication;
    HintHandoff handoff;
    ClusterKeyValueService service;
    boolean running;

    TestNode(NodeId id) {
      this.id = id;
      Set<NodeId> all = new HashSet<>(metadata.members().keySet());
      this.view = new AtomicReference<>(ClusterView.of(id, metadata, all));
    }

    void start() throws IOException {
      Path home = directory.resolve(id.value());
      engine = StorageEngines.open(EngineOptions.defaults(home.resolve("storage")));
      hints =
          HintStore.open(
              new LocalFileSystem(),
              home.resolve("hints"),
              HintConfig.defaults().withDurability(Durability.NONE));
      NodeClock clock = new NodeClock(clocks.apply(id));
      LocalReplica local =
          new LocalReplica(
              engine,
              Durability.NONE,
              hints,
              clock::wallMillis,
              LocalReplica.DEFAULT_SCAN_REPLY_BYTES_MAX,
              Actor.of(id.value(), 0),
              CAUSAL_SIBLINGS_MAX,
              1 << 20);
      AtomicReference<ReplicationService> self = new AtomicReference<>();
      transport =
          new InternodeTransport(
              InternodeConfig.defaults("127.0.0.1", 0),
              id.value(),
              CLUSTER,
              new InternodeHandler() {
                @Override
                public void onMessage(String fromPeer, InternodeMessage message) {}

                @Override
                public CompletableFuture<InternodeMessage> onRequest(
                    String fromPeer, InternodeMessage request) {
                  if (request instanceof InternodeMessage.Replica replica) {
                    return self.get().onReplica(fromPeer, replica);
                  }
                  return CompletableFuture.failedFuture(
                      new IllegalArgumentException("unexpected " + request));
                }
              },
              new SimpleMeterRegistry());
      replication =
          new ReplicationService(
              id,
              view::get,
              transport::request,
              local,
              hints,
              settings,
              clock,
              metrics.replication(),
              42);
      self.set(replication);
      transport.start();
      handoff =
          new HintHandoff(
              hints,
              view::get,
              transport::request,
              clock,
              metrics.replication(),
              0,
              1 << 20,
              settings.writeTimeoutMillis(),
              0);
      handoff.start();
      service = new ClusterKeyValueService(replication, engine, 1 << 10, 1 << 20);
      running = true;
    }

    /** Tells this node where every other running node listens, and every other where it does. */
    void learnPeers() {
      for (TestNode other : nodes.values()) {
        if (other != this && other.running) {
          transport.updatePeerAddress(other.id.value(), other.transport.localAddress());
          other.transport.updatePeerAddress(id.value(), transport.localAddress());
        }
      }
    }

    void setUp(NodeId node, boolean up) {
      view.updateAndGet(
          current -> {
            Set<NodeId> next = new HashSet<>(current.up());
            if (up) {
              next.add(node);
            } else {
              next.remove(node);
            }
            return new ClusterView(id, current.metadata(), next, current.clockRefusal(), 0, true);
          });
    }

    /** This node's own stored cell of {@code key} (tombstones included), or null. */
    Cell stored(byte[] userKey) throws Exception {
      return engine.get(KeyCodec.encode(KeyCodec.DEFAULT_TAG, userKey));
    }

    void stop() throws Exception {
      if (!running) {
        return;
      }
      running = false;
      replication.close();
      handoff.close();
      transport.close();
      engine.close();
    }

    void restart() throws Exception {
      stop();
      start();
      learnPeers();
    }
  }
}
