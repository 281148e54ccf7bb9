package io.ringkv.sim.membership;

import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.sim.SimNetwork;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * When each kind of fault last touched each node and link, so that the checkers can ask "has this
 * pair been undisturbed for long enough to judge?". Times are the simulation's true time; {@link
 * #NEVER} means never, {@link #NOW_DISTURBED} means the condition does not hold now.
 *
 * <p>The questions, defined in docs/design/simulator.md:
 *
 * <ul>
 *   <li>{@link #connectedSince}: both nodes running (not crashed, not frozen) and neither link
 *       between them cut, and the observer's clock not jumped;
 *   <li>{@link #cleanSince}: connected, both links' loss at most {@link #CLEAN_LOSS_MAX}, and every
 *       other node steady (no start, stop, freeze or thaw) and, if running, linked to both the same
 *       way: a cluster in which a conviction of a running node cannot be blamed on the network;
 *   <li>{@link #downDisturbance}: the last event after which a stopped node's old heartbeats could
 *       still reach the observer (a cut restored or made, a link's loss changed, a thaw releasing
 *       held messages, the observer's own start, thaw or clock jump);
 *   <li>{@link #upDisturbance}: the last event after which a returned node could still be unknown
 *       to the observer (a cut or loss change, the observer's own start or thaw, a seed coming
 *       back).
 * </ul>
 *
 * <p>Not thread-safe: a {@link ClusterListener} on the simulation's one thread.
 */
final class FaultHistory implements ClusterListener {
  /** The highest loss on a link still counted as clean (a healthy network loses some packets). */
  static final double CLEAN_LOSS_MAX = 0.05;

  /** "Never happened". */
  static final long NEVER = Long.MIN_VALUE;

  /** "The condition does not hold now". */
  static final long NOW_DISTURBED = Long.MAX_VALUE;

  private final SimCluster cluster;
  private final SimNetwork<GossipMessage> network;
  private final List<String> names;
  private final TreeMap<String, Integer> indexes = new TreeMap<>();
  private final long[] lastTransition;
  private final long[] lastClockJump;
  private final long[][] lastCutChange;
  private final long[][] lastLossChange;
  private final boolean[][] cut;
  private final double[][] loss;
  private long lastAnyCutChange = NEVER;
  private long lastAnyThaw = NEVER;
  private long lastSeedReturn = NEVER;
  private long lastAnyLossChange = NEVER;

  FaultHistory(SimCluster cluster) {
    this.cluster = cluster;
    this.network = cluster.network();
    this.names = cluster.names();
    int size = names.size();
    for (int i = 0; i < size; i++) {
      indexes.put(names.get(i), i);
    }
    lastTransition = filled(size);
    lastClockJump = filled(size);
    lastCutChange = new long[size][];
    lastLossChange = new long[size][];
    cut = new boolean[size][size];
    loss = new double[size][size];
    for (int i = 0; i < size; i++) {
      lastCutChange[i] = filled(size);
      lastLossChange[i] = filled(size);
      for (int j = 0; j < size; j++) {
        if (i != j) {
          loss[i][j] = network.lossProbability(names.get(i), names.get(j));
        }
      }
    }
  }

  private static long[] filled(int size) {
    long[] array = new long[size];
    Arrays.fill(array, NEVER);
    return array;
  }

  // --- listening ---

  @Override
  public void onStarted(SimNode node, boolean restart) {
    lastTransition[index(node.name())] = cluster.nowNanos();
    if (node.isSeed()) {
      lastSeedReturn = cluster.nowNanos();
    }
  }

  @Override
  public void onStopped(SimNode node, StopKind kind) {
    lastTransition[index(node.name())] = cluster.nowNanos();
  }

  @Override
  public void onThawed(SimNode node) {
    lastTransition[index(node.name())] = cluster.nowNanos();
    lastAnyThaw = cluster.nowNanos();
    if (node.isSeed()) {
      lastSeedReturn = cluster.nowNanos();
    }
  }

  @Override
  public void onClockJumped(SimNode node, long deltaNanos) {
    lastClockJump[index(node.name())] = cluster.nowNanos();
  }

  @Override
  public void onLinkChanged(String from, String to) {
    int f = index(from);
    int t = index(to);
    long now = cluster.nowNanos();
    boolean isCut = network.isCut(from, to);
    if (isCut != cut[f][t]) {
      cut[f][t] = isCut;
      lastCutChange[f][t] = now;
      lastAnyCutChange = now;
    }
    double newLoss = network.lossProbability(from, to);
    if (newLoss != loss[f][t]) {
      loss[f][t] = newLoss;
      lastLossChange[f][t] = now;
      lastAnyLossChange = now;
    }
  }

  // --- questions ---

  /**
   * Since when {@code observer} and {@code subject} have been connected (see the class comment).
   */
  long connectedSince(String observer, String subject) {
    int o = index(observer);
    int s = index(subject);
    if (!running(o) || !running(s) || cut[o][s] || cut[s][o]) {
      return NOW_DISTURBED;
    }
    return max(
        lastTransition[o],
        lastTransition[s],
        lastClockJump[o],
        lastCutChange[o][s],
        lastCutChange[s][o]);
  }

  /** Since when the pair and everything around it has been clean (see the class comment). */
  long cleanSince(String observer, String subject) {
    long since = connectedSince(observer, subject);
    if (since == NOW_DISTURBED) {
      return NOW_DISTURBED;
    }
    int o = index(observer);
    int s = index(subject);
    if (lossy(o, s) || lossy(s, o)) {
      return NOW_DISTURBED;
    }
    since = max(since, lastLossChange[o][s], lastLossChange[s][o]);
    for (int c = 0; c < names.size(); c++) {
      if (c == o || c == s) {
        continue;
      }
      since = Math.max(since, lastTransition[c]);
      if (!running(c)) {
        continue;
      }
      for (int end : new int[] {o, s}) {
        if (cut[c][end] || cut[end][c] || lossy(c, end) || lossy(end, c)) {
          return NOW_DISTURBED;
        }
        since =
            max(
                since,
                lastCutChange[c][end],
                lastCutChange[end][c],
                lastLossChange[c][end],
                lastLossChange[end][c]);
      }
    }
    return since;
  }

  /**
   * The last event after which a stopped node's old heartbeats could still reach {@code observer}.
   */
  long downDisturbance(String observer) {
    int o = index(observer);
    return max(
        lastAnyCutChange, lastAnyLossChange, lastAnyThaw, lastTransition[o], lastClockJump[o]);
  }

  /**
   * The last event after which a returned node may still be unseen by {@code observer}: a cut made
   * or restored, the observer's own start or thaw, or a seed coming back (a node that restarts
   * knows only the seeds; while none runs, two restarted nodes cannot find each other).
   */
  long upDisturbance(String observer) {
    int o = index(observer);
    return max(lastAnyCutChange, lastAnyLossChange, lastTransition[o], lastSeedReturn);
  }

  /** The highest loss on any link between two running nodes now. */
  double lossBetweenRunningNodesMax() {
    double max = 0;
    for (int a = 0; a < names.size(); a++) {
      if (!running(a)) {
        continue;
      }
      for (int b = 0; b < names.size(); b++) {
        if (a != b && running(b)) {
          max = Math.max(max, loss[a][b]);
        }
      }
    }
    return max;
  }

  /** True if some seed runs now. */
  boolean anySeedRunning() {
    for (SimNode node : cluster.nodes()) {
      if (node.isSeed() && node.isRunning()) {
        return true;
      }
    }
    return false;
  }

  /** True if no link between two running nodes is cut now. */
  boolean runningNodesFullyLinked() {
    for (int a = 0; a < names.size(); a++) {
      if (!running(a)) {
        continue;
      }
      for (int b = 0; b < names.size(); b++) {
        if (a != b && running(b) && cut[a][b]) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean lossy(int from, int to) {
    return loss[from][to] > CLEAN_LOSS_MAX;
  }

  private boolean running(int index) {
    return cluster.node(names.get(index)).isRunning();
  }

  private int index(String name) {
    return indexes.get(name);
  }

  private static long max(long first, long... rest) {
    long max = first;
    for (long value : rest) {
      max = Math.max(max, value);
    }
    return max;
  }
}
