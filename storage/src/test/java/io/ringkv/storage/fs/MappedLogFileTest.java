package io.ringkv.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import io.ringkv.storage.wal.LogReader;
import io.ringkv.storage.wal.LogWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedLogFileTest {
  @TempDir Path dir;
  private final LocalFileSystem fs = new LocalFileSystem();

  @Test
  void write_acrossChunksReadsBackAndCloseTrimsTheClaimedTail() throws IOException {
    Path path = dir.resolve("000001.log");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Rng rng = new Rng(7);
    try (WritableFile file = fs.createLog(path)) {
      while (expected.size() < MappedLogFile.CHUNK_BYTES * 2 + 12345) {
        byte[] chunk = new byte[1 + rng.nextInt(100_000)];
        rng.nextBytes(chunk);
        file.write(ByteBuffer.wrap(chunk));
        expected.write(chunk);
      }
      file.sync();
      assertThat(file.size()).isEqualTo(expected.size());
      // Before close the file is longer: space is claimed ahead in chunks of zeros.
      assertThat(Files.size(path)).isGreaterThan(expected.size());
    }
    assertThat(Files.readAllBytes(path)).isEqualTo(expected.toByteArray());
  }

  @Test
  void crashWithoutClose_leavesTheDataThenZerosWhichTheLogReaderTreatsAsTheEnd()
      throws IOException {
    Path path = dir.resolve("000002.log");
    WritableFile file = fs.createLog(path);
    LogWriter log = new LogWriter(file);
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] record = ("record " + i).getBytes();
      records.add(record);
      log.append(record, 0, record.length);
      log.flush();
    }
    // No close: what another process sees now is what a kill -9 leaves behind.
    byte[] raw = Files.readAllBytes(path);
    assertThat(raw.length).isEqualTo(MappedLogFile.FIRST_CHUNK_BYTES);
    List<byte[]> replayed = new ArrayList<>();
    LogReader.ReplayResult result =
        LogReader.replay(fs, path, true, false, (payload, offset) -> replayed.add(payload));
    assertThat(result.tornTail()).isFalse();
    assertThat(replayed).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(Arrays.equals(replayed.get(i), records.get(i))).isTrue();
    }
    file.close();
  }

  @Test
  void writeAfterClose_isRefused() throws IOException {
    WritableFile file = fs.createLog(dir.resolve("000003.log"));
    file.close();
    assertThatThrownBy(() -> file.write(ByteBuffer.wrap(new byte[] {1})))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }
}
