package io.ringkv.sim.metadata;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.ring.Token;
import io.ringkv.sim.Simulation;
import io.ringkv.sim.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The checkers that run during a metadata run, at every epoch any node reaches and every entry any
 * node applies:
 *
 * <ul>
 *   <li><b>epoch agreement</b>: every node's metadata at one epoch is the same snapshot (the first
 *       one seen at that epoch is the reference);
 *   <li><b>result agreement</b>: every node's state machine returns the same result bytes for the
 *       entry at one index (determinism of apply, rejections included);
 *   <li><b>monotonic epochs</b>: within a process, each new snapshot's epoch is higher;
 *   <li><b>no token clash</b>: no two members that are not Left share a token, at any epoch.
 * </ul>
 *
 * The end-of-run checks (acknowledged changes present, convergence) are in {@link MetadataRun}.
 *
 * <p>Memory: one reference snapshot per epoch and one result per index, both bounded by the run's
 * length (a few hundred). Not thread-safe: the simulation's one thread.
 */
final class MetadataChecker {
  /** The most violations kept; the first ones matter, the rest are echoes. */
  static final int VIOLATIONS_MAX = 20;

  private final Simulation simulation;
  private final TreeMap<Long, ClusterMetadata> byEpoch = new TreeMap<>();
  private final TreeMap<Long, byte[]> resultByIndex = new TreeMap<>();
  private final List<Violation> violations = new ArrayList<>();
  private long epochsChecked;
  private long resultsChecked;

  MetadataChecker(Simulation simulation) {
    this.simulation = simulation;
  }

  void onEpoch(MetadataNode node, ClusterMetadata previous, ClusterMetadata current) {
    epochsChecked++;
    if (current.epoch() <= previous.epoch()) {
      fail(
          "monotonic epochs",
          node.name + " went from epoch " + previous.epoch() + " to " + current.epoch());
    }
    ClusterMetadata reference = byEpoch.putIfAbsent(current.epoch(), current);
    if (reference == null) {
      checkTokens(current);
    } else if (!reference.equals(current)) {
      fail(
          "epoch agreement",
          node.name
              + " has at epoch "
              + current.epoch()
              + " "
              + current
              + " where another node had "
              + reference);
    }
  }

  void onResult(MetadataNode node, long index, byte[] result) {
    resultsChecked++;
    byte[] reference = resultByIndex.putIfAbsent(index, result);
    if (reference != null && !Arrays.equals(reference, result)) {
      fail("result agreement", node.name + " returned another result for entry " + index);
    }
  }

  private void checkTokens(ClusterMetadata metadata) {
    TreeMap<Token, Member> owners = new TreeMap<>();
    for (Member member : metadata.members().values()) {
      if (member.status() == Member.Status.LEFT) {
        continue;
      }
      for (Token token : member.tokens()) {
        Member other = owners.put(token, member);
        if (other != null) {
          fail(
              "token clash",
              "epoch "
                  + metadata.epoch()
                  + ": "
                  + member.id()
                  + " and "
                  + other.id()
                  + " both hold token "
                  + token);
        }
      }
    }
  }

  void fail(String checker, String message) {
    simulation.trace("VIOLATION " + checker + ": " + message);
    if (violations.size() < VIOLATIONS_MAX) {
      violations.add(new Violation(checker, simulation.nowNanos(), message));
    }
  }

  List<Violation> violations() {
    return List.copyOf(violations);
  }

  long epochsChecked() {
    return epochsChecked;
  }

  long resultsChecked() {
    return resultsChecked;
  }

  long highestEpoch() {
    return byEpoch.isEmpty() ? 0 : byEpoch.lastKey();
  }
}
