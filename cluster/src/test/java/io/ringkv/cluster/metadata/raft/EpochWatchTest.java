package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EpochWatchTest {
  private final EpochWatch watch = new EpochWatch(3);

  private static TreeMap<String, Long> peers(Object... nameThenEpoch) {
    TreeMap<String, Long> peers = new TreeMap<>();
    for (int i = 0; i < nameThenEpoch.length; i += 2) {
      peers.put((String) nameThenEpoch[i], ((Number) nameThenEpoch[i + 1]).longValue());
    }
    return peers;
  }

  @Test
  void tick_peerAheadForThreeTicks_fetchesFromTheFurthestAhead() {
    TreeMap<String, Long> peers = peers("node-1", 7, "node-2", 9, "node-3", 9);
    assertThat(watch.tick(5, peers)).isEmpty();
    assertThat(watch.tick(5, peers)).isEmpty();
    assertThat(watch.tick(5, peers)).contains("node-2");
  }

  @Test
  void tick_logCatchesUpInTime_noFetch() {
    assertThat(watch.tick(5, peers("node-1", 6))).isEmpty();
    assertThat(watch.tick(5, peers("node-1", 6))).isEmpty();
    assertThat(watch.tick(6, peers("node-1", 6))).isEmpty();
    assertThat(watch.tick(6, peers("node-1", 7))).isEmpty(); // the count started again
  }

  @Test
  void tick_aheadOfEveryone_neverFetches() {
    for (int i = 0; i < 10; i++) {
      assertThat(watch.tick(9, peers("node-1", 3))).isEqualTo(Optional.empty());
    }
  }

  @Test
  void constructor_zeroTicksIsRefused() {
    assertThatThrownBy(() -> new EpochWatch(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ticks behind max must be >= 1, was 0");
  }
}
