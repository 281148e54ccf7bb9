package io.ringkv.cluster.membership;

import io.ringkv.cluster.membership.GossipMessage.Ack;
import io.ringkv.cluster.membership.GossipMessage.Ack2;
import io.ringkv.cluster.membership.GossipMessage.Syn;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Gossip membership, Cassandra style ({@code org.apache.cassandra.gms.Gossiper}, after the
 * anti-entropy gossip of van Renesse et al., "Efficient Reconciliation and Flow Control for
 * Anti-Entropy Protocols", 2008). Each node announces its own {@link EndpointState} (generation,
 * heartbeat, versioned application values) and learns everyone else's; a phi accrual {@link
 * PhiAccrualFailureDetector} fed by the heartbeats it sees decides who is up. See
 * docs/design/gossip.md.
 *
 * <p>Shape (STYLE.md §1, etcd raft's {@code Ready}): no I/O, no clock, no threads. The caller calls
 * {@link #tick} once per gossip interval (one second) and {@link #step} for every message received,
 * passing the current monotonic time; then takes {@link #ready()}, stores {@link Ready#persist()}
 * if present, sends {@link Ready#messages()} in order, hands {@link Ready#events()} to the rest of
 * the node, and calls {@link #advance}. Randomness (peer choice, digest sampling) comes from the
 * seeded {@link Rng} given at construction, so one seed replays one run.
 *
 * <p>A round: the tick bumps the node's heartbeat, then sends a {@link Syn} (digests: endpoint,
 * generation, highest version) to a random live peer; to a random unreachable one with probability
 * {@code unreachable / (live + 1)}; and to a random seed if the live peer was not a seed or fewer
 * peers are live than there are seeds, always when none is live and otherwise with probability
 * {@code seeds / (live + unreachable)} (Cassandra's rules). The receiver answers with an {@link
 * Ack} holding what the sender lacks and digests of what it lacks itself; the sender applies it and
 * answers with an {@link Ack2} holding what was asked.
 *
 * <p>Ordering: a higher generation replaces an endpoint's whole state (it restarted); within a
 * generation the heartbeat and each value are replaced only by a higher version. Versions come from
 * one counter per node shared by the heartbeat and the values, so a digest's highest version says
 * everything about what a node has seen of an endpoint in that generation. A part of a state
 * applies only onto a state holding what it follows, and an unknown endpoint or a new generation is
 * taken only whole ({@link EndpointDelta}), so no known state ever has a hole.
 *
 * <p>Liveness: an endpoint is up once the detector has seen a heartbeat arrive: its heartbeat
 * version or generation advancing, or its own state received from itself. An endpoint learnt only
 * second-hand and never heard advancing stays unreachable, so that a dead node announced by a peer
 * is never reported up.
 *
 * <p>Invariants: at most {@link GossipConfig#endpointsMax()} endpoints known, the node itself
 * always one of them, with its state only ever changed by itself; all maps are sorted, so that
 * iteration order never depends on hashing; the outbox, the events and every message are bounded by
 * {@link GossipConfig}.
 *
 * <p>Not thread-safe: owned by one node loop.
 */
public final class Gossip {
  /**
   * The {@link ApplicationState#STATUS} value of a node that left the cluster (or its prefix,
   * followed by a comma and details). Such a node is forgotten {@link
   * GossipConfig#leftRetentionNanos()} after its last heartbeat, and is not learnt anew.
   */
  public static final String STATUS_LEFT = "LEFT";

  /**
   * What the caller must do after a tick or step: store {@code persist} (if present) first, then
   * send {@code messages} in order, then deliver {@code events}, then call {@link #advance}.
   *
   * @param messages messages to send, in order
   * @param events what changed in this node's view of the others, in order
   * @param persist state to store durably before sending, when it changed
   */
  public record Ready(
      List<GossipMessage> messages,
      List<GossipEvent> events,
      Optional<PersistentGossipState> persist) {
    public Ready {
      messages = List.copyOf(messages);
      events = List.copyOf(events);
      Objects.requireNonNull(persist, "persist");
    }

    /** True if there is nothing to do. */
    public boolean isEmpty() {
      return messages.isEmpty() && events.isEmpty() && persist.isEmpty();
    }
  }

  /**
   * Orders digests most out-of-date first, as Cassandra does, so that bounded answers help most.
   */
  private record Prioritized(GossipDigest digest, long difference) {}

  private static final Comparator<Prioritized> MOST_OUT_OF_DATE_FIRST =
      Comparator.comparingLong(Prioritized::difference)
          .reversed()
          .thenComparing(p -> p.digest().endpoint());

  private final String self;
  private final GossipConfig config;
  private final long generation;
  private final TreeSet<String> seeds = new TreeSet<>();
  private final Rng rng;
  private final PhiAccrualFailureDetector detector;

  /** Every endpoint known, this node included. */
  private final TreeMap<String, EndpointState> states = new TreeMap<>();

  /** When each other endpoint's heartbeat last advanced, on this node's clock. */
  private final TreeMap<String, Long> lastAdvanceNanos = new TreeMap<>();

  /** Forgotten endpoints, and until when their states are ignored. */
  private final TreeMap<String, Long> quarantinedUntilNanos = new TreeMap<>();

  private final List<GossipMessage> outbox = new ArrayList<>();
  private final List<GossipEvent> events = new ArrayList<>();
  private PersistentGossipState unpersisted;
  private long version;

  private long synsSent;
  private long acksSent;
  private long ack2sSent;
  private long messagesReceived;
  private long messagesDropped;
  private long digestsOmitted;
  private long deltasOmitted;
  private long deltasOutOfSequence;
  private long endpointsRejected;
  private long statesRejected;
  private long clusterNameMismatches;
  private long misdirectedMessages;
  private long selfConflicts;

  /**
   * A node's gossip, starting a new generation.
   *
   * @param self this node's name
   * @param config settings and bounds
   * @param generation this run's generation: {@link #nextGeneration} of the one stored by the
   *     previous run (the first {@link #ready()} asks to store it)
   * @param localStates this node's application values (on a restart, the stored ones, so that the
   *     node keeps its tokens); they get versions 1, 2, ... in key order
   * @param seeds nodes to contact when no one else is known or live; this node may be among them
   * @param rng the seeded source of every random choice
   */
  public Gossip(
      String self,
      GossipConfig config,
      long generation,
      Map<ApplicationState, String> localStates,
      List<String> seeds,
      Rng rng) {
    this.self = EndpointState.checkEndpoint("self", self);
    this.config = Objects.requireNonNull(config, "config");
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be non-negative, was " + generation);
    }
    this.generation = generation;
    this.rng = Objects.requireNonNull(rng, "rng");
    this.detector = new PhiAccrualFailureDetector(config.failureDetector());
    if (seeds.size() > config.endpointsMax()) {
      throw new IllegalArgumentException(
          "seeds must hold at most endpointsMax ("
              + config.endpointsMax()
              + ") nodes, held "
              + seeds.size());
    }
    for (String seed : seeds) {
      this.seeds.add(EndpointState.checkEndpoint("seed", seed));
    }
    this.seeds.remove(self);

    TreeMap<ApplicationState, VersionedValue> own = new TreeMap<>();
    for (Map.Entry<ApplicationState, String> entry : new TreeMap<>(localStates).entrySet()) {
      own.put(entry.getKey(), new VersionedValue(checkValue(entry.getValue()), ++version));
    }
    states.put(self, new EndpointState(self, generation, 0, own));
    unpersisted = persistentState();
  }

  /**
   * The generation for a new run, from the one the previous run stored ({@code 0} if none) and the
   * wall clock in seconds: {@code max(stored + 1, wallClockSeconds)}. The server passes the real
   * wall clock, so generations are seconds as in Cassandra and a node whose stored generation was
   * lost still comes back above its old one (its clock permitting); tests and the simulator may
   * pass 0 to count restarts 1, 2, 3. Keep to one convention per cluster: a jump of more than
   * {@link GossipConfig#generationDifferenceMax()} is ignored by the other nodes.
   */
  public static long nextGeneration(long storedGeneration, long wallClockSeconds) {
    if (storedGeneration < 0 || storedGeneration == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "storedGeneration must be in [0, Long.MAX_VALUE), was " + storedGeneration);
    }
    return Math.max(storedGeneration + 1, wallClockSeconds);
  }

  // --- inputs ---

  /**
   * One gossip round at {@code nowNanos}: bump the heartbeat, re-evaluate liveness, forget departed
   * nodes whose time is up, and send SYNs (see the class comment for the choice of peers).
   */
  public void tick(long nowNanos) {
    EndpointState own = states.get(self);
    states.put(self, own.withHeartbeat(++version));
    interpretLiveness(nowNanos);
    expire(nowNanos);
    sendSyns();
  }

  /** Handles one received message at {@code nowNanos}. Messages for another node are ignored. */
  public void step(GossipMessage message, long nowNanos) {
    if (!message.to().equals(self) || message.from().equals(self)) {
      misdirectedMessages++;
      return;
    }
    messagesReceived++;
    switch (message) {
      case Syn syn -> onSyn(syn);
      case Ack ack -> onAck(ack, nowNanos);
      case Ack2 ack2 -> onAck2(ack2, nowNanos);
    }
    interpretLiveness(nowNanos);
  }

  /**
   * Sets one of this node's own values, with the next version; it spreads with the next rounds and
   * is handed out to be stored in the next {@link #ready()}.
   *
   * @throws IllegalArgumentException if the value exceeds {@link GossipConfig#valueCharsMax()}
   */
  public void setLocalState(ApplicationState key, String value) {
    Objects.requireNonNull(key, "key");
    checkValue(value);
    states.put(self, states.get(self).with(key, new VersionedValue(value, ++version)));
    unpersisted = persistentState();
  }

  /**
   * Adds a seed learnt after start: the server knows its seeds by address and learns their names
   * from the internode handshake. Adding this node itself, or a seed already known, does nothing.
   *
   * @throws IllegalStateException if {@link GossipConfig#endpointsMax()} seeds are known already
   */
  public void addSeed(String seed) {
    EndpointState.checkEndpoint("seed", seed);
    if (seed.equals(self) || seeds.contains(seed)) {
      return;
    }
    if (seeds.size() >= config.endpointsMax()) {
      throw new IllegalStateException(
          "cannot add seed " + seed + ": endpointsMax (" + config.endpointsMax() + ") reached");
    }
    seeds.add(seed);
  }

  /**
   * Reports that a connection to {@code endpoint} was refused: nothing listens where it should, so
   * its process is gone (a crash or kill shows this at once, long before phi would). It is
   * convicted now and stays down until it restarts, or until a heartbeat arrives after {@link
   * FailureDetectorConfig#localPauseMaxNanos()} (a refusal that was not what it seemed, such as a
   * firewall rejecting connections to a live node). Unknown endpoints and this node are ignored.
   */
  public void reportRefused(String endpoint, long nowNanos) {
    reportRefused(endpoint, nowNanos, nowNanos);
  }

  /**
   * Reports that a connection to {@code endpoint} attempted at {@code attemptNanos} was refused, as
   * heard at {@code nowNanos}; as {@link #reportRefused(String, long)}, except that the refusal is
   * ignored if the endpoint's heartbeat advanced (or it restarted) after the attempt began. Such a
   * refusal is stale: the attempt raced with a restart, and the process that refused is gone while
   * a new one runs. Taken, it would convict the new process and hold it down for {@link
   * FailureDetectorConfig#localPauseMaxNanos()} (the simulator found this: a reset that took half a
   * second to come back marked a node that had just restarted down for five seconds).
   */
  public void reportRefused(String endpoint, long attemptNanos, long nowNanos) {
    if (endpoint.equals(self) || !states.containsKey(endpoint)) {
      return;
    }
    Long advancedNanos = lastAdvanceNanos.get(endpoint);
    if (advancedNanos != null && advancedNanos > attemptNanos) {
      return;
    }
    detector
        .convict(endpoint, nowNanos, config.failureDetector().localPauseMaxNanos())
        .ifPresent(t -> emit(new GossipEvent.Down(t.endpoint(), t.phi())));
  }

  // --- outputs ---

  /** What to store, send and deliver since the last {@link #advance}. */
  public Ready ready() {
    return new Ready(outbox, events, Optional.ofNullable(unpersisted));
  }

  /** True if {@link #ready()} has anything. */
  public boolean hasReady() {
    return !outbox.isEmpty() || !events.isEmpty() || unpersisted != null;
  }

  /**
   * Acknowledges that {@code ready} (from the last {@link #ready()}) was stored, sent, delivered.
   */
  public void advance(Ready ready) {
    if (ready.messages().size() > outbox.size() || ready.events().size() > events.size()) {
      throw new IllegalStateException(
          "advance with a Ready this node did not hand out: "
              + ready.messages().size()
              + " messages and "
              + ready.events().size()
              + " events, but only "
              + outbox.size()
              + " and "
              + events.size()
              + " are pending");
    }
    outbox.subList(0, ready.messages().size()).clear();
    events.subList(0, ready.events().size()).clear();
    if (ready.persist().isPresent() && ready.persist().get().equals(unpersisted)) {
      unpersisted = null;
    }
  }

  // --- queries ---

  public String self() {
    return self;
  }

  public long generation() {
    return generation;
  }

  public GossipConfig config() {
    return config;
  }

  /** The seeds other than this node, sorted. */
  public SortedSet<String> seeds() {
    return Collections.unmodifiableSortedSet(seeds);
  }

  /** This node's own state. */
  public EndpointState localState() {
    return states.get(self);
  }

  /** Every endpoint known, this node included, by name. */
  public SortedMap<String, EndpointState> endpointStates() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(states));
  }

  /** What is known of {@code endpoint}, if anything. */
  public Optional<EndpointState> endpointState(String endpoint) {
    return Optional.ofNullable(states.get(endpoint));
  }

  /** Whether {@code endpoint} is considered alive; this node always is. */
  public boolean isUp(String endpoint) {
    return endpoint.equals(self) || detector.isUp(endpoint);
  }

  /** The other endpoints considered alive, sorted. */
  public SortedSet<String> liveEndpoints() {
    TreeSet<String> live = new TreeSet<>();
    for (String endpoint : states.keySet()) {
      if (!endpoint.equals(self) && detector.isUp(endpoint)) {
        live.add(endpoint);
      }
    }
    return live;
  }

  /** The other endpoints known but not considered alive, sorted. */
  public SortedSet<String> unreachableEndpoints() {
    TreeSet<String> unreachable = new TreeSet<>();
    for (String endpoint : states.keySet()) {
      if (!endpoint.equals(self) && !detector.isUp(endpoint)) {
        unreachable.add(endpoint);
      }
    }
    return unreachable;
  }

  /** A status display's snapshot at {@code nowNanos}, one line per endpoint, sorted by name. */
  public List<EndpointView> view(long nowNanos) {
    List<EndpointView> lines = new ArrayList<>(states.size());
    for (EndpointState state : states.values()) {
      boolean isSelf = state.endpoint().equals(self);
      lines.add(
          new EndpointView(
              state.endpoint(),
              isSelf,
              isUp(state.endpoint()),
              isSelf ? 0.0 : detector.phi(state.endpoint(), nowNanos),
              state));
    }
    return lines;
  }

  /** The failure detector's phi for {@code endpoint} at {@code nowNanos} (0 if never heard). */
  public double phi(String endpoint, long nowNanos) {
    return detector.phi(endpoint, nowNanos);
  }

  public GossipStats stats() {
    return new GossipStats(
        synsSent,
        acksSent,
        ack2sSent,
        messagesReceived,
        messagesDropped,
        digestsOmitted,
        deltasOmitted,
        deltasOutOfSequence,
        endpointsRejected,
        statesRejected,
        clusterNameMismatches,
        misdirectedMessages,
        selfConflicts,
        detector.localPauses());
  }

  // --- the round ---

  private void sendSyns() {
    List<String> live = new ArrayList<>(liveEndpoints());
    List<String> unreachable = new ArrayList<>(unreachableEndpoints());
    SequencedSet<String> targets = new LinkedHashSet<>();
    boolean gossipedToSeed = false;
    if (!live.isEmpty()) {
      String target = live.get(rng.nextInt(live.size()));
      targets.add(target);
      gossipedToSeed = seeds.contains(target);
    }
    if (!unreachable.isEmpty()) {
      double probability = unreachable.size() / (live.size() + 1.0);
      if (rng.nextDouble() < probability) {
        targets.add(unreachable.get(rng.nextInt(unreachable.size())));
      }
    }
    if (!seeds.isEmpty() && (!gossipedToSeed || live.size() < seeds.size())) {
      List<String> seedList = new ArrayList<>(seeds);
      if (live.isEmpty()) {
        targets.add(seedList.get(rng.nextInt(seedList.size())));
      } else {
        double probability = seeds.size() / (double) (live.size() + unreachable.size());
        if (rng.nextDouble() <= probability) {
          targets.add(seedList.get(rng.nextInt(seedList.size())));
        }
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    List<GossipDigest> digests = synDigests();
    for (String target : targets) {
      if (send(new Syn(self, target, config.clusterName(), digests))) {
        synsSent++;
      }
    }
  }

  /**
   * The digests of every endpoint known, or, with more than {@link GossipConfig#synDigestsMax()},
   * this node's own and a random sample of the others (so that over rounds all are covered); sorted
   * by endpoint.
   */
  private List<GossipDigest> synDigests() {
    if (states.size() <= config.synDigestsMax()) {
      List<GossipDigest> digests = new ArrayList<>(states.size());
      for (EndpointState state : states.values()) {
        digests.add(state.digest());
      }
      return digests;
    }
    List<String> others = new ArrayList<>(states.keySet());
    others.remove(self);
    int sample = config.synDigestsMax() - 1;
    for (int i = 0; i < sample; i++) { // a partial Fisher-Yates shuffle
      Collections.swap(others, i, rng.nextInt(i, others.size()));
    }
    TreeSet<String> chosen = new TreeSet<>(others.subList(0, sample));
    chosen.add(self);
    digestsOmitted += states.size() - chosen.size();
    List<GossipDigest> digests = new ArrayList<>(chosen.size());
    for (String endpoint : chosen) {
      digests.add(states.get(endpoint).digest());
    }
    return digests;
  }

  /**
   * Compares the sender's digests with what this node knows (Cassandra's {@code examineGossiper}):
   * for each endpoint, ask for what the sender has that is newer, or send what this node has that
   * is newer. A newer generation on either side means all of it.
   */
  private void onSyn(Syn syn) {
    if (!syn.clusterName().equals(config.clusterName())) {
      clusterNameMismatches++;
      return;
    }
    List<Prioritized> prioritized = new ArrayList<>();
    for (GossipDigest digest : truncateDigests(syn.digests())) {
      EndpointState local = states.get(digest.endpoint());
      long difference =
          local == null || local.generation() != digest.generation()
              ? Math.max(digest.maxVersion(), local == null ? 0 : local.maxVersion())
              : Math.abs(digest.maxVersion() - local.maxVersion());
      prioritized.add(new Prioritized(digest, difference));
    }
    prioritized.sort(MOST_OUT_OF_DATE_FIRST);

    List<GossipDigest> requests = new ArrayList<>();
    List<EndpointDelta> deltas = new ArrayList<>();
    for (Prioritized entry : prioritized) {
      GossipDigest digest = entry.digest();
      String endpoint = digest.endpoint();
      EndpointState local = states.get(endpoint);
      if (endpoint.equals(self)
          && (digest.generation() > generation
              || (digest.generation() == generation && digest.maxVersion() > version))) {
        selfConflicts++; // someone knows more of this node than it does itself: never ask for it
        continue;
      }
      if (local == null) {
        if (!isQuarantined(endpoint) && states.size() < config.endpointsMax()) {
          addRequest(requests, new GossipDigest(endpoint, digest.generation(), 0));
        }
      } else if (local.generation() < digest.generation()) {
        addRequest(requests, new GossipDigest(endpoint, digest.generation(), 0));
      } else if (local.generation() > digest.generation()) {
        addDelta(deltas, Optional.of(EndpointDelta.whole(local)));
      } else if (local.maxVersion() < digest.maxVersion()) {
        addRequest(requests, new GossipDigest(endpoint, digest.generation(), local.maxVersion()));
      } else if (local.maxVersion() > digest.maxVersion()) {
        addDelta(deltas, local.newerThan(digest.maxVersion()));
      }
    }
    if (send(new Ack(self, syn.from(), requests, deltas))) {
      acksSent++;
    }
  }

  /** Applies what the receiver of our SYN sent, and sends it what it asked for. */
  private void onAck(Ack ack, long nowNanos) {
    applyDeltas(ack.deltas(), ack.from(), nowNanos);
    List<EndpointDelta> deltas = new ArrayList<>();
    for (GossipDigest request : truncateDigests(ack.requests())) {
      EndpointState local = states.get(request.endpoint());
      if (local == null || local.generation() < request.generation()) {
        continue;
      }
      // Same generation: what is newer than the request. Ours newer: all of it, since the
      // requester's versions belong to a generation that no longer exists.
      addDelta(
          deltas,
          local.generation() == request.generation()
              ? local.newerThan(request.maxVersion())
              : Optional.of(EndpointDelta.whole(local)));
    }
    if (!deltas.isEmpty() && send(new Ack2(self, ack.from(), deltas))) {
      ack2sSent++;
    }
  }

  private void onAck2(Ack2 ack2, long nowNanos) {
    applyDeltas(ack2.deltas(), ack2.from(), nowNanos);
  }

  private List<GossipDigest> truncateDigests(List<GossipDigest> digests) {
    if (digests.size() <= config.synDigestsMax()) {
      return digests;
    }
    digestsOmitted += digests.size() - config.synDigestsMax();
    return digests.subList(0, config.synDigestsMax());
  }

  private void addRequest(List<GossipDigest> requests, GossipDigest request) {
    if (requests.size() < config.synDigestsMax()) {
      requests.add(request);
    } else {
      digestsOmitted++;
    }
  }

  private void addDelta(List<EndpointDelta> deltas, Optional<EndpointDelta> delta) {
    if (delta.isEmpty()) {
      return;
    }
    if (deltas.size() < config.deltasPerMessageMax()) {
      deltas.add(delta.get());
    } else {
      deltasOmitted++;
    }
  }

  // --- applying states (Cassandra's applyStateLocally) ---

  private void applyDeltas(List<EndpointDelta> received, String from, long nowNanos) {
    int limit = Math.min(received.size(), config.deltasPerMessageMax());
    deltasOmitted += received.size() - limit;
    for (int i = 0; i < limit; i++) {
      apply(received.get(i), from, nowNanos);
    }
  }

  private void apply(EndpointDelta delta, String from, long nowNanos) {
    EndpointState remote = delta.state();
    String endpoint = remote.endpoint();
    if (endpoint.equals(self)) {
      if (remote.generation() > generation) {
        selfConflicts++;
      }
      return; // only this node speaks for itself
    }
    if (isQuarantined(endpoint)) {
      return;
    }
    if (!valuesFit(remote)) {
      statesRejected++;
      return;
    }
    EndpointState local = states.get(endpoint);
    if (remote.generation() < (local == null ? 0 : local.generation())) {
      return; // a restarted node's past
    }
    boolean fits =
        local == null || remote.generation() > local.generation()
            ? delta.isWhole()
            : delta.afterVersion() <= local.maxVersion();
    if (!fits) {
      // A part of a state whose beginning this node does not hold: a late answer to a question
      // asked before it restarted or forgot the endpoint. Taking it would leave values missing
      // that no later digest would ever ask for again.
      deltasOutOfSequence++;
      return;
    }
    if (local == null) {
      learn(remote, from, nowNanos);
    } else if (remote.generation() > local.generation()) {
      if (remote.generation() - local.generation() > config.generationDifferenceMax()) {
        statesRejected++;
        return;
      }
      states.put(endpoint, remote);
      emit(new GossipEvent.Restarted(endpoint, local.generation(), remote));
      detector.resetHistory(endpoint);
      heartbeatArrived(endpoint, nowNanos);
    } else {
      merge(local, remote, nowNanos);
    }
  }

  private void learn(EndpointState remote, String from, long nowNanos) {
    String endpoint = remote.endpoint();
    if (isLeft(remote)) {
      return; // nothing to learn about a node that already left
    }
    if (states.size() >= config.endpointsMax()) {
      endpointsRejected++;
      return;
    }
    states.put(endpoint, remote);
    lastAdvanceNanos.put(endpoint, nowNanos);
    emit(new GossipEvent.Joined(endpoint, remote));
    if (endpoint.equals(from)) {
      heartbeatArrived(endpoint, nowNanos); // heard from the node itself: it is alive now
    }
  }

  private void merge(EndpointState local, EndpointState remote, long nowNanos) {
    String endpoint = local.endpoint();
    EndpointState merged = local;
    boolean advanced = remote.heartbeatVersion() > local.heartbeatVersion();
    if (advanced) {
      merged = merged.withHeartbeat(remote.heartbeatVersion());
    }
    List<GossipEvent> changes = new ArrayList<>();
    for (Map.Entry<ApplicationState, VersionedValue> entry : remote.states().entrySet()) {
      VersionedValue known = local.states().get(entry.getKey());
      if (known == null || entry.getValue().version() > known.version()) {
        merged = merged.with(entry.getKey(), entry.getValue());
        changes.add(new GossipEvent.Changed(endpoint, entry.getKey(), entry.getValue()));
      }
    }
    if (merged != local) {
      states.put(endpoint, merged);
    }
    changes.forEach(this::emit);
    if (advanced) {
      heartbeatArrived(endpoint, nowNanos);
    }
  }

  private void heartbeatArrived(String endpoint, long nowNanos) {
    lastAdvanceNanos.put(endpoint, nowNanos);
    // Cannot fail: the detector tracks at least endpointsMax endpoints (checked by GossipConfig).
    if (!detector.report(endpoint, nowNanos)) {
      throw new IllegalStateException(
          "failure detector full with " + states.size() + " endpoints known: " + endpoint);
    }
  }

  // --- liveness and expiry ---

  private void interpretLiveness(long nowNanos) {
    for (PhiAccrualFailureDetector.Transition transition : detector.interpret(nowNanos)) {
      emit(
          transition.up()
              ? new GossipEvent.Up(transition.endpoint(), transition.phi())
              : new GossipEvent.Down(transition.endpoint(), transition.phi()));
    }
  }

  /** Forgets nodes that left once their retention is over, and ends quarantines that are over. */
  private void expire(long nowNanos) {
    quarantinedUntilNanos.values().removeIf(until -> until <= nowNanos);
    Iterator<Map.Entry<String, EndpointState>> entries = states.entrySet().iterator();
    while (entries.hasNext()) {
      EndpointState state = entries.next().getValue();
      String endpoint = state.endpoint();
      if (endpoint.equals(self) || !isLeft(state) || detector.isUp(endpoint)) {
        continue;
      }
      if (nowNanos - lastAdvanceNanos.get(endpoint) >= config.leftRetentionNanos()) {
        entries.remove();
        lastAdvanceNanos.remove(endpoint);
        detector.remove(endpoint);
        quarantine(endpoint, nowNanos);
        emit(new GossipEvent.Removed(endpoint));
      }
    }
  }

  private void quarantine(String endpoint, long nowNanos) {
    if (quarantinedUntilNanos.size() >= config.endpointsMax()) {
      // Bounded: end the quarantine that ends soonest.
      String soonest = null;
      for (Map.Entry<String, Long> entry : quarantinedUntilNanos.entrySet()) {
        if (soonest == null || entry.getValue() < quarantinedUntilNanos.get(soonest)) {
          soonest = entry.getKey();
        }
      }
      quarantinedUntilNanos.remove(soonest);
    }
    quarantinedUntilNanos.put(endpoint, nowNanos + config.quarantineNanos());
  }

  private boolean isQuarantined(String endpoint) {
    return quarantinedUntilNanos.containsKey(endpoint);
  }

  private static boolean isLeft(EndpointState state) {
    String status = state.value(ApplicationState.STATUS).orElse("");
    return status.equals(STATUS_LEFT) || status.startsWith(STATUS_LEFT + ",");
  }

  // --- plumbing ---

  private boolean send(GossipMessage message) {
    if (outbox.size() >= config.outboxMessagesMax()) {
      messagesDropped++;
      return false;
    }
    outbox.add(message);
    return true;
  }

  private void emit(GossipEvent event) {
    if (events.size() >= config.eventsMax()) {
      throw new IllegalStateException(
          "more than eventsMax ("
              + config.eventsMax()
              + ") gossip events pending: the caller must take ready() and advance() after every"
              + " tick and step");
    }
    events.add(event);
  }

  private boolean valuesFit(EndpointState state) {
    for (VersionedValue value : state.states().values()) {
      if (value.value().length() > config.valueCharsMax()) {
        return false;
      }
    }
    return true;
  }

  private String checkValue(String value) {
    Objects.requireNonNull(value, "value");
    if (value.length() > config.valueCharsMax()) {
      throw new IllegalArgumentException(
          "value must have at most valueCharsMax ("
              + config.valueCharsMax()
              + ") characters, had "
              + value.length());
    }
    return value;
  }

  private PersistentGossipState persistentState() {
    TreeMap<ApplicationState, String> values = new TreeMap<>();
    for (Map.Entry<ApplicationState, VersionedValue> entry : states.get(self).states().entrySet()) {
      values.put(entry.getKey(), entry.getValue().value());
    }
    return new PersistentGossipState(generation, values);
  }
}
