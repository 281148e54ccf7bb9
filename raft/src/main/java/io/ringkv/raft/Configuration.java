package io.ringkv.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The members of a Raft group: voters decide elections and commits; learners receive the log but
 * never vote or count towards a quorum. Both lists are sorted and disjoint, so that iteration over
 * them is the same on every run and every node.
 *
 * <p>A configuration changes one member at a time ({@link ConfigChange}): any two majorities of
 * configurations that differ by one voter overlap, so no joint consensus is needed (Ongaro's
 * thesis, §4.2).
 *
 * @param voters the voting members' ids, sorted, each positive
 * @param learners the non-voting members' ids, sorted, each positive, none a voter
 */
public record Configuration(List<Long> voters, List<Long> learners) {
  /** The configuration of a node that has not learnt its group yet: it cannot vote or campaign. */
  public static final Configuration EMPTY = new Configuration(List.of(), List.of());

  /** The members any one configuration may hold, to bound every per-member structure. */
  public static final int MEMBERS_MAX = 64;

  private static final byte FORMAT_VERSION = 1;

  public Configuration {
    voters = sortedUnique(voters, "voter");
    learners = sortedUnique(learners, "learner");
    for (long learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException("node " + learner + " is both a voter and a learner");
      }
    }
    if (voters.size() + learners.size() > MEMBERS_MAX) {
      throw new IllegalArgumentException(
          "a configuration holds at most "
              + MEMBERS_MAX
              + " members, got "
              + (voters.size() + learners.size()));
    }
  }

  /** A configuration of voters only. */
  public static Configuration ofVoters(long... ids) {
    List<Long> voters = new ArrayList<>();
    for (long id : ids) {
      voters.add(id);
    }
    return new Configuration(voters, List.of());
  }

  public boolean isVoter(long id) {
    return voters.contains(id);
  }

  public boolean isLearner(long id) {
    return learners.contains(id);
  }

  public boolean contains(long id) {
    return isVoter(id) || isLearner(id);
  }

  /** Voters then learners, each sorted. */
  public List<Long> members() {
    List<Long> members = new ArrayList<>(voters);
    members.addAll(learners);
    return members;
  }

  /** How many voters make a majority. */
  public int quorum() {
    return voters.size() / 2 + 1;
  }

  /** The configuration after {@code change}, or an exception naming why it does not apply. */
  public Configuration apply(ConfigChange change) {
    List<Long> newVoters = new ArrayList<>(voters);
    List<Long> newLearners = new ArrayList<>(learners);
    switch (change) {
      case ConfigChange.AddVoter add -> {
        long id = add.nodeId();
        if (isVoter(id)) {
          throw new IllegalArgumentException("node " + id + " is already a voter");
        }
        newLearners.remove(id);
        newVoters.add(id);
      }
      case ConfigChange.AddLearner add -> {
        long id = add.nodeId();
        if (isLearner(id)) {
          throw new IllegalArgumentException("node " + id + " is already a learner");
        }
        newVoters.remove(id);
        newLearners.add(id);
      }
      case ConfigChange.RemoveMember remove -> {
        long id = remove.nodeId();
        if (!contains(id)) {
          throw new IllegalArgumentException("node " + id + " is not a member");
        }
        newVoters.remove(id);
        newLearners.remove(id);
      }
    }
    if (newVoters.isEmpty()) {
      throw new IllegalArgumentException("a configuration needs at least one voter");
    }
    return new Configuration(newVoters, newLearners);
  }

  /** The bytes of a {@link EntryType#CONFIGURATION} entry holding this configuration. */
  public byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(1 + 4 + 4 + 8 * (voters.size() + learners.size()));
    buffer.put(FORMAT_VERSION).putInt(voters.size()).putInt(learners.size());
    voters.forEach(buffer::putLong);
    learners.forEach(buffer::putLong);
    return buffer.array();
  }

  /**
   * The configuration in a {@link EntryType#CONFIGURATION} entry's data.
   *
   * @throws IllegalArgumentException if the bytes are not an encoded configuration
   */
  public static Configuration decode(byte[] data) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(data);
      byte version = buffer.get();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("unknown configuration format version " + version);
      }
      int voterCount = buffer.getInt();
      int learnerCount = buffer.getInt();
      if (voterCount < 0
          || learnerCount < 0
          || voterCount + learnerCount > MEMBERS_MAX
          || buffer.remaining() != 8 * (voterCount + learnerCount)) {
        throw new IllegalArgumentException(
            "bad configuration counts: voters=" + voterCount + " learners=" + learnerCount);
      }
      List<Long> voters = new ArrayList<>();
      for (int i = 0; i < voterCount; i++) {
        voters.add(buffer.getLong());
      }
      List<Long> learners = new ArrayList<>();
      for (int i = 0; i < learnerCount; i++) {
        learners.add(buffer.getLong());
      }
      return new Configuration(voters, learners);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(
          "configuration data too short: " + data.length + " bytes", e);
    }
  }

  @Override
  public String toString() {
    return "voters=" + voters + (learners.isEmpty() ? "" : " learners=" + learners);
  }

  private static List<Long> sortedUnique(List<Long> ids, String what) {
    TreeSet<Long> sorted = new TreeSet<>();
    for (Long id : ids) {
      if (id == null || id <= 0) {
        throw new IllegalArgumentException(what + " id must be positive, was " + id);
      }
      if (!sorted.add(id)) {
        throw new IllegalArgumentException(what + " " + id + " listed twice");
      }
    }
    return List.copyOf(sorted);
  }
}
