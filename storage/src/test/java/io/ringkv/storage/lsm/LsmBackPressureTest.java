package io.ringkv.storage.lsm;

import static io.ringkv.storage.lsm.LsmTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.common.ManualClock;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import io.ringkv.storage.fs.WritableFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * When flushes cannot keep up, writers wait instead of filling the heap: with the flush held back
 * at a gate, a writer stalls once the immutable memtables allowed are full, the memtable bytes stay
 * bounded, and the writer goes on as soon as the flush can run.
 */
class LsmBackPressureTest {
  private static final Path DIR = Path.of("/db");

  /** Delegates to a real file system, but holds every table creation until the gate opens. */
  private static final class GatedFileSystem implements FileSystem {
    private final FileSystem inner;
    private final CountDownLatch gate = new CountDownLatch(1);

    GatedFileSystem(FileSystem inner) {
      this.inner = inner;
    }

    void open() {
      gate.countDown();
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      if (path.toString().endsWith(".sst")) {
        try {
          if (!gate.await(60, TimeUnit.SECONDS)) {
            throw new IOException("test gate never opened");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      return inner.create(path);
    }

    @Override
    public ReadableFile openRead(Path path) throws IOException {
      return inner.openRead(path);
    }

    @Override
    public boolean exists(Path path) {
      return inner.exists(path);
    }

    @Override
    public long size(Path path) throws IOException {
      return inner.size(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
      return inner.list(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
      inner.delete(path);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      inner.rename(from, to);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
      inner.createDirectories(dir);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      inner.syncDirectory(dir);
    }

    @Override
    public void truncate(Path path, long length) throws IOException {
      inner.truncate(path, length);
    }

    @Override
    public Closeable lock(Path path) throws IOException {
      return inner.lock(path);
    }
  }

  @Test
  void slowFlush_stallsWritersWithBoundedMemoryThenLetsThemGoOn() throws Exception {
    GatedFileSystem fs = new GatedFileSystem(new FaultInjectingFileSystem());
    ManualClock clock = LsmTestSupport.clock();
    EngineOptions options =
        LsmTestSupport.smallOptions(DIR, fs, clock).toBuilder().immutableMemtablesMax(1).build();
    int keys = 3_000; // about 3 memtables of 64 KiB
    try (LsmEngine engine = LsmEngine.open(options)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < keys; i++) {
                    engine.put(bytes("key" + i), Cell.value(new byte[60], i), Durability.NONE);
                  }
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      writer.start();
      // The writer must come to a stall: the one immutable memtable cannot be flushed.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (engine.stats().writeStalls() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(engine.stats().writeStalls()).as("a writer stalled").isPositive();
      assertThat(writer.isAlive()).as("the stalled writer is still waiting").isTrue();
      long bound = (1 + options.immutableMemtablesMax() + 1) * options.memtableBytes();
      assertThat(engine.stats().memtableBytes()).isLessThanOrEqualTo(bound);

      fs.open();
      writer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(writer.isAlive()).as("the writer finished once flushes could run").isFalse();
      assertThat(failure.get()).isNull();
      for (int i = 0; i < keys; i++) {
        assertThat(engine.get(bytes("key" + i))).as("key%d", i).isNotNull();
      }
      assertThat(engine.stats().writeStallNanos()).isPositive();
    }
  }
}
