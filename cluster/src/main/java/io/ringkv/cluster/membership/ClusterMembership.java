package io.ringkv.cluster.membership;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataChange;
import io.ringkv.cluster.metadata.MetadataSource;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Ownership;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenAllocator;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A node's membership in the cluster: its {@link Gossip}, how it joins the ring, and the {@link
 * ClusterMetadata} derived from what gossip carries. This is the {@link MetadataSource} of issue 5;
 * the Raft issue replaces the derivation with a log and keeps the interface.
 *
 * <p><b>Joining.</b> A node that starts with no tokens stored announces itself {@code JOINING}
 * without tokens and listens for {@link MembershipConfig#ringDelayNanos()}. It then chooses its
 * tokens with {@link TokenAllocator} against the ring it has learnt and announces them with {@code
 * NORMAL}, provided that
 *
 * <ul>
 *   <li>it has heard of another node, or it is a seed (a non-seed that reaches no seed never founds
 *       a cluster of its own: Cassandra's rule, which prevents a split brain at birth);
 *   <li>no live joining node with a smaller id is still choosing (so that nodes started together
 *       choose one after the other and balance against each other), unless {@link
 *       MembershipConfig#joinWaitMaxNanos()} has passed.
 * </ul>
 *
 * A node that restarts with its tokens stored comes back with them and its status. Data does not
 * move when a node joins; streaming comes with a later issue.
 *
 * <p><b>Metadata.</b> After each input, if a membership value changed, the snapshot is rebuilt from
 * every endpoint's values ({@link MemberValues}), in node-id order; a member whose tokens clash
 * with a smaller id's is left out (and counted) until one of them changes, and a Normal node that
 * finds itself so left out chooses new tokens (two nodes that chose at once against the same ring
 * chose the same tokens; the simulator found it at startup). A snapshot that differs from the
 * current one is installed with the next epoch: in gossip mode an epoch is this node's count of the
 * changes it has seen, not a cluster-wide number. The {@code default} keyspace follows the number
 * of Normal members ({@link Keyspace#defaultKeyspace}).
 *
 * <p>Pure and not thread-safe: owned by one node loop, time passed in, randomness from the {@link
 * Rng} given. The caller drives it like {@link Gossip}: {@code tick}/{@code step}, then {@link
 * #ready()}, store, send, deliver, {@link #advance}.
 */
public final class ClusterMembership implements MetadataSource {
  private static final int LISTENERS_MAX = 64;

  /** Where a node is in joining the ring. */
  public enum JoinPhase {
    /** Listening to gossip before choosing tokens (the ring delay). */
    LISTENING,
    /** Not a seed, and no seed has answered yet. */
    WAITING_FOR_SEEDS,
    /** A joining node with a smaller id is choosing its tokens first. */
    WAITING_FOR_EARLIER_JOINER,
    /** Has its tokens. */
    JOINED
  }

  private final MembershipConfig config;
  private final Member template;
  private final boolean selfIsSeed;
  private final Rng rng;
  private final TokenAllocator allocator;
  private final Gossip gossip;
  private final List<Listener> listeners = new ArrayList<>();

  private ClusterMetadata current = ClusterMetadata.empty();
  private JoinPhase joinPhase;
  private long joinStartNanos = Long.MIN_VALUE;
  private int eventsSeen;
  private boolean dirty = true;
  private long tokenConflicts;
  private long tokensRechosen;
  private boolean rechoosingTokens;
  private String lastLoad = "";

  /**
   * A node's membership for a new run.
   *
   * @param config settings
   * @param self this node as configured: id, address, datacenter, rack, weight (its status and
   *     tokens are ignored; they come from {@code stored} or from joining)
   * @param stored what the previous run stored, if anything
   * @param generation this run's generation ({@link Gossip#nextGeneration} of the stored one)
   * @param seeds seed node names known at start (more may be added with {@link #addSeed})
   * @param selfIsSeed whether this node is one of the configured seeds
   * @param rng every random choice, gossip's and token allocation's
   * @throws IllegalArgumentException if the stored state contradicts the configuration (another
   *     datacenter or rack: a node cannot move, its data would be misplaced)
   */
  public ClusterMembership(
      MembershipConfig config,
      Member self,
      Optional<PersistentGossipState> stored,
      long generation,
      List<String> seeds,
      boolean selfIsSeed,
      Rng rng) {
    this.config = Objects.requireNonNull(config, "config");
    this.selfIsSeed = selfIsSeed;
    this.rng = Objects.requireNonNull(rng, "rng");
    this.allocator = new TokenAllocator(config.numTokens(), config.allocationReplicationFactor());
    int tokenCount = allocator.tokenCount(self.weight());
    if (tokenCount > MemberValues.TOKENS_PER_VALUE_MAX) {
      throw new IllegalArgumentException(
          "num_tokens "
              + config.numTokens()
              + " x weight "
              + self.weight()
              + " gives "
              + tokenCount
              + " tokens; at most "
              + MemberValues.TOKENS_PER_VALUE_MAX
              + " fit in gossip");
    }
    Member announced =
        Member.joining(self.id(), self.address())
            .withPlace(self.datacenter(), self.rack())
            .withWeight(self.weight());
    joinPhase = JoinPhase.LISTENING;
    if (stored.isPresent()) {
      Map<ApplicationState, String> values = stored.get().applicationStates();
      checkSamePlace("dc", values.get(ApplicationState.DC), self.datacenter());
      checkSamePlace("rack", values.get(ApplicationState.RACK), self.rack());
      String status = values.getOrDefault(ApplicationState.STATUS, "");
      String tokens = values.get(ApplicationState.TOKENS);
      if (tokens != null && (status.equals("NORMAL") || status.equals("LEAVING"))) {
        announced =
            announced
                .withTokens(MemberValues.decodeTokens(tokens))
                .withStatus(Member.Status.valueOf(status));
        joinPhase = JoinPhase.JOINED;
      }
    }
    this.template = announced;
    this.gossip =
        new Gossip(
            self.id().value(), config.gossip(), generation, MemberValues.of(announced), seeds, rng);
    derive();
  }

  // --- inputs ---

  /**
   * One round at {@code nowNanos}: gossip's tick, then a step of joining if the node is joining.
   */
  public void tick(long nowNanos) {
    if (joinStartNanos == Long.MIN_VALUE) {
      joinStartNanos = nowNanos;
    }
    gossip.tick(nowNanos);
    progressJoin(nowNanos);
    deriveIfChanged();
  }

  /** Handles one gossip message received at {@code nowNanos}. */
  public void step(GossipMessage message, long nowNanos) {
    gossip.step(message, nowNanos);
    deriveIfChanged();
  }

  /** A seed whose name the transport learnt by handshake. */
  public void addSeed(String seed) {
    gossip.addSeed(seed);
  }

  /** A connection to {@code endpoint} was refused at {@code nowNanos}; see {@link Gossip}. */
  public void reportRefused(String endpoint, long nowNanos) {
    gossip.reportRefused(endpoint, nowNanos);
  }

  /**
   * A connection to {@code endpoint} attempted at {@code attemptNanos} was refused, as heard at
   * {@code nowNanos}; a refusal older than the endpoint's last heartbeat is ignored: see {@link
   * Gossip#reportRefused(String, long, long)}.
   */
  public void reportRefused(String endpoint, long attemptNanos, long nowNanos) {
    gossip.reportRefused(endpoint, attemptNanos, nowNanos);
  }

  /** Announces how many bytes this node holds, if that changed. */
  public void setLoad(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("load must be non-negative, was " + bytes);
    }
    String value = Long.toString(bytes);
    if (!value.equals(lastLoad)) {
      lastLoad = value;
      gossip.setLocalState(ApplicationState.LOAD, value);
    }
  }

  // --- outputs ---

  /** What to store, send and deliver: gossip's {@link Gossip.Ready}. */
  public Gossip.Ready ready() {
    return gossip.ready();
  }

  /** True if {@link #ready()} has anything. */
  public boolean hasReady() {
    return gossip.hasReady();
  }

  /** Acknowledges {@code ready}. */
  public void advance(Gossip.Ready ready) {
    gossip.advance(ready);
    eventsSeen = 0;
  }

  // --- MetadataSource ---

  @Override
  public ClusterMetadata current() {
    return current;
  }

  /**
   * Takes a change to this node's own status (a later decommission sets {@code LEAVING}, {@code
   * LEFT}); gossip spreads it. Other changes need an authority gossip does not have.
   *
   * @throws IllegalArgumentException for a change about another node, a keyspace, or an illegal
   *     status transition
   */
  @Override
  public boolean propose(MetadataChange change) {
    if (!(change instanceof MetadataChange.SetStatus setStatus)
        || !setStatus.id().equals(template.id())) {
      throw new IllegalArgumentException(
          "gossip metadata takes changes to this node's own status only, not " + change);
    }
    Member.Status now = ownStatus();
    if (!now.canBecome(setStatus.status())) {
      throw new IllegalArgumentException(
          "node " + template.id() + " cannot go from " + now + " to " + setStatus.status());
    }
    gossip.setLocalState(ApplicationState.STATUS, setStatus.status().name());
    dirty = true; // own values raise no gossip event
    deriveIfChanged();
    return true;
  }

  @Override
  public void subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    if (listeners.size() >= LISTENERS_MAX) {
      throw new IllegalStateException(
          "membership already has " + LISTENERS_MAX + " listeners, its limit");
    }
    listeners.add(listener);
  }

  // --- queries ---

  /** This node's id. */
  public NodeId self() {
    return template.id();
  }

  /** The gossip state machine, for status displays and checkers (do not drive it directly). */
  public Gossip gossip() {
    return gossip;
  }

  public JoinPhase joinPhase() {
    return joinPhase;
  }

  /** Members left out of the snapshot because their tokens clashed with another's. */
  public long tokenConflicts() {
    return tokenConflicts;
  }

  /** How many times this node chose new tokens because its own clashed with a smaller id's. */
  public long tokensRechosen() {
    return tokensRechosen;
  }

  /**
   * A status display at {@code nowNanos} ({@code ringkv status}, Cassandra's {@code nodetool
   * status}): one line per endpoint known, sorted by id.
   */
  public List<MemberStatus> status(long nowNanos) {
    Ownership primary = Ownership.primary(current.ring());
    Optional<Ownership> effective =
        current.keyspace(Keyspace.DEFAULT_NAME).isPresent() && !current.ring().isEmpty()
            ? Optional.of(Ownership.effective(current, Keyspace.DEFAULT_NAME))
            : Optional.empty();
    List<MemberStatus> lines = new ArrayList<>();
    for (EndpointView view : gossip.view(nowNanos)) {
      EndpointState state = view.state();
      Optional<Member> member = MemberValues.decode(state);
      NodeId id;
      try {
        id = NodeId.of(view.endpoint());
      } catch (IllegalArgumentException notANodeId) {
        continue;
      }
      lines.add(
          new MemberStatus(
              id,
              view.self(),
              view.up(),
              view.phi(),
              member.map(Member::status).orElse(Member.Status.JOINING),
              member.map(Member::address),
              member.map(Member::datacenter).orElse(Member.DEFAULT_DATACENTER),
              member.map(Member::rack).orElse(Member.DEFAULT_RACK),
              member.map(m -> m.tokens().size()).orElse(0),
              parseLong(state.value(ApplicationState.LOAD)),
              primary.fraction(id),
              effective.map(o -> o.fraction(id)).orElse(0.0),
              state.generation(),
              parseLong(state.value(ApplicationState.EPOCH))));
    }
    return lines;
  }

  /**
   * One line of {@link #status}.
   *
   * @param owns the fraction of the ring whose primary replica it is (all lines sum to 1)
   * @param ownsEffective the fraction of the ring it holds a replica of in the default keyspace
   * @param load bytes it holds, as it last announced (-1 if unknown)
   * @param epochSeen the metadata epoch it last announced (-1 if unknown)
   */
  public record MemberStatus(
      NodeId id,
      boolean self,
      boolean up,
      double phi,
      Member.Status status,
      Optional<io.ringkv.cluster.metadata.Address> address,
      String datacenter,
      String rack,
      int tokens,
      long load,
      double owns,
      double ownsEffective,
      long generation,
      long epochSeen) {}

  // --- joining ---

  private void progressJoin(long nowNanos) {
    if (joinPhase == JoinPhase.JOINED) {
      return;
    }
    long waited = nowNanos - joinStartNanos;
    if (waited < config.ringDelayNanos()) {
      joinPhase = JoinPhase.LISTENING;
      return;
    }
    if (!selfIsSeed && gossip.endpointStates().size() < 2) {
      joinPhase = JoinPhase.WAITING_FOR_SEEDS;
      return;
    }
    deriveIfChanged();
    if (waited < config.joinWaitMaxNanos()) {
      for (Member member : current.members().values()) {
        if (member.status() == Member.Status.JOINING
            && member.tokens().isEmpty()
            && member.id().compareTo(template.id()) < 0
            && gossip.isUp(member.id().value())) {
          joinPhase = JoinPhase.WAITING_FOR_EARLIER_JOINER;
          return;
        }
      }
    }
    List<Token> tokens = allocator.allocate(current, template, rng);
    gossip.setLocalState(ApplicationState.TOKENS, MemberValues.encodeTokens(tokens));
    gossip.setLocalState(ApplicationState.STATUS, Member.Status.NORMAL.name());
    joinPhase = JoinPhase.JOINED;
    dirty = true;
  }

  // --- deriving the metadata ---

  private void deriveIfChanged() {
    List<GossipEvent> events = gossip.ready().events();
    for (int i = eventsSeen; i < events.size(); i++) {
      if (changesMembership(events.get(i))) {
        dirty = true;
      }
    }
    eventsSeen = events.size();
    if (dirty) {
      derive();
    }
  }

  private static boolean changesMembership(GossipEvent event) {
    return switch (event) {
      case GossipEvent.Joined joined -> true;
      case GossipEvent.Restarted restarted -> true;
      case GossipEvent.Removed removed -> true;
      case GossipEvent.Changed changed ->
          changed.key() != ApplicationState.LOAD
              && changed.key() != ApplicationState.EPOCH
              && changed.key() != ApplicationState.METADATA_LOG_EPOCH;
      case GossipEvent.Up up -> false;
      case GossipEvent.Down down -> false;
    };
  }

  private void derive() {
    dirty = false;
    TreeMap<NodeId, Member> members = new TreeMap<>();
    Set<Token> claimed = new HashSet<>();
    long conflicts = 0;
    boolean selfLeftOut = false;
    for (EndpointState state : gossip.endpointStates().values()) {
      Optional<Member> decoded = MemberValues.decode(state);
      if (decoded.isEmpty()) {
        continue;
      }
      Member member = decoded.get();
      if (member.status() != Member.Status.LEFT) {
        boolean clash = false;
        for (Token token : member.tokens()) {
          if (claimed.contains(token)) {
            clash = true;
            break;
          }
        }
        if (clash) {
          conflicts++;
          selfLeftOut |= member.id().equals(template.id());
          continue;
        }
        claimed.addAll(member.tokens());
      }
      members.put(member.id(), member);
    }
    tokenConflicts = conflicts;
    int normal = 0;
    for (Member member : members.values()) {
      if (member.status() == Member.Status.NORMAL) {
        normal++;
      }
    }
    Keyspace keyspace = Keyspace.defaultKeyspace(normal);
    SortedMap<String, Keyspace> keyspaces = new TreeMap<>(Map.of(keyspace.name(), keyspace));
    if (!current.members().equals(members) || !current.keyspaces().equals(keyspaces)) {
      ClusterMetadata previous = current;
      current = ClusterMetadata.of(previous.epoch() + 1, members.values(), keyspaces.values());
      gossip.setLocalState(ApplicationState.EPOCH, Long.toString(current.epoch()));
      eventsSeen = gossip.ready().events().size();
      for (Listener listener : listeners) {
        listener.onEpoch(previous, current);
      }
    }
    if (selfLeftOut && !rechoosingTokens && ownStatus() == Member.Status.NORMAL) {
      rechooseTokens();
    }
  }

  /**
   * This node's tokens clash with a node's of a smaller id, which keeps them in every snapshot
   * (members claim tokens in id order), so this node is left out everywhere, for good unless it
   * moves. It happens when two nodes choose tokens against the same ring at the same time (the
   * allocator is deterministic), for instance when neither had heard of the other yet. It chooses
   * again against the ring it knows now, which holds the other's tokens. Nobody who knew both
   * counted it as an owner, so no range that those nodes placed on it moves; data does not move on
   * joins yet in any case. Once per derivation: if the new tokens clash again (with a member that
   * is itself left out), the next change tries again.
   */
  private void rechooseTokens() {
    List<Token> tokens = allocator.allocate(current, template, rng);
    gossip.setLocalState(ApplicationState.TOKENS, MemberValues.encodeTokens(tokens));
    tokensRechosen++;
    rechoosingTokens = true;
    try {
      derive();
    } finally {
      rechoosingTokens = false;
    }
  }

  private Member.Status ownStatus() {
    return gossip
        .localState()
        .value(ApplicationState.STATUS)
        .map(Member.Status::valueOf)
        .orElse(Member.Status.JOINING);
  }

  private static void checkSamePlace(String field, String stored, String configured) {
    if (stored != null && !stored.equals(configured)) {
      throw new IllegalArgumentException(
          field
              + " is '"
              + configured
              + "' but this node was stored in '"
              + stored
              + "': a node cannot move to another "
              + (field.equals("dc") ? "datacenter" : "rack")
              + " (its data would be misplaced); set it back, or decommission and rejoin");
    }
  }

  private static long parseLong(Optional<String> value) {
    try {
      return value.map(Long::parseLong).orElse(-1L);
    } catch (NumberFormatException malformed) {
      return -1;
    }
  }
}
