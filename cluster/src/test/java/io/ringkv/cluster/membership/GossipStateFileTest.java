package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GossipStateFileTest {
  private final Path dir = Path.of("/node");
  private FaultInjectingFileSystem fs;
  private GossipStateFile file;

  @BeforeEach
  void setUp() throws IOException {
    fs = new FaultInjectingFileSystem();
    fs.createDirectories(dir);
    fs.syncDirectory(dir.getParent());
    file = new GossipStateFile(fs, dir);
  }

  private static PersistentGossipState state(long generation) {
    Member member =
        Member.joining(NodeId.of("n1"), Address.local("127.0.0.1", 1))
            .withTokens(List.of(Token.of(-5), Token.of(7), Token.of(Long.MAX_VALUE)))
            .withStatus(Member.Status.NORMAL);
    return new PersistentGossipState(generation, MemberValues.of(member));
  }

  @Test
  void load_nothingStoredIsEmpty() throws IOException {
    assertThat(file.load()).isEmpty();
  }

  @Test
  void store_thenLoadGivesTheSameState() throws IOException {
    file.store(state(41));
    file.store(state(42));

    assertThat(file.load()).contains(state(42));
  }

  @Test
  void store_survivesPowerLossOnceItReturns() throws IOException {
    file.store(state(7));
    fs.powerLoss(new Rng(3));

    assertThat(new GossipStateFile(fs, dir).load()).contains(state(7));
  }

  @Test
  void store_tornByPowerLossLeavesTheOldOrTheNewStateNeverAMix() throws IOException {
    for (long seed = 1; seed <= 50; seed++) {
      file.store(state(1));
      fs.tearNextWrite(dir.resolve(GossipStateFile.FILE_NAME + ".tmp"), (int) (seed % 20));
      try {
        file.store(state(2));
      } catch (IOException torn) {
        // the write failed: the old state must still be there
      }
      fs.powerLoss(new Rng(seed));
      assertThat(file.load()).as("seed " + seed).isPresent().get().isIn(state(1), state(2));
    }
  }

  @Test
  void load_bitFlipIsRefusedNamingTheFile() throws IOException {
    file.store(state(9));
    fs.flipBit(file.path(), 77);

    assertThatThrownBy(() -> file.load())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.path().toString())
        .hasMessageContaining("checksum mismatch")
        .hasMessageContaining("delete it to join as a new node");
  }

  @Test
  void load_truncatedFileIsRefused() throws IOException {
    file.store(state(9));
    fs.truncateRaw(file.path(), 10);

    assertThatThrownBy(() -> file.load())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("shorter than a header");
  }

  @Test
  void encode_roundTripsEveryKeyAndNonAsciiValues() {
    java.util.TreeMap<ApplicationState, String> values = new java.util.TreeMap<>();
    for (ApplicationState key : ApplicationState.values()) {
      values.put(key, key.name().toLowerCase() + "-é€");
    }
    PersistentGossipState original = new PersistentGossipState(Long.MAX_VALUE - 1, values);

    assertThat(GossipStateFile.decode(GossipStateFile.encode(original))).isEqualTo(original);
  }
}
