package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LwwTest {

  private static Cell value(String text, long timestamp) {
    return Cell.value(text.getBytes(StandardCharsets.UTF_8), timestamp);
  }

  @Test
  void theHigherTimestampWins() {
    assertThat(Lww.winner(value("old", 1), value("new", 2))).isEqualTo(value("new", 2));
    assertThat(Lww.winner(value("new", 2), value("old", 1))).isEqualTo(value("new", 2));
    assertThat(Lww.supersedes(value("a", 2), value("b", 1))).isTrue();
    assertThat(Lww.supersedes(value("a", 1), value("b", 2))).isFalse();
    assertThat(Lww.supersedes(value("a", 1), null)).isTrue();
  }

  @Test
  void onATieATombstoneWinsThenTheGreaterValue() {
    Cell tombstone = Cell.tombstone(5).stampDeletionTime(100);
    assertThat(Lww.winner(value("x", 5), tombstone)).isEqualTo(tombstone);
    assertThat(Lww.winner(value("a", 5), value("b", 5))).isEqualTo(value("b", 5));
    assertThat(Lww.supersedes(value("b", 5), value("b", 5))).isFalse();
  }

  @Test
  void noExpiryOutlivesAnExpiryOnATie() {
    Cell expiring = value("v", 5).withExpiry(1_000);
    Cell forever = value("v", 5);
    assertThat(Lww.winner(expiring, forever)).isEqualTo(forever);
  }

  @Test
  void theOrderIsTotalSoAnyArrivalOrderKeepsTheSameCell() {
    long seed = 0xC0FFEEL;
    Rng rng = new Rng(seed);
    for (int round = 0; round < 2_000; round++) {
      List<Cell> cells = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        long timestamp = rng.nextInt(3);
        cells.add(
            switch (rng.nextInt(3)) {
              case 0 -> Cell.tombstone(timestamp).stampDeletionTime(1 + rng.nextInt(2));
              case 1 -> value("v" + rng.nextInt(3), timestamp).withExpiry(1 + rng.nextInt(2));
              default -> value("v" + rng.nextInt(3), timestamp);
            });
      }
      Cell expected = null;
      for (Cell cell : cells) {
        expected = Lww.winner(expected, cell);
      }
      Collections.shuffle(cells, new java.util.Random(rng.nextLong()));
      Cell kept = null;
      for (Cell cell : cells) {
        if (Lww.supersedes(cell, kept)) {
          kept = cell;
        }
      }
      assertThat(kept).as("seed %d round %d", seed, round).isEqualTo(expected);
      for (Cell a : cells) {
        for (Cell b : cells) {
          assertThat(Integer.signum(Lww.compare(a, b)))
              .as("antisymmetry, seed %d round %d", seed, round)
              .isEqualTo(-Integer.signum(Lww.compare(b, a)));
          if (Lww.compare(a, b) == 0) {
            assertThat(a).isEqualTo(b);
          }
        }
      }
    }
  }

  @Test
  void digestsTellCellsApart() {
    assertThat(Lww.digest(null)).isZero();
    assertThat(Lww.digest(value("v", 1))).isEqualTo(Lww.digest(value("v", 1))).isNotZero();
    assertThat(Lww.digest(value("v", 1))).isNotEqualTo(Lww.digest(value("w", 1)));
    assertThat(Lww.digest(value("v", 1))).isNotEqualTo(Lww.digest(value("v", 2)));
    assertThat(Lww.digest(value("v", 1))).isNotEqualTo(Lww.digest(value("v", 1).withExpiry(9)));
    assertThat(Lww.digest(Cell.tombstone(1).stampDeletionTime(3)))
        .isNotEqualTo(Lww.digest(Cell.value(new byte[0], 1).withExpiry(3)));
    assertThat(Lww.digest(value("abcdefghij", 1))).isNotEqualTo(Lww.digest(value("abcdefghik", 1)));
  }
}
