package io.ringkv.cluster.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.Durability;
import org.junit.jupiter.api.Test;

class HintConfigTest {
  @Test
  void defaults_areThreeHoursOneGibPerTargetEightMibSegmentsAndSync() {
    HintConfig config = HintConfig.defaults();

    assertThat(config.enabled()).isTrue();
    assertThat(config.windowMillis()).isEqualTo(3 * 3_600_000L);
    assertThat(config.maxBytesPerTarget()).isEqualTo(1L << 30);
    assertThat(config.segmentBytes()).isEqualTo(8L << 20);
    assertThat(config.durability()).isEqualTo(Durability.SYNC);
  }

  @Test
  void badValues_areRejectedNamingTheKeyTheValueAndTheLimit() {
    HintConfig base = HintConfig.defaults();

    assertThatThrownBy(() -> base.withWindowMillis(0))
        .hasMessage("hints.window_millis must be in [1, 2592000000], was 0");
    assertThatThrownBy(() -> base.withSizes(1L << 30, 100))
        .hasMessage("hints.segment_bytes must be in [256, 1073741824], was 100");
    assertThatThrownBy(() -> base.withSizes(1000, 4096))
        .hasMessage(
            "hints.max_bytes_per_target must be in [hints.segment_bytes (4096), 1099511627776],"
                + " was 1000");
    assertThatThrownBy(() -> base.withDurability(null)).hasMessageContaining("hints.durability");
  }
}
