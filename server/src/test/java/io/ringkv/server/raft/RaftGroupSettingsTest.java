package io.ringkv.server.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RaftGroupSettingsTest {
  private final RaftGroupSettings defaults =
      RaftGroupSettings.defaults(7, 2, Path.of("raft-group"));

  @Test
  void withers_changeTheirFieldOnly() {
    RaftGroupSettings changed =
        defaults
            .withTickMillis(50)
            .withSnapshotEveryEntries(123)
            .withBounds(11, 12, 13)
            .withRequestTimeoutMillis(9_000)
            .withLeaderAppendsBeforeSync(false)
            .withRaft(defaults.raft());

    assertThat(changed)
        .isEqualTo(
            new RaftGroupSettings(
                7,
                Path.of("raft-group"),
                defaults.raft(),
                50,
                123,
                11,
                12,
                13,
                9_000,
                defaults.segmentBytesMax(),
                defaults.envelopeBytesMax(),
                false));
    assertThat(defaults.tickMillis()).as("the original is unchanged").isEqualTo(100);
  }

  @Test
  void withers_checkTheNewValue() {
    assertThatThrownBy(() -> defaults.withTickMillis(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tickMillis must be in [1, 60000], was 0");
    assertThatThrownBy(() -> defaults.withBounds(1, 1, RaftGroupSettings.COUNT_LIMIT + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inboundMessagesMax");
  }
}
