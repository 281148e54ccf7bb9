package io.ringkv.raft.transcript;

import io.ringkv.common.Rng;
import io.ringkv.raft.ConfigChange;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.Message;
import io.ringkv.raft.RaftConfig;
import io.ringkv.raft.RaftNode;
import io.ringkv.raft.ReadState;
import io.ringkv.raft.Ready;
import io.ringkv.raft.Role;
import io.ringkv.raft.Snapshot;
import io.ringkv.raft.testing.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs transcript commands against a group of {@link RaftNode}s wired by hand: each node has its
 * own {@link MemoryStorage}, inbox and applied log; messages move only when a command says so, so
 * every interleaving is written out in the transcript. After every command it checks election
 * safety (one leader per term) and state machine safety (no two nodes apply different entries at
 * one index).
 *
 * <p>Commands (arguments in order; {@code key=value} options last):
 *
 * <ul>
 *   <li>{@code add-nodes N [voters=1,2,3] [learners=4] [prevote=false] [checkquorum=false]
 *       [lease=true] [election=10] [heartbeat=1] [inflight=256] [append-bytes=N]
 *       [uncommitted-bytes=N]}: adds nodes; those in {@code voters}/{@code learners} (default: all
 *       new nodes voters) are bootstrapped with that configuration, the others start empty and wait
 *       to be added
 *   <li>{@code campaign ID}, {@code tick ID [COUNT]}, {@code tick-heartbeat ID}, {@code
 *       tick-election ID} (ticks until the node campaigns or leads, or two election timeouts)
 *   <li>{@code propose ID DATA}, {@code propose-conf-change ID add-voter|add-learner|remove N},
 *       {@code read-index ID REQUEST}, {@code transfer-leadership ID TARGET}, {@code compact ID
 *       INDEX}
 *   <li>{@code process-ready ID...}, {@code deliver-msgs ID... [drop=true]}, {@code stabilize
 *       [ID...]}
 *   <li>{@code partition 1 / 2 3} (cut every link between the groups), {@code isolate ID}, {@code
 *       heal}
 *   <li>{@code crash ID} (keeps only what was stored), {@code restart ID}
 *   <li>{@code status ID}, {@code raft-state}, {@code log ID} (what is stored), {@code applied ID}
 * </ul>
 */
final class TranscriptCluster {
  private static final class TestNode {
    final long id;
    final RaftConfig config;
    final MemoryStorage storage = new MemoryStorage();
    final List<Message> inbox = new ArrayList<>();

    /** The state machine: the data of applied normal entries, in order. */
    final List<String> applied = new ArrayList<>();

    RaftNode raft;
    boolean crashed;
    int restarts;

    TestNode(long id, RaftConfig config) {
      this.id = id;
      this.config = config;
    }
  }

  private final TreeMap<Long, TestNode> nodes = new TreeMap<>();
  private final Set<String> cutLinks = new HashSet<>();
  private final Map<Long, Long> leaderOfTerm = new TreeMap<>();
  private final Map<Long, Entry> appliedAtIndex = new TreeMap<>();

  String run(String commandLine) {
    StringBuilder out = new StringBuilder();
    String[] words = commandLine.trim().split("\\s+");
    List<String> args = new ArrayList<>();
    Map<String, String> options = new TreeMap<>();
    for (int i = 1; i < words.length; i++) {
      int equals = words[i].indexOf('=');
      if (equals > 0) {
        options.put(words[i].substring(0, equals), words[i].substring(equals + 1));
      } else {
        args.add(words[i]);
      }
    }
    switch (words[0]) {
      case "add-nodes" -> addNodes(Integer.parseInt(args.get(0)), options, out);
      case "campaign" -> node(args.get(0)).raft.campaign();
      case "tick" -> tick(node(args.get(0)), args.size() > 1 ? Integer.parseInt(args.get(1)) : 1);
      case "tick-heartbeat" -> {
        TestNode node = node(args.get(0));
        tick(node, node.config.heartbeatIntervalTicks());
      }
      case "tick-election" -> tickElection(node(args.get(0)));
      case "propose" ->
          out.append(
              Describe.submission(
                  node(args.get(0)).raft.propose(args.get(1).getBytes(StandardCharsets.UTF_8))));
      case "propose-conf-change" -> {
        long member = Long.parseLong(args.get(2));
        ConfigChange change =
            switch (args.get(1)) {
              case "add-voter" -> new ConfigChange.AddVoter(member);
              case "add-learner" -> new ConfigChange.AddLearner(member);
              case "remove" -> new ConfigChange.RemoveMember(member);
              default -> throw new IllegalArgumentException("unknown change " + args.get(1));
            };
        out.append(Describe.submission(node(args.get(0)).raft.proposeConfigChange(change)));
      }
      case "read-index" ->
          out.append(
              Describe.submission(node(args.get(0)).raft.readIndex(Long.parseLong(args.get(1)))));
      case "transfer-leadership" ->
          out.append(
              Describe.submission(
                  node(args.get(0)).raft.transferLeadership(Long.parseLong(args.get(1)))));
      case "compact" -> compact(node(args.get(0)), Long.parseLong(args.get(1)), out);
      case "process-ready" -> {
        for (String id : args) {
          processReady(node(id), out);
        }
      }
      case "deliver-msgs" -> {
        boolean drop = Boolean.parseBoolean(options.getOrDefault("drop", "false"));
        for (String id : args) {
          deliver(nodes.get(Long.parseLong(id)), drop, out);
        }
      }
      case "stabilize" -> stabilize(args, out);
      case "partition" -> partition(args);
      case "isolate" -> {
        List<String> sides = new ArrayList<>(List.of(args.get(0), "/"));
        for (long id : nodes.keySet()) {
          if (id != Long.parseLong(args.get(0))) {
            sides.add(Long.toString(id));
          }
        }
        partition(sides);
      }
      case "heal" -> cutLinks.clear();
      case "crash" -> {
        TestNode node = node(args.get(0));
        node.crashed = true;
        node.storage.crash();
        node.inbox.clear();
        node.applied.clear();
      }
      case "restart" -> restart(nodes.get(Long.parseLong(args.get(0))), out);
      case "status" -> out.append(Describe.status(node(args.get(0)).raft.status()));
      case "raft-state" -> raftState(out);
      case "log" -> storedLog(node(args.get(0)), out);
      case "applied" -> {
        TestNode node = node(args.get(0));
        out.append(node.id).append(" applied ").append(node.applied).append('\n');
      }
      default -> throw new IllegalArgumentException("unknown command " + words[0]);
    }
    checkSafety();
    if (out.isEmpty()) {
      out.append("ok\n");
    } else if (out.charAt(out.length() - 1) != '\n') {
      out.append('\n');
    }
    return out.toString();
  }

  private TestNode node(String id) {
    TestNode node = nodes.get(Long.parseLong(id));
    if (node == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    if (node.crashed) {
      throw new IllegalArgumentException("node " + id + " is crashed");
    }
    return node;
  }

  private void addNodes(int count, Map<String, String> options, StringBuilder out) {
    long first = nodes.isEmpty() ? 1 : nodes.lastKey() + 1;
    List<Long> voters = new ArrayList<>();
    List<Long> learners = new ArrayList<>();
    if (options.containsKey("voters")) {
      voters.addAll(ids(options.get("voters")));
      learners.addAll(ids(options.getOrDefault("learners", "")));
    } else {
      for (long id = first; id < first + count; id++) {
        voters.add(id);
      }
    }
    Configuration configuration = new Configuration(voters, learners);
    for (long id = first; id < first + count; id++) {
      RaftConfig.Builder builder =
          RaftConfig.builder(id)
              .preVote(Boolean.parseBoolean(options.getOrDefault("prevote", "true")))
              .checkQuorum(Boolean.parseBoolean(options.getOrDefault("checkquorum", "true")))
              .leaseReads(Boolean.parseBoolean(options.getOrDefault("lease", "false")))
              .electionTimeoutTicks(Integer.parseInt(options.getOrDefault("election", "10")))
              .heartbeatIntervalTicks(Integer.parseInt(options.getOrDefault("heartbeat", "1")))
              .inflightAppendsMax(Integer.parseInt(options.getOrDefault("inflight", "256")));
      if (options.containsKey("lease-ticks")) {
        builder.leaseDurationTicks(Integer.parseInt(options.get("lease-ticks")));
      }
      if (options.containsKey("append-bytes")) {
        int appendBytes = Integer.parseInt(options.get("append-bytes"));
        builder.appendBytesMax(appendBytes).entryBytesMax(appendBytes);
      }
      if (options.containsKey("uncommitted-bytes")) {
        builder.uncommittedBytesMax(Long.parseLong(options.get("uncommitted-bytes")));
      }
      TestNode node = new TestNode(id, builder.build());
      if (configuration.contains(id)) {
        node.raft = RaftNode.bootstrap(node.config, configuration, rngFor(node));
        out.append(id).append(" bootstrapped with ").append(configuration).append('\n');
      } else {
        node.raft = RaftNode.restart(node.config, node.storage.recover(), rngFor(node));
        out.append(id).append(" started empty, waiting to be added\n");
      }
      nodes.put(id, node);
    }
  }

  /** Each node's election timeouts are decided by its id and restart count: transcripts replay. */
  private static Rng rngFor(TestNode node) {
    return new Rng(node.id * 1_000 + node.restarts);
  }

  private static List<Long> ids(String list) {
    List<Long> ids = new ArrayList<>();
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        ids.add(Long.parseLong(part.trim()));
      }
    }
    return ids;
  }

  private void tick(TestNode node, int count) {
    for (int i = 0; i < count; i++) {
      node.raft.tick();
    }
  }

  private void tickElection(TestNode node) {
    Role before = node.raft.role();
    long termBefore = node.raft.term();
    for (int i = 0; i < 2 * node.config.electionTimeoutTicks(); i++) {
      node.raft.tick();
      if (node.raft.role() != before || node.raft.term() != termBefore || node.raft.hasReady()) {
        return;
      }
    }
  }

  private void compact(TestNode node, long index, StringBuilder out) {
    byte[] data = String.join(" ", node.applied).getBytes(StandardCharsets.UTF_8);
    Snapshot taken = node.raft.compact(index, data);
    node.storage.compact(taken);
    out.append(node.id).append(" compacted to ").append(Describe.snapshot(taken)).append('\n');
  }

  private boolean processReady(TestNode node, StringBuilder out) {
    if (node.crashed || !node.raft.hasReady()) {
      return false;
    }
    Ready ready = node.raft.ready();
    out.append("> ").append(node.id).append(" handling Ready\n");
    ready
        .softState()
        .ifPresent(
            state ->
                out.append("  State: ")
                    .append(state.role())
                    .append(" leader=")
                    .append(state.leader())
                    .append('\n'));
    ready
        .hardState()
        .ifPresent(
            state ->
                out.append("  HardState term=")
                    .append(state.term())
                    .append(" vote=")
                    .append(state.vote())
                    .append(" commit=")
                    .append(state.commit())
                    .append(ready.mustSync() ? "" : " (no sync)")
                    .append('\n'));
    // 1. Store: snapshot, entries, hard state.
    ready
        .snapshot()
        .ifPresent(
            snapshot -> {
              out.append("  Snapshot: ").append(Describe.snapshot(snapshot)).append('\n');
              node.storage.storeSnapshot(snapshot);
            });
    if (!ready.entries().isEmpty()) {
      out.append("  Entries:\n");
      for (Entry entry : ready.entries()) {
        out.append("    ").append(Describe.entry(entry)).append('\n');
      }
      node.storage.storeEntries(ready.entries());
    }
    ready.hardState().ifPresent(state -> node.storage.storeHardState(state, ready.mustSync()));
    // 2. Send.
    if (!ready.messages().isEmpty()) {
      out.append("  Messages:\n");
      for (Message message : ready.messages()) {
        out.append("    ").append(Describe.message(message));
        TestNode to = nodes.get(message.to());
        if (to == null || to.crashed) {
          out.append(" (lost: no such node)");
        } else if (cutLinks.contains(message.from() + "-" + message.to())) {
          out.append(" (lost: partition)");
        } else {
          to.inbox.add(message);
        }
        out.append('\n');
      }
    }
    // 3. Apply.
    ready
        .snapshot()
        .ifPresent(
            snapshot -> {
              node.applied.clear();
              String data = new String(snapshot.data(), StandardCharsets.UTF_8);
              if (!data.isEmpty()) {
                node.applied.addAll(List.of(data.split(" ")));
              }
            });
    if (!ready.committedEntries().isEmpty()) {
      out.append("  Committed:\n");
      for (Entry entry : ready.committedEntries()) {
        out.append("    ").append(Describe.entry(entry)).append('\n');
        apply(node, entry);
      }
    }
    for (ReadState readState : ready.readStates()) {
      out.append("  ReadState id=")
          .append(readState.requestId())
          .append(" index=")
          .append(readState.index())
          .append('\n');
    }
    node.raft.advance(ready);
    return true;
  }

  private void apply(TestNode node, Entry entry) {
    Entry seen = appliedAtIndex.putIfAbsent(entry.index(), entry);
    if (seen != null && !seen.equals(entry)) {
      throw new AssertionError(
          "state machine safety: node "
              + node.id
              + " applies "
              + entry
              + " where "
              + seen
              + " was applied");
    }
    if (entry.type() == EntryType.NORMAL && entry.data().length > 0) {
      node.applied.add(new String(entry.data(), StandardCharsets.UTF_8));
    }
  }

  private boolean deliver(TestNode node, boolean drop, StringBuilder out) {
    if (node.crashed || node.inbox.isEmpty()) {
      return false;
    }
    List<Message> messages = new ArrayList<>(node.inbox);
    node.inbox.clear();
    out.append("> ")
        .append(node.id)
        .append(drop ? " dropping messages\n" : " receiving messages\n");
    for (Message message : messages) {
      out.append("  ").append(Describe.message(message)).append('\n');
      if (!drop) {
        node.raft.step(message);
      }
    }
    return true;
  }

  private void stabilize(List<String> ids, StringBuilder out) {
    List<TestNode> chosen = new ArrayList<>();
    if (ids.isEmpty()) {
      for (TestNode node : nodes.values()) {
        chosen.add(node);
      }
    } else {
      for (String id : ids) {
        chosen.add(node(id));
      }
    }
    for (int round = 0; round < 1_000; round++) {
      boolean progressed = false;
      for (TestNode node : chosen) {
        progressed |= processReady(node, out);
      }
      for (TestNode node : chosen) {
        progressed |= deliver(node, false, out);
      }
      if (!progressed) {
        return;
      }
    }
    throw new AssertionError("stabilize did not settle in 1000 rounds");
  }

  private void partition(List<String> args) {
    List<Long> left = new ArrayList<>();
    List<Long> right = new ArrayList<>();
    boolean onRight = false;
    for (String arg : args) {
      if (arg.equals("/")) {
        onRight = true;
      } else {
        (onRight ? right : left).add(Long.parseLong(arg));
      }
    }
    for (long a : left) {
      for (long b : right) {
        cutLinks.add(a + "-" + b);
        cutLinks.add(b + "-" + a);
      }
    }
  }

  private void restart(TestNode crashed, StringBuilder out) {
    if (!crashed.crashed) {
      throw new IllegalArgumentException("node " + crashed.id + " is running");
    }
    crashed.crashed = false;
    crashed.restarts++;
    crashed.raft = RaftNode.restart(crashed.config, crashed.storage.recover(), rngFor(crashed));
    crashed.applied.clear();
    String data = new String(crashed.storage.snapshot().data(), StandardCharsets.UTF_8);
    if (!data.isEmpty()) {
      crashed.applied.addAll(List.of(data.split(" ")));
    }
    out.append(Describe.status(crashed.raft.status()));
  }

  private void raftState(StringBuilder out) {
    for (TestNode node : nodes.values()) {
      if (node.crashed) {
        out.append(node.id).append(" crashed\n");
        continue;
      }
      RaftNode raft = node.raft;
      out.append(node.id)
          .append(' ')
          .append(raft.role())
          .append(" term=")
          .append(raft.term())
          .append(" leader=")
          .append(raft.leader())
          .append(" commit=")
          .append(raft.status().commit())
          .append('\n');
    }
  }

  private void storedLog(TestNode node, StringBuilder out) {
    MemoryStorage storage = node.storage;
    out.append(node.id)
        .append(" stored: term=")
        .append(storage.hardState().term())
        .append(" vote=")
        .append(storage.hardState().vote())
        .append(" commit=")
        .append(storage.hardState().commit());
    if (storage.snapshot().index() > 0) {
      out.append(" snapshot=").append(Describe.snapshot(storage.snapshot()));
    }
    out.append('\n');
    for (Entry entry : storage.entries()) {
      out.append("  ").append(Describe.entry(entry)).append('\n');
    }
  }

  /** Election safety across the whole run, and stored logs agreeing on committed entries. */
  private void checkSafety() {
    for (TestNode node : nodes.values()) {
      if (node.crashed || node.raft.role() != Role.LEADER) {
        continue;
      }
      Long previous = leaderOfTerm.putIfAbsent(node.raft.term(), node.id);
      if (previous != null && previous != node.id) {
        throw new AssertionError(
            "election safety: nodes "
                + previous
                + " and "
                + node.id
                + " both led term "
                + node.raft.term());
      }
    }
  }
}
