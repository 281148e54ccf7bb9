package io.ringkv.storage.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineContract;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.fs.FileSystem;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * The engine contract on {@link RocksEngine}, plus what is particular to it: the file systems it
 * accepts, its directory lock, what happens to iterators left open at close, and that it keeps
 * tombstones forever.
 */
class RocksEngineContractTest extends StorageEngineContract {

  @Override
  protected String engineName() {
    return EngineOptions.ENGINE_ROCKSDB;
  }

  @Override
  protected StorageEngine open(EngineOptions options) throws StorageException {
    return RocksEngine.open(options);
  }

  @Test
  void open_refusesAFileSystemOtherThanTheLocalOne() {
    FileSystem fake =
        (FileSystem)
            Proxy.newProxyInstance(
                FileSystem.class.getClassLoader(),
                new Class<?>[] {FileSystem.class},
                (proxy, method, args) -> {
                  throw new UnsupportedOperationException(method.getName());
                });
    EngineOptions options = options(temporaryDirectory.resolve("other")).withFileSystem(fake);

    assertThatThrownBy(() -> RocksEngine.open(options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("storage.fileSystem")
        .hasMessageContaining("LocalFileSystem");
  }

  @Test
  void storageEngines_opensTheRocksEngineItIsNamed() throws StorageException {
    EngineOptions options = options(temporaryDirectory.resolve("through-storage-engines"));

    try (StorageEngine opened = StorageEngines.open(options)) {
      assertThat(opened).isInstanceOf(RocksEngine.class);
      opened.put(bytes("k"), Cell.value(bytes("v"), 1), Durability.SYNC);
      assertThat(opened.get(bytes("k"))).isEqualTo(Cell.value(bytes("v"), 1));
    }
  }

  @Test
  void storageEngines_refusesInvalidOptionsNamingTheField() {
    EngineOptions options =
        options(temporaryDirectory.resolve("invalid")).toBuilder().memtableBytes(1).build();

    assertThatThrownBy(() -> StorageEngines.open(options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memtable_bytes");
  }

  @Test
  void open_secondEngineOnTheSameDirectoryIsRefused() {
    assertThatThrownBy(() -> RocksEngine.open(engineOptions))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(engineOptions.directory().toString());
  }

  @Test
  void close_freesIteratorsLeftOpenAndTheyThrowAfterwards() throws StorageException {
    engine.put(bytes("a"), Cell.value(bytes("1"), 1), Durability.NONE);
    engine.put(bytes("b"), Cell.value(bytes("2"), 2), Durability.NONE);
    CellIterator iterator = engine.scan(KeyRange.ALL, ScanMode.ALL);
    assertThat(iterator.next().key()).isEqualTo(bytes("a"));

    engine.close();

    assertThatThrownBy(iterator::hasNext)
        .isInstanceOf(CellIterator.UncheckedStorageException.class)
        .hasMessageContaining("engine is closed");
    assertThatCode(iterator::close).doesNotThrowAnyException();
  }

  @Test
  void stats_afterCloseReportTheCountersAtClose() throws StorageException {
    engine.put(bytes("a"), Cell.value(new byte[100], 1), Durability.NONE);
    long written = engine.stats().userBytesWritten();

    engine.close();

    EngineStats stats = engine.stats();
    assertThat(stats.userBytesWritten()).isEqualTo(written);
  }

  @Test
  void compact_keepsTombstonesAndExpiredCellsForever() throws StorageException {
    // No compaction filter can be written in Java for RocksJava, so this engine never purges; the
    // class Javadoc says so. This test pins that down.
    engine.delete(bytes("gone"), 5, Durability.NONE);
    Cell gone = stored(Cell.tombstone(5));
    Cell expired = Cell.value(bytes("v"), 6).withExpiry(START_MILLIS + 1);
    engine.put(bytes("expired"), expired, Durability.NONE);
    clock.advanceNanos(engineOptions.tombstoneGraceMillis() * 2 * 1_000_000L);

    engine.flush();
    engine.compact();

    assertThat(engine.get(bytes("gone"))).isEqualTo(gone);
    assertThat(engine.get(bytes("expired"))).isEqualTo(expired);
  }
}
