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
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Point lookups read tables through readers their version pins (see {@link Version}): the readers
 * of tables compacted away close once no version holds them, every reader closes with the engine,
 * and lookups stay right across flushes and compactions.
 */
class PinnedTableReadersTest {
  private static final Path DIR = Path.of("/db");
  private final CountingFileSystem fs = new CountingFileSystem(new FaultInjectingFileSystem());
  private final ManualClock clock = LsmTestSupport.clock();

  @Test
  void readersOfCompactedTablesCloseAndAllCloseWithTheEngine() throws Exception {
    EngineOptions options = LsmTestSupport.smallOptions(DIR, fs, clock);
    try (LsmEngine engine = LsmEngine.open(options)) {
      int keys = 3_000;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < keys; i++) {
          engine.put(
              key(i),
              Cell.value(bytes("v" + round + "-" + i), round * keys + i + 1L),
              Durability.NONE);
        }
        engine.flush();
        for (int i = 0; i < keys; i++) {
          assertThat(engine.get(key(i)).value()).isEqualTo(bytes("v" + round + "-" + i));
        }
        assertThat(engine.get(bytes("absent-" + round))).isNull();
      }
      engine.compact();
      for (int i = 0; i < keys; i++) {
        assertThat(engine.get(key(i)).value()).isEqualTo(bytes("v2-" + i));
      }
      int liveTables = engine.stats().filesPerLevel().stream().mapToInt(Integer::intValue).sum();
      assertThat(liveTables).isPositive();
      // Only the current version's tables are open: the readers pinned by older versions closed
      // with them (no iterator holds one).
      assertThat(fs.openReaders.get()).isEqualTo(liveTables);
    }
    assertThat(fs.openReaders.get()).isZero();
  }

  private static byte[] key(int i) {
    return bytes(String.format("key-%06d", i));
  }

  /** Counts the readable files open at once; everything else goes to the delegate. */
  private static final class CountingFileSystem implements FileSystem {
    final AtomicInteger openReaders = new AtomicInteger();
    private final FileSystem delegate;

    CountingFileSystem(FileSystem delegate) {
      this.delegate = delegate;
    }

    @Override
    public WritableFile create(Path path) throws IOException {
      return delegate.create(path);
    }

    @Override
    public WritableFile createLog(Path path) throws IOException {
      return delegate.createLog(path);
    }

    @Override
    public ReadableFile openRead(Path path) throws IOException {
      ReadableFile file = delegate.openRead(path);
      if (!path.getFileName().toString().endsWith(".sst")) {
        return file;
      }
      openReaders.incrementAndGet();
      return new ReadableFile() {
        private boolean closed;

        @Override
        public long size() throws IOException {
          return file.size();
        }

        @Override
        public void read(long position, ByteBuffer destination) throws IOException {
          file.read(position, destination);
        }

        @Override
        public void close() throws IOException {
          if (!closed) {
            closed = true;
            openReaders.decrementAndGet();
          }
          file.close();
        }
      };
    }

    @Override
    public boolean exists(Path path) {
      return delegate.exists(path);
    }

    @Override
    public long size(Path path) throws IOException {
      return delegate.size(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
      return delegate.list(dir);
    }

    @Override
    public void delete(Path path) throws IOException {
      delegate.delete(path);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      delegate.rename(from, to);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
      delegate.createDirectories(dir);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      delegate.syncDirectory(dir);
    }

    @Override
    public void truncate(Path path, long length) throws IOException {
      delegate.truncate(path, length);
    }

    @Override
    public Closeable lock(Path path) throws IOException {
      return delegate.lock(path);
    }
  }
}
