package io.ringkv.cluster.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IncarnationFileTest {
  private final Path dir = Path.of("/node");
  private FaultInjectingFileSystem fs;

  @BeforeEach
  void setUp() throws IOException {
    fs = new FaultInjectingFileSystem();
    fs.createDirectories(dir);
    fs.syncDirectory(dir.getParent());
  }

  @Test
  void open_aNewNodeStartsAtZero() throws IOException {
    IncarnationFile file = IncarnationFile.open(fs, dir);

    assertThat(file.incarnation()).isZero();
    assertThat(file.bumped()).isFalse();
    assertThat(fs.exists(dir.resolve(IncarnationFile.FILE_NAME))).isTrue();
  }

  @Test
  void open_afterACleanCloseKeepsTheIncarnation() throws IOException {
    IncarnationFile.open(fs, dir).markClean();
    IncarnationFile second = IncarnationFile.open(fs, dir);
    second.markClean();

    IncarnationFile third = IncarnationFile.open(fs, dir);

    assertThat(third.incarnation()).isZero();
    assertThat(third.bumped()).isFalse();
  }

  @Test
  void open_afterAStopWithoutMarkGrows() throws IOException {
    IncarnationFile.open(fs, dir); // the run ends without markClean: a crash
    IncarnationFile second = IncarnationFile.open(fs, dir);

    assertThat(second.incarnation()).isEqualTo(1);
    assertThat(second.bumped()).isTrue();

    second.markClean();
    assertThat(IncarnationFile.open(fs, dir).incarnation()).isEqualTo(1);
  }

  @Test
  void open_theRunningMarkSurvivesPowerLossSoACrashAfterOpenStillBumps() throws IOException {
    for (long seed = 1; seed <= 50; seed++) {
      IncarnationFile running = IncarnationFile.open(fs, dir);
      long before = running.incarnation();
      fs.powerLoss(new Rng(seed));

      IncarnationFile next = IncarnationFile.open(fs, dir);

      assertThat(next.incarnation()).as("seed %d", seed).isEqualTo(before + 1);
    }
  }

  @Test
  void open_aCrashWhileMarkingCleanNeverGoesBelowThisRun() throws IOException {
    IncarnationFile.open(fs, dir); // 0, crashed
    IncarnationFile run = IncarnationFile.open(fs, dir); // 1
    for (int keep = 0; keep < IncarnationFile.FILE_BYTES; keep++) {
      fs.tearNextWrite(dir.resolve(IncarnationFile.FILE_NAME + ".tmp"), keep);
      try {
        run.markClean();
      } catch (IOException torn) {
        // the torn write may fail; the old file must still be there
      }
      fs.powerLoss(new Rng(keep));
      run = IncarnationFile.open(fs, dir);
      assertThat(run.incarnation()).as("torn at %d bytes", keep).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void open_aDamagedFileRefusesNamingIt() throws IOException {
    IncarnationFile.open(fs, dir).markClean();
    fs.flipBit(dir.resolve(IncarnationFile.FILE_NAME), 50);

    assertThatThrownBy(() -> IncarnationFile.open(fs, dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/node/incarnation is damaged")
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void decode_refusesWrongSizeVersionAndState() {
    assertThatThrownBy(() -> IncarnationFile.decode(new byte[3]))
        .hasMessageContaining("file size 3 bytes, expected 18");
    byte[] badState = IncarnationFile.encode(4, 7);
    assertThatThrownBy(() -> IncarnationFile.decode(badState))
        .hasMessageContaining("state 7, expected 0 (running) or 1 (clean)");
    assertThat(IncarnationFile.decode(IncarnationFile.encode(4, 1)))
        .isEqualTo(new IncarnationFile.Stored(4, true));
  }
}
