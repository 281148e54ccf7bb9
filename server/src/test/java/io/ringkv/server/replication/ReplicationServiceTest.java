package io.ringkv.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.HintSink;
import io.ringkv.cluster.replication.LocalReplica;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.ReplicaPlan;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.version.Hlc;
import io.ringkv.common.Clock;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.ManualClock;
import io.ringkv.common.SystemClock;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication service's driving of the handlers, against replicas reached through a fake
 * network (each a {@link LocalReplica} over its own engine, answering on the caller's thread, or
 * silent): the lone node's fast path, timeouts with hints, speculative retry, background read
 * repair.
 */
class ReplicationServiceTest {
  private static final NodeId SELF = NodeId.of("node-1");

  @TempDir Path directory;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Map<NodeId, LocalReplica> replicas = new TreeMap<>();
  private final Set<NodeId> silent = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> hints = new CopyOnWriteArrayList<>();
  private final NodeMetrics metrics = new NodeMetrics();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @Test
  void loneNode_writesAndReadsOnTheFastPath_withoutTheNetwork() throws Exception {
    ReplicationService service = service(metadata(1), ReplicationSettings.defaults(directory));
    byte[] key = KeyCodec.encode(KeyCodec.DEFAULT_TAG, utf8("k"));
    long timestamp = service.stamp();
    service.write("default", key, Cell.value(utf8("v"), timestamp), null).join();
    Cell read = service.read("default", key, ConsistencyLevel.ALL).join();
    assertThat(read.value()).isEqualTo(utf8("v"));
    assertThat(read.timestamp()).isEqualTo(timestamp);
    assertThat(requests.get()).as("internode requests").isZero();
    assertThat(service.inFlight()).isZero();
  }

  @Test
  void silentReplicas_writeTimesOutIndeterminate_andEachGetsAHint() {
    ReplicationService service =
        service(metadata(3), ReplicationSettings.defaults(directory).withTimeouts(200, 200));
    silent.add(NodeId.of("node-2"));
    silent.add(NodeId.of("node-3"));
    byte[] key = KeyCodec.encode(KeyCodec.DEFAULT_TAG, utf8("k"));
    CompletableFuture<Void> write =
        service.write(
            "default", key, Cell.value(utf8("v"), service.stamp()), ConsistencyLevel.QUORUM);
    KvException failure = failure(write);
    assertThat(failure.kind()).isEqualTo(KvException.Kind.TIMEOUT);
    assertThat(failure.getMessage())
        .contains("write timed out at QUORUM: 1 of 2 required replicas acknowledged in time")
        .contains("may or may not have applied");
    assertThat(hints).containsExactlyInAnyOrder("node-2", "node-3");
    assertThat(metrics.replication().counts().timeouts()).isEqualTo(1);
    assertThat(service.inFlight()).isZero();
  }

  @Test
  void slowReplica_getsABackupReadToAnother_onceItsPercentileIsKnown() {
    ReplicationService service = service(metadata(3), ReplicationSettings.defaults(directory));
    byte[] key = KeyCodec.encode(KeyCodec.DEFAULT_TAG, utf8("k"));
    service
        .write("default", key, Cell.value(utf8("v"), service.stamp()), ConsistencyLevel.ALL)
        .join();
    // Enough fast answers for every replica to have an estimate (at the 1 ms floor).
    for (int i = 0; i < 40; i++) {
      service.read("default", key, ConsistencyLevel.ALL).join();
    }
    assertThat(metrics.replication().counts().speculativeRetries()).isZero();
    // The replica QUORUM contacts besides this node goes silent: a backup read goes to the third.
    ReplicaPlan plan =
        ReplicaPlan.forRead(
                metadata(3), "default", KeyCodec.tokenOf(key), ConsistencyLevel.QUORUM, SELF)
            .orElseThrow();
    silent.add(plan.nodes().get(1));
    Cell read = service.read("default", key, ConsistencyLevel.QUORUM).join();
    assertThat(read.value()).isEqualTo(utf8("v"));
    assertThat(metrics.replication().counts().speculativeRetries()).isEqualTo(1);
  }

  @Test
  void backgroundReadRepair_bringsTheReplicaOutsideTheQuorumUpToDate() throws Exception {
    ReplicationService service =
        service(metadata(3), ReplicationSettings.defaults(directory).withReadRepairChance(1.0));
    byte[] key = KeyCodec.encode(KeyCodec.DEFAULT_TAG, utf8("k"));
    ReplicaPlan plan =
        ReplicaPlan.forRead(
                metadata(3), "default", KeyCodec.tokenOf(key), ConsistencyLevel.QUORUM, SELF)
            .orElseThrow();
    NodeId outside = plan.nodes().get(2);
    Cell old = Cell.value(utf8("old"), 1);
    Cell current = Cell.value(utf8("new"), 2);
    for (Map.Entry<NodeId, LocalReplica> replica : replicas.entrySet()) {
      replica.getValue().apply(key, replica.getKey().equals(outside) ? old : current);
    }
    assertThat(service.read("default", key, ConsistencyLevel.QUORUM).join()).isEqualTo(current);
    // The fake network answers on the spot, so the background repair is done when read returns.
    assertThat(replicas.get(outside).read(key)).isEqualTo(current);
    assertThat(metrics.replication().counts().readRepairs()).isEqualTo(1);
    assertThat(metrics.replication().counts().digestMismatches()).isZero();
  }

  @Test
  void nodeNotJoined_isUnavailable() {
    ReplicationService service =
        service(ClusterMetadata.empty(), ReplicationSettings.defaults(directory));
    KvException failure =
        failure(
            service.read(
                "default", KeyCodec.encode(KeyCodec.DEFAULT_TAG, utf8("k")), ConsistencyLevel.ONE));
    assertThat(failure.kind()).isEqualTo(KvException.Kind.UNAVAILABLE);
    assertThat(failure.getMessage()).contains("has not joined the cluster yet");
  }

  @Test
  void observeSession_withinTheSkewBound_nextStampExceedsIt() {
    ManualClock wall = new ManualClock(0, 1_700_000_000_000L);
    ReplicationService service =
        service(metadata(1), ReplicationSettings.defaults(directory), wall);
    long before = service.stamp();
    long session = Hlc.encode(wall.epochMillis() + 200, 5);

    service.observeSession(session);
    service.observeSession(0); // none: nothing to merge

    assertThat(before).isLessThan(session);
    assertThat(service.stamp()).isEqualTo(session + 1);
  }

  @Test
  void observeSession_beyondTheSkewBound_isAnInvalidRequest_andLeavesTheClock() {
    ManualClock wall = new ManualClock(0, 1_700_000_000_000L);
    ReplicationService service =
        service(metadata(1), ReplicationSettings.defaults(directory), wall);
    long stamped = service.stamp();

    KvException tooFar = null;
    try {
      service.observeSession(Hlc.encode(wall.epochMillis() + 501, 0));
    } catch (KvException e) {
      tooFar = e;
    }

    assertThat(tooFar).isNotNull();
    assertThat(tooFar.kind()).isEqualTo(KvException.Kind.INVALID_REQUEST);
    assertThat(tooFar.getMessage()).contains("replication.max_clock_skew_millis 500");
    assertThat(service.stamp()).isEqualTo(stamped + 1);
  }

  // ---------------------------------------------------------------- fixtures

  private ReplicationService service(ClusterMetadata metadata, ReplicationSettings settings) {
    return service(metadata, settings, SystemClock.INSTANCE);
  }

  private ReplicationService service(
      ClusterMetadata metadata, ReplicationSettings settings, Clock clock) {
    for (NodeId node : metadata.members().keySet()) {
      replicas.put(node, replica(node));
    }
    if (!replicas.containsKey(SELF)) {
      replicas.put(SELF, replica(SELF));
    }
    ClusterView view = ClusterView.of(SELF, metadata, metadata.members().keySet());
    ReplicaNetwork network =
        (peer, message, timeoutMillis) -> {
          requests.incrementAndGet();
          NodeId to = NodeId.of(peer);
          if (silent.contains(to)) {
            return new CompletableFuture<>();
          }
          try {
            var request = ((InternodeMessage.Replica) message).request();
            return CompletableFuture.completedFuture(
                new InternodeMessage.ReplicaAnswer(0, replicas.get(to).handle(request)));
          } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
          }
        };
    HintSink sink =
        (target, key, cell, now) -> {
          hints.add(target.value());
          return true;
        };
    ReplicationService service =
        new ReplicationService(
            SELF,
            () -> view,
            network,
            replicas.get(SELF),
            sink,
            settings,
            new NodeClock(clock),
            metrics.replication(),
            1);
    closeables.add(service);
    return service;
  }

  private LocalReplica replica(NodeId node) {
    try {
      StorageEngine engine =
          StorageEngines.open(EngineOptions.defaults(directory.resolve(node.value())));
      closeables.add(engine);
      return new LocalReplica(engine, Durability.NONE, (t, k, c, n) -> false, () -> 0L);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** {@code size} members with 4 spread tokens each, the default keyspace. */
  private static ClusterMetadata metadata(int size) {
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      List<Token> tokens = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tokens.add(Token.of((long) (t * size + i) * (Long.MAX_VALUE / (4L * size + 1))));
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
    return ClusterMetadata.of(1, members, List.of(Keyspace.defaultKeyspace(size)));
  }

  private static KvException failure(CompletableFuture<?> future) {
    try {
      future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof KvException kv) {
        return kv;
      }
      throw e;
    }
    throw new AssertionError("expected a KvException");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
