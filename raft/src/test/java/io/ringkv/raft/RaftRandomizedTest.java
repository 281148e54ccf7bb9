package io.ringkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.raft.testing.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Many small groups run under a hostile, seeded schedule: messages delivered in random order, lost,
 * duplicated; nodes ticking at random, crashing (losing what was not synced) and restarting;
 * partitions; compactions; membership changes; reads; leadership transfers. After every step the
 * safety properties of the paper's Figure 3 are checked; after the chaos the network heals and the
 * group must commit a new entry everywhere (liveness).
 *
 * <p>This is the quick in-module check; sim/ runs the same nodes with a richer model.
 */
class RaftRandomizedTest {
  private static final boolean LONG = Boolean.getBoolean("ringkv.long");
  private static final int SEEDS = LONG ? 20_000 : 400;
  private static final int CHAOS_STEPS = 3_000;
  private static final int HEAL_STEPS_MAX = 200_000;

  @Test
  void safetyAndLiveness_underRandomFaults() {
    long firstSeed = Long.getLong("raft.seed", 1);
    int seeds = Long.getLong("raft.seed") != null ? 1 : SEEDS;
    long committedTotal = 0;
    for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
      Run run = new Run(seed);
      try {
        committedTotal += run.execute();
      } catch (Throwable failure) {
        if (TRACE) {
          System.out.println("trace of seed " + seed + ":\n" + String.join("\n", run.trace));
        }
        throw new AssertionError(
            "seed " + seed + " failed (rerun with -Draft.seed=" + seed + ")", failure);
      }
    }
    System.out.printf(
        "raft randomized: %d seeds, %d entries committed, 0 violations%n", seeds, committedTotal);
  }

  private static final class SimNode {
    final long id;
    final RaftConfig config;
    final MemoryStorage storage = new MemoryStorage();
    RaftNode raft;
    boolean crashed;
    int restarts;

    /** The state machine: last applied index and a running hash of what was applied. */
    long appliedIndex;

    long appliedHash;

    SimNode(long id, RaftConfig config) {
      this.id = id;
      this.config = config;
    }
  }

  private static final boolean TRACE = Boolean.getBoolean("raft.trace");

  private static final class Run {
    final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();
    final long seed;
    final Rng rng;
    final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    final List<Message> network = new ArrayList<>();
    final boolean[][] cut;
    final Map<Long, Long> leaderOfTerm = new HashMap<>();
    final Map<Long, Entry> committedAt = new HashMap<>();
    final Map<Long, Long> hashAt = new HashMap<>();
    final Map<Long, Long> readFloor = new HashMap<>();

    /** The highest commit index each term's leader reported: what later leaders must hold. */
    final TreeMap<Long, Long> leaderCommits = new TreeMap<>();

    final boolean lease;
    long nextRequestId = 1;
    long proposals;
    long maxCommitted;

    Run(long seed) {
      this.seed = seed;
      this.rng = new Rng(seed);
      int voters = rng.nextBoolean() ? 3 : 5;
      int spares = rng.nextInt(3);
      boolean preVote = rng.nextBoolean();
      boolean checkQuorum = rng.nextBoolean();
      lease = checkQuorum && rng.nextBoolean();
      int inflight = 1 + rng.nextInt(4);
      int appendBytes = 64 + rng.nextInt(256);
      cut = new boolean[voters + spares + 1][voters + spares + 1];
      long[] voterIds = new long[voters];
      for (int i = 0; i < voters; i++) {
        voterIds[i] = i + 1;
      }
      Configuration configuration = Configuration.ofVoters(voterIds);
      for (long id = 1; id <= voters + spares; id++) {
        RaftConfig config =
            RaftConfig.builder(id)
                .preVote(preVote)
                .checkQuorum(checkQuorum)
                .leaseReads(lease)
                .electionTimeoutTicks(10)
                .leaseDurationTicks(8)
                .heartbeatIntervalTicks(2)
                .inflightAppendsMax(inflight)
                .appendBytesMax(appendBytes)
                .entryBytesMax(appendBytes)
                .inflightBytesMax(appendBytes * 4L)
                .uncommittedBytesMax(appendBytes * 8L)
                .pendingReadsMax(8)
                .build();
        SimNode node = new SimNode(id, config);
        node.raft =
            id <= voters
                ? RaftNode.bootstrap(config, configuration, rng.fork())
                : RaftNode.restart(config, PersistentState.empty(), rng.fork());
        nodes.put(id, node);
      }
    }

    long execute() {
      for (int step = 0; step < CHAOS_STEPS; step++) {
        chaosStep();
        checkSafety();
      }
      heal();
      return committedAt.size();
    }

    void chaosStep() {
      int roll = rng.nextInt(1000);
      SimNode node = randomNode();
      if (roll < 350) {
        deliverOne(rng.chance(0.05), rng.chance(0.03));
      } else if (roll < (lease ? 400 : 600)) {
        if (lease) {
          // Leases assume bounded clock drift: every node ticks at the same rate.
          trace("tick all");
          for (SimNode each : nodes.values()) {
            if (!each.crashed) {
              each.raft.tick();
            }
          }
        } else if (!node.crashed) {
          trace(node.id + " tick");
          node.raft.tick();
        }
      } else if (roll < 850) {
        processReady(node);
      } else if (roll < 920) {
        propose(node);
      } else if (roll < 940) {
        readIndex(node);
      } else if (roll < 948) {
        if (!node.crashed) {
          crash(node);
        }
      } else if (roll < 970) {
        if (node.crashed) {
          restart(node);
        }
      } else if (roll < 975) {
        long a = randomNode().id;
        long b = randomNode().id;
        cut[(int) a][(int) b] = true;
        cut[(int) b][(int) a] = true;
      } else if (roll < 982) {
        clearCuts();
      } else if (roll < 990) {
        compact(node);
      } else if (roll < 996) {
        changeConfiguration(node);
      } else {
        if (!node.crashed) {
          long target = randomNode().id;
          trace(node.id + " transfer to " + target + ": " + node.raft.transferLeadership(target));
        }
      }
    }

    SimNode randomNode() {
      return nodes.get(1 + (long) rng.nextInt(nodes.size()));
    }

    void deliverOne(boolean drop, boolean duplicate) {
      if (network.isEmpty()) {
        return;
      }
      int index = rng.nextInt(network.size());
      Message message = duplicate ? network.get(index) : network.remove(index);
      SimNode to = nodes.get(message.to());
      if (drop || to.crashed || cut[(int) message.from()][(int) message.to()]) {
        return;
      }
      trace("deliver " + message);
      to.raft.step(message);
    }

    void trace(String event) {
      if (TRACE) {
        trace.addLast(event);
        if (trace.size() > 400) {
          trace.removeFirst();
        }
      }
    }

    void processReady(SimNode node) {
      if (node.crashed || !node.raft.hasReady()) {
        return;
      }
      Ready ready = node.raft.ready();
      trace(
          node.id
              + " ready "
              + ready.softState()
              + " "
              + ready.hardState()
              + " entries="
              + ready.entries().size()
              + " sync="
              + ready.mustSync());
      ready.snapshot().ifPresent(node.storage::storeSnapshot);
      node.storage.storeEntries(ready.entries());
      ready.hardState().ifPresent(state -> node.storage.storeHardState(state, ready.mustSync()));
      network.addAll(ready.messages());
      if (node.raft.role() == Role.LEADER) {
        ready
            .hardState()
            .ifPresent(state -> leaderCommits.merge(state.term(), state.commit(), Math::max));
      }
      ready
          .snapshot()
          .ifPresent(
              snapshot -> {
                long hash = ByteBuffer.wrap(snapshot.data()).getLong();
                checkHash(snapshot.index(), hash);
                node.appliedIndex = snapshot.index();
                node.appliedHash = hash;
              });
      for (Entry entry : ready.committedEntries()) {
        apply(node, entry);
      }
      for (ReadState readState : ready.readStates()) {
        // A duplicated request or answer may bring a second read state for one id.
        Long floor = readFloor.get(readState.requestId());
        assertThat(floor).as("read state for an unknown request").isNotNull();
        assertThat(readState.index())
            .as(
                "read index %d below the commit index %d seen before the read",
                readState.index(), floor)
            .isGreaterThanOrEqualTo(floor);
      }
      node.raft.advance(ready);
      if (node.raft.role() == Role.LEADER) {
        checkLeaderCompleteness(node);
      }
    }

    void apply(SimNode node, Entry entry) {
      assertThat(entry.index()).as("applied in order").isEqualTo(node.appliedIndex + 1);
      Entry seen = committedAt.putIfAbsent(entry.index(), entry);
      assertThat(seen == null || seen.equals(entry))
          .as("state machine safety at %d: %s then %s", entry.index(), seen, entry)
          .isTrue();
      node.appliedIndex = entry.index();
      node.appliedHash = node.appliedHash * 31 + entry.hashCode();
      checkHash(entry.index(), node.appliedHash);
      maxCommitted = Math.max(maxCommitted, entry.index());
    }

    void checkHash(long index, long hash) {
      Long seen = hashAt.putIfAbsent(index, hash);
      assertThat(seen == null || seen == hash)
          .as("state machines differ after index %d", index)
          .isTrue();
    }

    void propose(SimNode node) {
      if (node.crashed) {
        return;
      }
      byte[] data = ("p" + proposals++).getBytes(StandardCharsets.UTF_8);
      node.raft.propose(data);
    }

    void readIndex(SimNode node) {
      if (node.crashed) {
        return;
      }
      long requestId = nextRequestId++;
      long floor = 0;
      for (SimNode other : nodes.values()) {
        if (!other.crashed) {
          floor = Math.max(floor, other.raft.status().commit());
        }
      }
      if (node.raft.readIndex(requestId) instanceof Submission.Accepted) {
        readFloor.put(requestId, floor);
      }
    }

    void crash(SimNode node) {
      trace(node.id + " crash");
      node.crashed = true;
      node.storage.crash();
      network.removeIf(message -> message.to() == node.id);
    }

    void restart(SimNode node) {
      node.crashed = false;
      node.restarts++;
      node.raft = RaftNode.restart(node.config, node.storage.recover(), rng.fork());
      trace(node.id + " restart " + node.raft.status());
      Snapshot snapshot = node.storage.snapshot();
      node.appliedIndex = snapshot.index();
      node.appliedHash = snapshot.index() == 0 ? 0 : ByteBuffer.wrap(snapshot.data()).getLong();
    }

    void compact(SimNode node) {
      if (node.crashed || node.raft.hasReady()) {
        return;
      }
      Status status = node.raft.status();
      long index = node.appliedIndex - rng.nextInt(5);
      if (index < status.firstIndex() || index != node.appliedIndex) {
        // Only the state at the applied index is at hand; a lagging snapshot would need history.
        return;
      }
      byte[] data = ByteBuffer.allocate(8).putLong(node.appliedHash).array();
      node.storage.compact(node.raft.compact(index, data));
    }

    void changeConfiguration(SimNode node) {
      if (node.crashed) {
        return;
      }
      long member = randomNode().id;
      ConfigChange change =
          switch (rng.nextInt(3)) {
            case 0 -> new ConfigChange.AddVoter(member);
            case 1 -> new ConfigChange.AddLearner(member);
            default -> new ConfigChange.RemoveMember(member);
          };
      trace(node.id + " " + change + ": " + node.raft.proposeConfigChange(change));
    }

    void clearCuts() {
      for (boolean[] row : cut) {
        java.util.Arrays.fill(row, false);
      }
    }

    void checkSafety() {
      for (SimNode node : nodes.values()) {
        // A leadership counts once its term and vote are stored: one that crashes before that
        // never sent or stored anything, and is forgotten.
        HardState stored = node.storage.hardState();
        if (node.crashed
            || node.raft.role() != Role.LEADER
            || stored.term() != node.raft.term()
            || stored.vote() != node.id) {
          continue;
        }
        Long previous = leaderOfTerm.putIfAbsent(node.raft.term(), node.id);
        assertThat(previous == null || previous == node.id)
            .as("election safety: %s and %d lead term %d", previous, node.id, node.raft.term())
            .isTrue();
      }
    }

    /**
     * A leader's stored log holds every entry committed in an earlier term (Leader Completeness).
     */
    void checkLeaderCompleteness(SimNode leader) {
      long required = 0;
      for (long commit : leaderCommits.headMap(leader.raft.term()).values()) {
        required = Math.max(required, commit);
      }
      Snapshot snapshot = leader.storage.snapshot();
      List<Entry> stored = leader.storage.entries();
      long last = snapshot.index() + stored.size();
      assertThat(last)
          .as(
              "leader %d of term %d misses committed entries up to %d",
              leader.id, leader.raft.term(), required)
          .isGreaterThanOrEqualTo(required);
      for (Entry entry : stored) {
        if (entry.index() > required) {
          break;
        }
        Entry committed = committedAt.get(entry.index());
        assertThat(committed == null || committed.equals(entry))
            .as("leader %d holds %s where %s was committed", leader.id, entry, committed)
            .isTrue();
      }
    }

    /** Heals every fault and requires a new entry to be applied by every member. */
    void heal() {
      clearCuts();
      for (SimNode node : nodes.values()) {
        if (node.crashed) {
          restart(node);
        }
      }
      String marker = "final-" + seed;
      Submission accepted = null;
      for (int step = 0; step < HEAL_STEPS_MAX; step++) {
        for (SimNode node : nodes.values()) {
          processReady(node);
        }
        while (!network.isEmpty()) {
          Message message = network.removeFirst();
          trace("deliver " + message);
          nodes.get(message.to()).raft.step(message);
        }
        for (SimNode node : nodes.values()) {
          processReady(node);
        }
        if (step % 3 == 0) {
          trace("tick all");
          for (SimNode node : nodes.values()) {
            node.raft.tick();
          }
        }
        checkSafety();
        if (accepted == null) {
          for (SimNode node : nodes.values()) {
            if (node.raft.role() == Role.LEADER) {
              Submission submission = node.raft.propose(marker.getBytes(StandardCharsets.UTF_8));
              if (submission instanceof Submission.Accepted) {
                accepted = submission;
              }
            }
          }
        } else {
          Submission.Accepted pending = (Submission.Accepted) accepted;
          Entry there = committedAt.get(pending.index());
          boolean newerLeader =
              nodes.values().stream()
                  .anyMatch(n -> n.raft.role() == Role.LEADER && n.raft.term() > pending.term());
          if ((there != null && there.term() != pending.term()) || (there == null && newerLeader)) {
            accepted = null; // possibly lost in a leader change: propose again
          } else if (appliedEverywhere((Submission.Accepted) accepted)) {
            return;
          }
        }
      }
      throw new AssertionError(
          "no progress after healing: accepted "
              + accepted
              + ", network "
              + network.size()
              + describe());
    }

    boolean appliedEverywhere(Submission.Accepted accepted) {
      if (committedAt.get(accepted.index()) == null) {
        return false;
      }
      for (SimNode leader : nodes.values()) {
        if (leader.raft.role() != Role.LEADER) {
          continue;
        }
        for (long member : leader.raft.status().configuration().members()) {
          if (nodes.get(member).appliedIndex < accepted.index()) {
            return false;
          }
        }
        return true;
      }
      return false;
    }

    String describe() {
      StringBuilder text = new StringBuilder();
      for (SimNode node : nodes.values()) {
        text.append('\n')
            .append(node.raft.status())
            .append(" appliedIndex=")
            .append(node.appliedIndex);
      }
      return text.toString();
    }
  }
}
