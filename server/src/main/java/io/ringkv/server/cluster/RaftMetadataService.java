package io.ringkv.server.cluster;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.MetadataSource;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.metadata.raft.MetadataCodec;
import io.ringkv.cluster.metadata.raft.MetadataCommand;
import io.ringkv.cluster.metadata.raft.MetadataResult;
import io.ringkv.cluster.metadata.raft.RaftIds;
import io.ringkv.cluster.metadata.raft.RaftMetadataSource;
import io.ringkv.cluster.metadata.raft.VoterPolicy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.cluster.ring.TokenAllocator;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.RaftGroup;
import io.ringkv.server.raft.RaftGroupException;
import io.ringkv.server.raft.RaftGroupSettings;
import io.ringkv.server.raft.RaftGroupStatus;
import io.ringkv.server.raft.RaftPeers;
import io.ringkv.server.raft.RaftRouter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The node's side of the cluster metadata on Raft ({@code cluster.metadata: raft},
 * docs/design/metadata-on-raft.md): runs this node's member of the metadata Raft group (a {@link
 * RaftGroup} whose state machine is the {@link RaftMetadataSource}'s), and on every tick of the
 * cluster loop does the node's part:
 *
 * <ul>
 *   <li><b>map members to nodes</b>: Raft ids are derived from node names ({@link RaftIds}), so
 *       every node gossip or the metadata knows is put into the group's {@link RaftPeers};
 *   <li><b>join</b>: until the metadata holds this node (not Left), it sends its {@link
 *       MetadataCommand.Join} as a {@link RaftPropose} to the leader it knows, else to a peer (a
 *       seed first); a peer that does not lead answers with the leader's name, and the next attempt
 *       goes there. The founder (the first seed) bootstraps the group as its only voter and
 *       proposes its own join. Once its join is applied, the node sets itself Normal; a node that
 *       restarted at another address proposes its new address;
 *   <li><b>lead</b>: on the leader's node, one {@link VoterPolicy} change at a time (new members
 *       become learners, voters are promoted and demoted, gone members removed), with gossip's
 *       liveness as eligibility; and the {@code default} keyspace follows the number of Normal
 *       members (replication factor min(3, members)) unless an operator changed it.
 * </ul>
 *
 * <p>Threads: {@link #tick} runs on the cluster loop; the state machine runs on the group's thread
 * and listeners hear of epochs there (the cluster service hands them to its loop); {@link #current}
 * may be read from any thread. At most one operation of each kind (join or status, a configuration
 * change, a keyspace upkeep) is in flight at once: the bound on what this service queues.
 */
final class RaftMetadataService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RaftMetadataService.class.getName());

  /** The metadata group's id on the internode transport. */
  static final long METADATA_GROUP_ID = 1;

  /** How long a join or status request to a peer may take. */
  static final long REQUEST_TIMEOUT_MILLIS = 5_000;

  private final NodeId self;
  private final Member joining;
  private final int numTokens;
  private final RaftPeers.Directory directory;
  private final RaftMetadataSource source;
  private final InternodeTransport transport;
  private final RaftGroup group;
  private final Runnable nudge;
  private CompletableFuture<?> ownRequest = CompletableFuture.completedFuture(null);
  private CompletableFuture<?> configurationChange = CompletableFuture.completedFuture(null);
  private CompletableFuture<?> keyspaceUpkeep = CompletableFuture.completedFuture(null);
  private volatile ClusterMetadata fetched;
  private volatile String redirect; // set by a transport thread, read on the loop
  private int peerTurn;

  private RaftMetadataService(
      NodeId self,
      Member joining,
      int numTokens,
      RaftPeers.Directory directory,
      RaftMetadataSource source,
      InternodeTransport transport,
      RaftGroup group,
      Runnable nudge) {
    this.directory = directory;
    this.nudge = nudge;
    this.self = self;
    this.joining = joining;
    this.numTokens = numTokens;
    this.source = source;
    this.transport = transport;
    this.group = group;
  }

  /**
   * Starts this node's member of the metadata group, its log in {@code directory}.
   *
   * @param joining this node as it joins: id, address, place and weight (tokens are chosen when the
   *     join is applied)
   * @param founder true for the first seed: an empty log bootstraps the group with this node as its
   *     only voter
   * @param router the transport's handler, which routes Raft envelopes to the group
   * @param listener hears of each new epoch, on the group's thread
   * @param nudge asks for an early {@link #tick} on the cluster loop; called (from any thread) when
   *     one of this node's own steps was applied, so that the next one (Join, then Normal) need not
   *     wait for the next gossip interval: a lone node takes writes as soon as its group lets it
   */
  static RaftMetadataService start(
      Member joining,
      int numTokens,
      boolean founder,
      Path directory,
      InternodeTransport transport,
      RaftRouter router,
      MetadataSource.Listener listener,
      Runnable nudge)
      throws IOException {
    NodeId self = joining.id();
    long member = RaftIds.of(self);
    Holder holder = new Holder();
    RaftMetadataSource source =
        new RaftMetadataSource(
            command -> holder.service != null && holder.service.proposeLocally(command),
            numTokens,
            TokenAllocator.REPLICATION_FACTOR_DEFAULT);
    source.subscribe(listener);
    RaftPeers.Directory peers = new RaftPeers.Directory();
    peers.put(member, self);
    RaftGroup group =
        RaftGroup.start(
            RaftGroupSettings.defaults(METADATA_GROUP_ID, member, directory),
            peers,
            transport,
            router,
            source.stateMachine(),
            founder ? Configuration.ofVoters(member) : null);
    RaftMetadataService service =
        new RaftMetadataService(self, joining, numTokens, peers, source, transport, group, nudge);
    holder.service = service;
    return service;
  }

  /** Late binding of the proposer to the service it proposes through. */
  private static final class Holder {
    volatile RaftMetadataService service;
  }

  /**
   * The newest metadata this node has: what its state machine applied from the log, or a newer
   * snapshot fetched from a peer that was ahead ({@link #install}); any thread. Every member's
   * metadata at one epoch is the same, so the higher epoch is simply the newer metadata.
   */
  ClusterMetadata current() {
    ClusterMetadata applied = source.current();
    ClusterMetadata peer = fetched;
    return peer != null && peer.epoch() > applied.epoch() ? peer : applied;
  }

  /**
   * Takes {@code snapshot}, fetched from a peer, if it is newer than {@link #current}: a node that
   * is not yet in the group, or cut off from the leader but not from its peers, sees the new
   * metadata before its log brings it.
   *
   * @return true if it was newer
   */
  boolean install(ClusterMetadata snapshot) {
    if (snapshot.epoch() <= current().epoch()) {
      return false;
    }
    fetched = snapshot;
    return true;
  }

  /** The source, for callers that propose changes (keyspaces). */
  MetadataSource source() {
    return source;
  }

  /** The group's last published state. */
  RaftGroupStatus status() {
    return group.status();
  }

  /** The metadata leader's node, if known. */
  Optional<NodeId> leader() {
    RaftGroupStatus status = group.status();
    return status.isLeader() ? Optional.of(self) : status.leaderNode();
  }

  /**
   * Proposes an operator's {@code command} (a keyspace change) to the group: through this node's
   * member, which forwards it to the leader when it does not lead. Completes with the result as the
   * leader applied it (this node may apply it a little later: see {@code ClusterService
   * #awaitEpoch}); fails with a {@link RaftGroupException} (NOT_LEADER at once when no leader is
   * known).
   */
  CompletableFuture<MetadataResult> propose(MetadataCommand command) {
    RaftGroupStatus status = group.status();
    if (!status.isLeader() && status.leaderNode().isEmpty()) {
      return CompletableFuture.failedFuture(
          new RaftGroupException(
              RaftGroupException.Reason.NOT_LEADER,
              "the metadata group has no leader this node knows of"));
    }
    return group.propose(MetadataCodec.encode(command)).thenApply(MetadataCodec::decodeResult);
  }

  private boolean proposeLocally(byte[] command) {
    group.propose(command);
    return true;
  }

  /**
   * The node's metadata duties, on the cluster loop.
   *
   * @param knownNodes every node gossip knows of (seeds included once reached)
   * @param liveNodes the nodes gossip holds Up
   */
  void tick(Collection<String> knownNodes, Set<String> liveNodes, List<String> seedNodes) {
    ClusterMetadata metadata = current();
    for (String name : knownNodes) {
      map(name);
    }
    for (Member member : metadata.members().values()) {
      map(member.id().value());
    }
    Member me = metadata.member(self).orElse(null);
    if (ownRequest.isDone()) {
      if (me == null || me.status() == Member.Status.LEFT) {
        ownRequest =
            send(
                new MetadataCommand.Join(
                    self,
                    joining.address(),
                    joining.datacenter(),
                    joining.rack(),
                    joining.weight(),
                    numTokens,
                    TokenAllocator.REPLICATION_FACTOR_DEFAULT),
                knownNodes,
                seedNodes);
      } else if (!me.address().equals(joining.address())) {
        // Restarted with other ports or another host: the log must say where it is now.
        ownRequest =
            send(new MetadataCommand.SetAddress(self, joining.address()), knownNodes, seedNodes);
      } else if (me.status() == Member.Status.JOINING) {
        ownRequest =
            send(new MetadataCommand.SetStatus(self, Member.Status.NORMAL), knownNodes, seedNodes);
      }
    }
    RaftGroupStatus status = group.status();
    if (status.isLeader()) {
      lead(metadata, status, liveNodes);
    }
  }

  private void map(String name) {
    try {
      NodeId node = NodeId.of(name);
      directory.put(RaftIds.of(node), node);
    } catch (IllegalArgumentException notANodeId) {
      // Gossip endpoints are node ids; one that is not cannot be a member either.
    }
  }

  /**
   * Sends {@code command} to the leader (through this node's group if it knows one, which forwards
   * it), else to the node a peer named as leader, else to a peer in turn (seeds first).
   */
  private CompletableFuture<?> send(
      MetadataCommand command, Collection<String> knownNodes, List<String> seedNodes) {
    byte[] bytes = MetadataCodec.encode(command);
    RaftGroupStatus status = group.status();
    if (status.isLeader() || (status.leaderNode().isPresent() && status.applied() > 0)) {
      return group
          .propose(bytes)
          .whenComplete((result, failure) -> onOutcome(command, result, failure));
    }
    String target = redirect;
    if (target == null) {
      List<String> candidates = seedNodes.isEmpty() ? List.copyOf(knownNodes) : seedNodes;
      candidates = candidates.stream().filter(name -> !name.equals(self.value())).toList();
      if (candidates.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      target = candidates.get(Math.floorMod(peerTurn++, candidates.size()));
    }
    String to = target;
    redirect = null;
    return transport
        .request(to, new RaftPropose(METADATA_GROUP_ID, bytes), REQUEST_TIMEOUT_MILLIS)
        .whenComplete(
            (answer, failure) -> {
              if (answer instanceof RaftProposeAnswer reply) {
                switch (reply.outcome()) {
                  case APPLIED -> onOutcome(command, reply.result(), null);
                  case NOT_LEADER -> redirect = reply.leader().isEmpty() ? null : reply.leader();
                  case FAILED ->
                      LOG.log(
                          System.Logger.Level.DEBUG,
                          "{0} at {1} failed: {2}",
                          command,
                          to,
                          reply.detail());
                }
              }
            });
  }

  /**
   * Logs what became of one of this node's own commands, and nudges the loop when it changed the
   * metadata. Only then: a command that changed nothing or was refused would be sent again at once,
   * so those wait for the next gossip interval (no loop without progress).
   */
  private void onOutcome(MetadataCommand command, byte[] result, Throwable failure) {
    if (failure != null) {
      LOG.log(System.Logger.Level.DEBUG, "{0} not applied: {1}", command, failure.getMessage());
      return;
    }
    MetadataResult outcome = MetadataCodec.decodeResult(result);
    LOG.log(
        outcome.accepted() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
        "{0}: {1}",
        command,
        outcome);
    if (outcome instanceof MetadataResult.Applied) {
      nudge.run();
    }
  }

  /**
   * The leader's duties: the next voter change, and the default keyspace's replication.
   *
   * <p>The upkeep touches only {@code default}, and only while it has the shape the upkeep gives it
   * ({@link #automaticDefault}): an operator's change of {@code default}'s levels, strategy, sloppy
   * quorum or a higher replication factor takes it out of the upkeep's hands for good, and other
   * keyspaces are never touched. A change the upkeep would undo is refused where operators make it
   * ({@code ClusterKeyspaceAdmin}), so the two never fight.
   */
  private void lead(ClusterMetadata metadata, RaftGroupStatus status, Set<String> liveNodes) {
    if (configurationChange.isDone()) {
      Configuration configuration = status.configuration();
      Optional<ConfigChange> change =
          VoterPolicy.nextChange(
              metadata,
              configuration,
              self,
              id ->
                  id.equals(self)
                      || (liveNodes.contains(id.value())
                          && configuration.contains(RaftIds.of(id))));
      if (change.isPresent()) {
        LOG.log(System.Logger.Level.INFO, "metadata group: {0}", change.get());
        configurationChange =
            switch (change.get()) {
              case ConfigChange.AddLearner add -> group.addLearner(add.nodeId());
              case ConfigChange.AddVoter add -> group.promoteToVoter(add.nodeId());
              case ConfigChange.RemoveMember remove -> group.removeMember(remove.nodeId());
            };
      }
    }
    if (keyspaceUpkeep.isDone()) {
      Keyspace wanted = Keyspace.defaultKeyspace(metadata.normalMemberCount());
      Optional<Keyspace> existing = metadata.keyspace(Keyspace.DEFAULT_NAME);
      boolean automatic =
          existing.isEmpty() || automaticDefault(existing.get(), metadata.normalMemberCount());
      if (automatic && !wanted.equals(existing.orElse(null))) {
        keyspaceUpkeep =
            group.propose(MetadataCodec.encode(new MetadataCommand.PutKeyspace(wanted)));
      }
    }
  }

  /**
   * True if the leader's upkeep would replace {@code keyspace} (named {@code default}) in a cluster
   * of {@code normalMembers}: it has the upkeep's shape (SimpleStrategy, QUORUM reads and writes,
   * no sloppy quorum, last-write-wins) with a replication factor below the one the members allow.
   */
  static boolean automaticDefault(Keyspace keyspace, int normalMembers) {
    Keyspace wanted = Keyspace.defaultKeyspace(normalMembers);
    return keyspace.name().equals(Keyspace.DEFAULT_NAME)
        && keyspace.replication() instanceof SimpleStrategy simple
        && keyspace.equals(
            Keyspace.defaultKeyspace(simple.replicationFactor()).withReplication(simple))
        && simple.replicationFactor() < wanted.replication().totalReplicationFactor();
  }

  @Override
  public void close() {
    group.close();
  }
}
