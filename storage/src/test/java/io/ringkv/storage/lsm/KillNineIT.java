package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.Rng;
import io.ringkv.storage.Cell;
import io.ringkv.storage.EngineOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 loop: a child JVM ({@link KillNineChild}) writes with SYNC from several threads and
 * reports every acknowledged key; this test kills it with SIGKILL at a random moment (during group
 * commits, flushes and compactions alike), reopens the engine, and checks every acknowledged key
 * and its value. Then it starts the child again on the same directory, and so on.
 *
 * <p>50 cycles by default; {@code -Dringkv.long=true} runs 1,000 and {@code
 * -Dstorage.kill.cycles=N} any number. {@code -Dstorage.kill.seed=N} fixes the kill points. Prints
 * cycles, keys acknowledged and keys lost (which must be 0).
 */
class KillNineIT {

  @TempDir Path dir;

  @Test
  void killNine_losesNoAcknowledgedSyncedWrite() throws Exception {
    int cycles =
        Integer.getInteger("storage.kill.cycles", Boolean.getBoolean("ringkv.long") ? 1_000 : 50);
    long seed = Long.getLong("storage.kill.seed", System.nanoTime());
    Rng rng = new Rng(seed);
    Path data = dir.resolve("db");
    long next = 0;
    long acknowledged = 0;
    long lost = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      int killAfterAcks = 1 + rng.nextInt(rng.nextBoolean() ? 50 : 3_000);
      List<Long> acks = runAndKill(data, next, killAfterAcks, seed, cycle);
      acknowledged += acks.size();
      try (LsmEngine engine = LsmEngine.open(EngineOptions.defaults(data))) {
        for (long n : acks) {
          Cell cell = engine.get(KillNineChild.key(n));
          if (cell == null || !java.util.Arrays.equals(cell.value(), KillNineChild.value(n))) {
            lost++;
          }
        }
      }
      assertThat(lost)
          .as(
              "seed %d cycle %d: acknowledged keys lost (replay: -Dstorage.kill.seed=%d)",
              seed, cycle, seed)
          .isZero();
      long max = acks.stream().mapToLong(Long::longValue).max().orElse(next);
      next = max + 1_000; // past any unacknowledged write still in flight
    }
    System.out.printf(
        "kill -9 loop: seed %d, %d cycles, %d keys acknowledged, %d lost%n",
        seed, cycles, acknowledged, lost);
  }

  private static List<Long> runAndKill(
      Path data, long first, int killAfterAcks, long seed, int cycle) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx256m",
                KillNineChild.class.getName(),
                data.toString(),
                Long.toString(first),
                "4")
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    Process child = builder.start();
    List<Long> acks = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("seed %d cycle %d: child started", seed, cycle).isEqualTo("READY");
      while (acks.size() < killAfterAcks && (line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acks.add(Long.parseLong(line.substring(4)));
        }
      }
      // SIGKILL: no shutdown hooks, no final sync. Through the handle, so that the pipe stays open
      // for the acknowledgements printed before the kill (Process.destroy would close it).
      child.toHandle().destroyForcibly();
      // Acknowledgements already printed before the kill count too.
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acks.add(Long.parseLong(line.substring(4)));
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited after SIGKILL").isTrue();
    }
    assertThat(Files.exists(data)).isTrue();
    return acks;
  }
}
