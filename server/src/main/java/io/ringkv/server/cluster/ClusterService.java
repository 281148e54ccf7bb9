package io.ringkv.server.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.ClusterMembership;
import io.ringkv.cluster.membership.FailureDetectorConfig;
import io.ringkv.cluster.membership.Gossip;
import io.ringkv.cluster.membership.GossipConfig;
import io.ringkv.cluster.membership.GossipEvent;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.GossipStateFile;
import io.ringkv.cluster.membership.MembershipConfig;
import io.ringkv.cluster.membership.PersistentGossipState;
import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.EpochWatch;
import io.ringkv.cluster.metadata.raft.MetadataCodec;
import io.ringkv.cluster.metadata.raft.RaftIds;
import io.ringkv.cluster.ring.Ownership;
import io.ringkv.cluster.version.PeerClocks;
import io.ringkv.common.Rng;
import io.ringkv.server.config.ClusterSection;
import io.ringkv.server.config.HostPort;
import io.ringkv.server.config.InternodeSection;
import io.ringkv.server.config.NodeConfig;
import io.ringkv.server.internode.InternodeConfig;
import io.ringkv.server.internode.InternodeHandler;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.internode.WireLimits;
import io.ringkv.server.kv.KeyspaceAdmin;
import io.ringkv.server.raft.RaftGroupStatus;
import io.ringkv.server.raft.RaftRouter;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Drives this node's {@link ClusterMembership} (pure) with real time and the real network: the
 * node's cluster loop. One thread owns the membership; the internode transport's threads hand it
 * messages through {@link #onLoop}, and a timer ticks it every {@code
 * cluster.gossip_interval_millis}. After every input the loop takes {@code ready()}, stores the
 * gossip state (before sending, so a crash never reuses a generation others have seen), sends the
 * messages, logs Up/Down events and learns peers' addresses from the metadata, then advances.
 *
 * <p>Seeds are configured by address; the loop handshakes with each until it learns its name, and
 * retries those it has not reached on every tick. Every tick it also sends each known peer a direct
 * echo request: a peer whose process died refuses the connection, and the transport's refusal
 * convicts it at once (docs/decisions/005), which phi alone would take about 20 s to do. The echo
 * answers carry the peer's wall clock, from which {@link PeerClocks} measures this node's clock
 * skew.
 *
 * <p>For the replication coordinator, the loop publishes a {@link ClusterView} (metadata, the nodes
 * held Up, the clock's fitness) after every input, as one volatile snapshot that request threads
 * read without locking. Replication requests from peers do not pass through the loop: they are the
 * hot path, and go straight from the transport to the {@link ReplicaReceiver} (docs/design/
 * replication.md).
 *
 * <p>Thread-safe: public methods hand their work to the loop.
 */
public final class ClusterService implements ClusterStatusSource, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterService.class.getName());
  private static final long MILLIS_NANOS = 1_000_000L;

  /** How often, in ticks, the node announces its load. */
  private static final int LOAD_EVERY_TICKS = 10;

  /** How long a status request waits for the loop. */
  private static final long STATUS_TIMEOUT_MILLIS = 5_000;

  /** The default bound on clock skew, {@code replication.max_clock_skew_millis}. */
  public static final long DEFAULT_MAX_CLOCK_SKEW_MILLIS = 500;

  /** A peer's clock sample counts for at least this long (and ten gossip intervals). */
  private static final long CLOCK_SAMPLE_AGE_MIN_MILLIS = 10_000;

  /** The metadata log's directory under the node's directory (raft mode). */
  static final String METADATA_LOG_DIRECTORY = "metadata-raft";

  private final NodeConfig config;
  private final LongSupplier loadBytes;
  private final MeterRegistry registry;
  private final GossipStateFile stateFile;

  private final ScheduledExecutorService loop;
  private final Map<HostPort, Boolean> seedsReached = new LinkedHashMap<>();

  private final PeerClocks peerClocks;
  private final NodeId self;

  private volatile InternodeTransport transport;
  private volatile ClusterMembership membership;
  private volatile ClusterView view;
  private volatile ReplicaReceiver replicaReceiver;
  private volatile RaftMetadataService raftMetadata;
  private CompletableFuture<?> metadataFetch = CompletableFuture.completedFuture(null);
  private final EpochWatch epochWatch = new EpochWatch(FETCH_AFTER_TICKS_BEHIND);

  /** Ticks a peer must have been ahead of this node's metadata before this node fetches it. */
  static final int FETCH_AFTER_TICKS_BEHIND = 3;

  /** Keyspace changes waiting to see their epoch in this node's view at most. */
  static final int EPOCH_WAITERS_MAX = 64;

  /** How long a keyspace change may take, proposal and local application together. */
  static final long KEYSPACE_CHANGE_TIMEOUT_MILLIS = 10_000;

  /** Futures completed once the published view reaches their epoch; loop-confined. */
  private final List<EpochWaiter> epochWaiters = new ArrayList<>();

  private record EpochWaiter(long epoch, CompletableFuture<ClusterMetadata> future) {}

  private final List<String> seedNodes = new ArrayList<>();
  private long tickCount;
  private volatile boolean closed;

  /**
   * A cluster service for the node of {@code config}, not yet started.
   *
   * @param loadBytes how many bytes the node holds, asked now and then on the loop
   */
  public ClusterService(NodeConfig config, LongSupplier loadBytes, MeterRegistry registry) {
    this(config, loadBytes, registry, DEFAULT_MAX_CLOCK_SKEW_MILLIS);
  }

  /**
   * A cluster service for the node of {@code config}, not yet started.
   *
   * @param loadBytes how many bytes the node holds, asked now and then on the loop
   * @param maxClockSkewMillis the skew from its peers beyond which the node refuses to coordinate
   *     writes ({@link ClusterView#clockRefusal})
   */
  public ClusterService(
      NodeConfig config, LongSupplier loadBytes, MeterRegistry registry, long maxClockSkewMillis) {
    this.config = config;
    this.self = NodeId.of(config.node().id());
    this.view = ClusterView.starting(self);
    this.peerClocks =
        new PeerClocks(
            maxClockSkewMillis,
            Math.max(CLOCK_SAMPLE_AGE_MIN_MILLIS, 10 * config.cluster().gossipIntervalMillis())
                * MILLIS_NANOS);
    this.loadBytes = loadBytes;
    this.registry = registry;
    this.stateFile = new GossipStateFile(new LocalFileSystem(), config.node().directory());
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ringkv-cluster");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts: loads the stored gossip state, takes the next generation, listens for other nodes and
   * begins gossiping. Returns once the internode port is bound and the new generation is stored.
   *
   * @param clientPorts the bound ports of the Redis, HTTP and gRPC front ends (0: disabled)
   * @throws IOException if the state cannot be read or stored, or the port cannot be bound
   */
  public void start(int respPort, int httpPort, int grpcPort) throws IOException {
    ClusterSection cluster = config.cluster();
    InternodeSection internode = config.internode();
    Optional<PersistentGossipState> stored = stateFile.load();
    Path metadataLog = config.node().directory().resolve(METADATA_LOG_DIRECTORY);
    checkMetadataMode(cluster, stored, metadataLog);
    long generation =
        Gossip.nextGeneration(
            stored.map(PersistentGossipState::generation).orElse(0L),
            System.currentTimeMillis() / 1000);

    GossipConfig gossipConfig =
        GossipConfig.defaults()
            .withClusterName(cluster.name())
            .withFailureDetector(
                FailureDetectorConfig.defaults()
                    .withPhiConvictThreshold(cluster.phiConvictThreshold()));
    // In raft mode the router takes the metadata group's envelopes and passes the rest on.
    RaftRouter router = cluster.metadataOnRaft() ? new RaftRouter(handler()) : null;
    transport =
        new InternodeTransport(
            internodeConfig(internode),
            config.node().id(),
            cluster.name(),
            router != null ? router : handler(),
            registry,
            WireLimits.of(gossipConfig));
    transport.start();
    int internodePort = transport.localAddress().getPort();
    String host = cluster.advertiseHost().isEmpty() ? internode.host() : cluster.advertiseHost();
    Member self =
        Member.joining(
                NodeId.of(config.node().id()),
                new Address(host, internodePort, respPort, httpPort, grpcPort))
            .withPlace(cluster.datacenter(), cluster.rack())
            .withWeight(cluster.weight());

    // No seeds at all: this node founds a cluster of its own (node 1 of `ringkv up`).
    boolean selfIsSeed = cluster.seeds().isEmpty();
    for (HostPort seed : cluster.seeds()) {
      if (isSelf(seed, host, internodePort)) {
        selfIsSeed = true;
      } else {
        seedsReached.put(seed, false);
      }
    }
    MembershipConfig membershipConfig =
        new MembershipConfig(
            gossipConfig,
            cluster.numTokens(),
            MembershipConfig.defaults().allocationReplicationFactor(),
            cluster.ringDelayMillis() * MILLIS_NANOS,
            cluster.joinWaitMaxMillis() * MILLIS_NANOS);
    boolean seed = selfIsSeed;
    if (router != null) {
      // The first seed founds the metadata group; with no seeds, this node founds it alone.
      boolean founder =
          cluster.seeds().isEmpty() || isSelf(cluster.seeds().get(0), host, internodePort);
      try {
        raftMetadata =
            RaftMetadataService.start(
                self,
                cluster.numTokens(),
                founder,
                metadataLog,
                transport,
                router,
                (previous, current) -> onLoop(() -> onEpoch(previous, current)),
                () -> onLoop(this::metadataDuties));
      } catch (IOException | RuntimeException e) {
        transport.close();
        throw e;
      }
    }
    try {
      loop.submit(
              () -> {
                membership =
                    new ClusterMembership(
                        membershipConfig,
                        self,
                        stored,
                        generation,
                        List.of(),
                        seed,
                        new Rng(new SecureRandom().nextLong()));
                membership.subscribe(this::onEpoch);
                onEpoch(ClusterMetadata.empty(), membership.current());
                if (raftMetadata != null) {
                  // The log's metadata restored before the loop ran: its addresses count too.
                  onEpoch(ClusterMetadata.empty(), raftMetadata.current());
                }
                processReady(); // stores the new generation before anything is sent
                publishView(System.nanoTime());
                return null;
              })
          .get();
    } catch (Exception e) {
      transport.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw new IOException("cannot start the cluster service: " + cause.getMessage(), cause);
    }
    long intervalMillis = cluster.gossipIntervalMillis();
    loop.scheduleWithFixedDelay(this::tick, 0, intervalMillis, TimeUnit.MILLISECONDS);
    LOG.log(
        System.Logger.Level.INFO,
        "node {0} joins cluster {1} with generation {2}{3}, internode {4}",
        config.node().id(),
        cluster.name(),
        generation,
        stored.isPresent() ? " (restarted)" : " (new)",
        transport.localAddress());
  }

  /**
   * Refuses a node directory made under the other metadata mode: a cluster keeps the mode it was
   * created with (docs/decisions/008). A node that ran in gossip mode has a stored gossip state
   * with tokens and no metadata log; in raft mode it would found or join a Raft group that chooses
   * its tokens again, and its data would sit on ranges it no longer owns. A node that ran in raft
   * mode has a metadata log; in gossip mode the tokens its gossip state holds, not the log's, would
   * be taken.
   *
   * @throws IOException naming the option, the mode the directory was made with and the evidence
   */
  static void checkMetadataMode(
      ClusterSection cluster, Optional<PersistentGossipState> stored, Path metadataLog)
      throws IOException {
    boolean hasLog = Files.isDirectory(metadataLog);
    boolean hasGossipTokens =
        stored.isPresent() && stored.get().applicationStates().containsKey(ApplicationState.TOKENS);
    if (cluster.metadataOnRaft() && hasGossipTokens && !hasLog) {
      throw new IOException(
          "cluster.metadata is raft, but this node joined its cluster with cluster.metadata: gossip"
              + " (its gossip state holds tokens and it has no metadata log "
              + metadataLog
              + "); a cluster keeps the mode it was created with (docs/decisions/008): start it"
              + " with cluster.metadata=gossip");
    }
    if (!cluster.metadataOnRaft() && hasLog) {
      throw new IOException(
          "cluster.metadata is gossip, but this node joined its cluster with cluster.metadata:"
              + " raft (it has the metadata log "
              + metadataLog
              + "); a cluster keeps the mode it was created with (docs/decisions/008): start it"
              + " with cluster.metadata=raft");
    }
  }

  /** Where other nodes reach this node, once started. */
  public InetSocketAddress internodeAddress() {
    return transport.localAddress();
  }

  /** The newest snapshot of the cluster as this node sees it; never blocks. */
  public ClusterView view() {
    return view;
  }

  /**
   * How keyspaces are listed, created and dropped through this node: proposals to the metadata log
   * (raft mode); refused in gossip mode, whose metadata holds only {@code default}.
   */
  public KeyspaceAdmin keyspaceAdmin() {
    return new ClusterKeyspaceAdmin(this);
  }

  /** This node's member of the metadata group; null in gossip mode or before {@link #start}. */
  RaftMetadataService raftMetadata() {
    return raftMetadata;
  }

  /** Whether the metadata lives in a Raft log ({@code cluster.metadata: raft}). */
  boolean metadataOnRaft() {
    return config.cluster().metadataOnRaft();
  }

  /**
   * Completes with this node's view's metadata once it is at {@code epoch} or later, so that a
   * change the leader applied is in force for this node's requests when its caller hears of it;
   * fails after {@link #KEYSPACE_CHANGE_TIMEOUT_MILLIS}, or at once when {@link #EPOCH_WAITERS_MAX}
   * already wait.
   */
  CompletableFuture<ClusterMetadata> awaitEpoch(long epoch) {
    CompletableFuture<ClusterMetadata> future = new CompletableFuture<>();
    ClusterView current = view;
    if (current.metadata().epoch() >= epoch) {
      future.complete(current.metadata());
      return future;
    }
    onLoop(
        () -> {
          if (view.metadata().epoch() >= epoch) {
            future.complete(view.metadata());
          } else if (epochWaiters.size() >= EPOCH_WAITERS_MAX) {
            future.completeExceptionally(
                new IllegalStateException(
                    EPOCH_WAITERS_MAX + " keyspace changes already wait for this node's metadata"));
          } else {
            epochWaiters.add(new EpochWaiter(epoch, future));
          }
        });
    return future.orTimeout(KEYSPACE_CHANGE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** On the loop, after a view is published: completes the waiters its epoch reached. */
  private void releaseEpochWaiters() {
    if (epochWaiters.isEmpty()) {
      return;
    }
    ClusterMetadata metadata = view.metadata();
    epochWaiters.removeIf(
        waiter -> {
          if (waiter.future().isDone()) {
            return true; // timed out
          }
          if (metadata.epoch() >= waiter.epoch()) {
            waiter.future().complete(metadata);
            return true;
          }
          return false;
        });
  }

  /**
   * Where replication requests from peers go; set before {@link #start}. Until it is set they are
   * answered with a failure.
   */
  public void setReplicaReceiver(ReplicaReceiver receiver) {
    this.replicaReceiver = receiver;
  }

  /**
   * Sends {@code message} to {@code peer} as a request over the internode transport (see {@link
   * InternodeTransport#request(String, InternodeMessage, long)}); fails at once before the service
   * has started or after it stopped.
   */
  public CompletableFuture<InternodeMessage> request(
      String peer, InternodeMessage message, long timeoutMillis) {
    InternodeTransport current = transport;
    if (current == null || closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "the cluster service is " + (closed ? "stopped" : "still starting")));
    }
    try {
      return current.request(peer, message, timeoutMillis);
    } catch (IllegalStateException notStarted) {
      return CompletableFuture.failedFuture(notStarted);
    }
  }

  @Override
  public CompletableFuture<ClusterStatusReport> status() {
    if (closed || membership == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "the cluster service is " + (closed ? "stopped" : "still starting")));
    }
    CompletableFuture<ClusterStatusReport> result = new CompletableFuture<>();
    onLoop(() -> result.complete(report(System.nanoTime())));
    return result.orTimeout(STATUS_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.shutdown();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownNow();
    RaftMetadataService raft = raftMetadata;
    if (raft != null) {
      raft.close();
    }
    if (transport != null) {
      transport.close();
    }
  }

  // --- the loop ---

  private void onLoop(Runnable task) {
    if (closed) {
      return;
    }
    try {
      loop.execute(
          () -> {
            if (membership == null || closed) {
              return;
            }
            try {
              task.run();
              processReady();
              publishView(System.nanoTime());
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.ERROR, "cluster loop task failed", e);
            }
          });
    } catch (RejectedExecutionException stopping) {
      // closing: the message is dropped, as the network might have
    }
  }

  private void tick() {
    if (closed || membership == null) {
      return;
    }
    try {
      long now = System.nanoTime();
      if (tickCount++ % LOAD_EVERY_TICKS == 0) {
        membership.setLoad(Math.max(0, loadBytes.getAsLong()));
      }
      membership.tick(now);
      processReady();
      publishView(now);
      contactSeeds();
      echoPeers();
      RaftMetadataService raft = raftMetadata;
      if (raft != null) {
        metadataDuties();
        announceAndFetchMetadata(raft);
        processReady();
        publishView(now);
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "cluster tick failed", e);
    }
  }

  /** Raft mode: the node's metadata duties (join, Normal, the leader's upkeep), on the loop. */
  private void metadataDuties() {
    RaftMetadataService raft = raftMetadata;
    if (raft != null) {
      raft.tick(
          membership.gossip().endpointStates().keySet(),
          membership.gossip().liveEndpoints(),
          seedNodes);
    }
  }

  private void processReady() {
    if (!membership.hasReady()) {
      return;
    }
    Gossip.Ready ready = membership.ready();
    if (ready.persist().isPresent()) {
      try {
        stateFile.store(ready.persist().get());
      } catch (IOException e) {
        // Not stored: send nothing under a state that could be lost; try again next time.
        LOG.log(
            System.Logger.Level.ERROR,
            "cannot store the gossip state in " + stateFile.path() + "; not gossiping until it can",
            e);
        throw new UncheckedIOException(e);
      }
    }
    for (GossipMessage message : ready.messages()) {
      transport.send(message.to(), new InternodeMessage.Gossip(message));
    }
    for (GossipEvent event : ready.events()) {
      switch (event) {
        case GossipEvent.Up up ->
            LOG.log(System.Logger.Level.INFO, "node {0} is up", up.endpoint());
        case GossipEvent.Down down ->
            LOG.log(
                System.Logger.Level.WARNING,
                "node {0} is down (phi {1})",
                down.endpoint(),
                String.format("%.1f", down.phi()));
        case GossipEvent.Restarted restarted ->
            LOG.log(
                System.Logger.Level.INFO,
                "node {0} restarted with generation {1}",
                restarted.endpoint(),
                restarted.state().generation());
        case GossipEvent.Joined joined ->
            LOG.log(System.Logger.Level.INFO, "learnt of node {0}", joined.endpoint());
        case GossipEvent.Removed removed -> {
          LOG.log(System.Logger.Level.INFO, "forgot node {0}", removed.endpoint());
          peerClocks.forget(removed.endpoint());
        }
        case GossipEvent.Changed changed -> {}
      }
    }
    membership.advance(ready);
  }

  private void onEpoch(ClusterMetadata previous, ClusterMetadata current) {
    for (Member member : current.members().values()) {
      String id = member.id().value();
      if (id.equals(config.node().id())) {
        continue;
      }
      Optional<Member> before = previous.member(member.id());
      if (before.isEmpty() || !before.get().address().equals(member.address())) {
        // Resolved here, on the cluster loop: the transport's event loops must not wait on DNS.
        transport.updatePeerAddress(
            id, new InetSocketAddress(member.address().host(), member.address().internodePort()));
      }
    }
  }

  private void contactSeeds() {
    for (Map.Entry<HostPort, Boolean> entry : seedsReached.entrySet()) {
      if (entry.getValue()) {
        continue;
      }
      HostPort seed = entry.getKey();
      InetSocketAddress address = new InetSocketAddress(seed.host(), seed.port());
      if (address.isUnresolved()) {
        continue; // no such host (yet): try again next round
      }
      transport
          .handshake(address)
          .whenComplete(
              (name, failure) -> {
                if (failure == null) {
                  onLoop(
                      () -> {
                        if (!seedsReached.getOrDefault(seed, true)) {
                          seedsReached.put(seed, true);
                          transport.updatePeerAddress(name, address);
                          membership.addSeed(name);
                          seedNodes.add(name);
                          LOG.log(System.Logger.Level.INFO, "seed {0} is node {1}", seed, name);
                        }
                      });
                }
              });
    }
  }

  /**
   * Direct liveness checks: a dead peer's refused connection convicts it at once. The answers carry
   * the peer's wall clock, sampled into {@link #peerClocks} on the loop.
   */
  private void echoPeers() {
    long timeoutMillis = config.cluster().gossipIntervalMillis();
    for (String peer : membership.gossip().endpointStates().keySet()) {
      if (peer.equals(config.node().id())) {
        continue;
      }
      long sentMillis = System.currentTimeMillis();
      transport
          .request(peer, new InternodeMessage.Echo(System.nanoTime()), timeoutMillis)
          .whenComplete(
              (answer, failure) -> {
                // Timeouts say little; refusals arrive by the handler.
                if (answer instanceof InternodeMessage.EchoReply reply) {
                  long receivedMillis = System.currentTimeMillis();
                  onLoop(
                      () ->
                          peerClocks.sample(
                              peer,
                              sentMillis,
                              reply.wallMillis(),
                              receivedMillis,
                              System.nanoTime()));
                }
              });
    }
  }

  /**
   * Raft mode: gossips the metadata epoch this node has, and fetches the metadata from a live peer
   * that has been ahead for {@link #FETCH_AFTER_TICKS_BEHIND} ticks (long enough for the log to
   * have brought it, had this node been a caught-up member). One fetch at a time.
   */
  private void announceAndFetchMetadata(RaftMetadataService raft) {
    long epoch = raft.current().epoch();
    String announced = Long.toString(epoch);
    Optional<String> gossiped =
        Optional.ofNullable(membership.gossip().endpointStates().get(config.node().id()))
            .flatMap(state -> state.value(ApplicationState.METADATA_LOG_EPOCH));
    if (!gossiped.equals(Optional.of(announced))) {
      membership.gossip().setLocalState(ApplicationState.METADATA_LOG_EPOCH, announced);
    }
    TreeMap<String, Long> livePeerEpochs = new TreeMap<>();
    for (String peer : membership.gossip().liveEndpoints()) {
      Optional.ofNullable(membership.gossip().endpointStates().get(peer))
          .flatMap(state -> state.value(ApplicationState.METADATA_LOG_EPOCH))
          .ifPresent(value -> livePeerEpochs.put(peer, parseEpoch(value)));
    }
    Optional<String> ahead = epochWatch.tick(epoch, livePeerEpochs);
    if (ahead.isEmpty() || !metadataFetch.isDone()) {
      return;
    }
    String peer = ahead.get();
    metadataFetch =
        transport
            .request(
                peer,
                new InternodeMessage.MetadataFetch(epoch),
                config.cluster().gossipIntervalMillis())
            .whenComplete(
                (answer, failure) -> {
                  if (answer instanceof InternodeMessage.MetadataSnapshot snapshot
                      && snapshot.snapshot().length > 0) {
                    ClusterMetadata fetched;
                    try {
                      fetched = MetadataCodec.decodeSnapshot(snapshot.snapshot());
                    } catch (IllegalArgumentException e) {
                      LOG.log(System.Logger.Level.WARNING, "bad metadata from " + peer, e);
                      return;
                    }
                    onLoop(
                        () -> {
                          ClusterMetadata before = raft.current();
                          if (raft.install(fetched)) {
                            LOG.log(
                                System.Logger.Level.INFO,
                                "fetched metadata epoch {0} from {1}",
                                fetched.epoch(),
                                peer);
                            onEpoch(before, fetched);
                          }
                        });
                  }
                });
  }

  private static long parseEpoch(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0; // a peer's garbage is no reason to fetch
    }
  }

  /** The authoritative metadata: the Raft log's in raft mode, gossip's otherwise. */
  private ClusterMetadata metadata() {
    RaftMetadataService raft = raftMetadata;
    return raft != null ? raft.current() : membership.current();
  }

  /** Publishes what coordinators need, if it changed. Runs on the loop. */
  private void publishView(long nowNanos) {
    ClusterMetadata metadata = metadata();
    Set<NodeId> up = new HashSet<>();
    up.add(self);
    for (String endpoint : membership.gossip().liveEndpoints()) {
      try {
        up.add(NodeId.of(endpoint));
      } catch (IllegalArgumentException notANodeId) {
        // Gossip endpoints are node ids; one that is not cannot be a replica either.
      }
    }
    Optional<String> refusal = peerClocks.refusal(nowNanos);
    long skew = peerClocks.skewMillis(nowNanos);
    ClusterView previous = view;
    if (previous.started()
        && previous.metadata() == metadata
        && previous.up().equals(up)
        && previous.clockRefusal().equals(refusal)
        && previous.clockSkewMillis() == skew) {
      releaseEpochWaiters();
      return;
    }
    view = new ClusterView(self, metadata, up, refusal, skew, true);
    releaseEpochWaiters();
  }

  private InternodeHandler handler() {
    return new InternodeHandler() {
      @Override
      public void onMessage(String fromPeer, InternodeMessage message) {
        if (message instanceof InternodeMessage.Gossip gossip) {
          onLoop(() -> membership.step(gossip.message(), System.nanoTime()));
        }
      }

      @Override
      public CompletableFuture<InternodeMessage> onRequest(
          String fromPeer, InternodeMessage request) {
        if (request instanceof InternodeMessage.Replica replica) {
          ReplicaReceiver receiver = replicaReceiver;
          if (receiver == null) {
            return CompletableFuture.failedFuture(
                new IllegalStateException("node " + self + " does not take replica requests yet"));
          }
          return receiver.onReplica(fromPeer, replica);
        }
        if (request instanceof InternodeMessage.MetadataFetch fetch) {
          RaftMetadataService raft = raftMetadata;
          ClusterMetadata current = raft == null ? null : raft.current();
          return CompletableFuture.completedFuture(
              new InternodeMessage.MetadataSnapshot(
                  current != null && current.epoch() > fetch.epoch()
                      ? MetadataCodec.encode(current)
                      : new byte[0]));
        }
        if (request instanceof InternodeMessage.Echo echo) {
          return CompletableFuture.completedFuture(
              new InternodeMessage.EchoReply(echo.sentNanos(), System.currentTimeMillis()));
        }
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("no handler for request " + request));
      }

      @Override
      public void onConnectionRefused(String peer) {
        onLoop(() -> membership.reportRefused(peer, System.nanoTime()));
      }
    };
  }

  private ClusterStatusReport report(long nowNanos) {
    List<ClusterStatusReport.NodeLine> lines = new ArrayList<>();
    for (ClusterMembership.MemberStatus status : membership.status(nowNanos)) {
      Optional<Address> address = status.address();
      lines.add(
          new ClusterStatusReport.NodeLine(
              status.id().value(),
              status.self(),
              status.up() ? "UP" : "DOWN",
              status.status().name(),
              address.map(Address::host).orElse(""),
              address.map(Address::internodePort).orElse(0),
              address.map(Address::respPort).orElse(0),
              address.map(Address::httpPort).orElse(0),
              address.map(Address::grpcPort).orElse(0),
              status.datacenter(),
              status.rack(),
              status.tokens(),
              status.load(),
              status.owns(),
              status.ownsEffective(),
              status.generation(),
              status.epochSeen(),
              status.phi()));
    }
    RaftMetadataService raft = raftMetadata;
    if (raft == null) {
      return new ClusterStatusReport(
              config.node().id(),
              config.cluster().name(),
              membership.current().epoch(),
              membership.joinPhase().name(),
              lines,
              null)
          .withKeyspaces(keyspaceLines(membership.current()));
    }
    ClusterMetadata metadata = raft.current();
    RaftGroupStatus group = raft.status();
    Member me = metadata.member(self).orElse(null);
    return new ClusterStatusReport(
        config.node().id(),
        config.cluster().name(),
        metadata.epoch(),
        me != null && me.status() == Member.Status.NORMAL ? "JOINED" : "JOINING",
        raftLines(metadata, lines),
        null,
        new ClusterStatusReport.MetadataStatus(
            ClusterSection.METADATA_RAFT,
            raft.leader().map(NodeId::value).orElse(""),
            group.role().name(),
            group.term(),
            names(metadata, group.configuration().voters()),
            names(metadata, group.configuration().learners()),
            group.applied()),
        keyspaceLines(metadata));
  }

  /** The keyspaces of {@code metadata}, sorted by name, with their conflict modes. */
  private static List<ClusterStatusReport.KeyspaceLine> keyspaceLines(ClusterMetadata metadata) {
    List<ClusterStatusReport.KeyspaceLine> keyspaces = new ArrayList<>();
    for (Keyspace keyspace : metadata.keyspaces().values()) {
      keyspaces.add(ClusterStatusReport.KeyspaceLine.of(keyspace));
    }
    return keyspaces;
  }

  /**
   * The status lines of the Raft metadata's members: place, status and tokens from the log,
   * liveness and load from gossip's lines.
   */
  private List<ClusterStatusReport.NodeLine> raftLines(
      ClusterMetadata metadata, List<ClusterStatusReport.NodeLine> gossipLines) {
    Map<String, ClusterStatusReport.NodeLine> byNode = new LinkedHashMap<>();
    for (ClusterStatusReport.NodeLine line : gossipLines) {
      byNode.put(line.id(), line);
    }
    Ownership primary = Ownership.primary(metadata.ring());
    Optional<Ownership> effective =
        metadata.keyspace(Keyspace.DEFAULT_NAME).isPresent() && !metadata.ring().isEmpty()
            ? Optional.of(Ownership.effective(metadata, Keyspace.DEFAULT_NAME))
            : Optional.empty();
    Set<String> live = membership.gossip().liveEndpoints();
    List<ClusterStatusReport.NodeLine> lines = new ArrayList<>();
    for (Member member : metadata.members().values()) {
      String id = member.id().value();
      ClusterStatusReport.NodeLine gossip = byNode.get(id);
      boolean isSelf = member.id().equals(self);
      Address address = member.address();
      lines.add(
          new ClusterStatusReport.NodeLine(
              id,
              isSelf,
              isSelf || live.contains(id) ? "UP" : "DOWN",
              member.status().name(),
              address.host(),
              address.internodePort(),
              address.respPort(),
              address.httpPort(),
              address.grpcPort(),
              member.datacenter(),
              member.rack(),
              member.tokens().size(),
              gossip == null ? 0 : gossip.loadBytes(),
              primary.fraction(member.id()),
              effective.map(ownership -> ownership.fraction(member.id())).orElse(0.0),
              gossip == null ? 0 : gossip.generation(),
              metadata.epoch(),
              gossip == null ? 0 : gossip.phi()));
    }
    return lines;
  }

  private static List<String> names(ClusterMetadata metadata, List<Long> raftIds) {
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (long raftId : raftIds) {
      String name = "raft-" + raftId;
      for (Member member : metadata.members().values()) {
        if (RaftIds.of(member.id()) == raftId) {
          name = member.id().value();
        }
      }
      names.put(name, true);
    }
    return List.copyOf(names.keySet());
  }

  private static InternodeConfig internodeConfig(InternodeSection section) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    section
        .peerAddresses()
        .forEach(
            (peer, address) ->
                peers.put(
                    peer, InetSocketAddress.createUnresolved(address.host(), address.port())));
    return new InternodeConfig(
        section.host(),
        section.port(),
        section.maxConnections(),
        (int) Math.min(Integer.MAX_VALUE, section.frameBytesMax()),
        section.outboundQueueMessagesMax(),
        section.connectionsPerPeer(),
        section.connectTimeoutMillis(),
        section.handshakeTimeoutMillis(),
        section.requestTimeoutMillis(),
        section.pendingRequestsMax(),
        peers);
  }

  /** Whether {@code seed} names this node: same port, and the same host or the same address. */
  static boolean isSelf(HostPort seed, String host, int port) {
    if (seed.port() != port) {
      return false;
    }
    if (seed.host().equalsIgnoreCase(host)) {
      return true;
    }
    try {
      InetAddress seedAddress = InetAddress.getByName(seed.host());
      InetAddress own = InetAddress.getByName(host);
      return seedAddress.equals(own)
          || (own.isAnyLocalAddress() && seedAddress.isLoopbackAddress());
    } catch (UnknownHostException unresolvable) {
      return false;
    }
  }
}
