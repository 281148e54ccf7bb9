package io.ringkv.storage.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.Rng;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectingFileSystemTest {

  /** Seed of the randomized tests; override with -Dringkv.fs.seed=N to replay a failure. */
  private static final long SEED = Long.getLong("ringkv.fs.seed", 0x5EEDF5L);

  private static final Path DB = Path.of("/db");
  private static final Path LOG = DB.resolve("000001.log");

  private FaultInjectingFileSystem fs;

  @BeforeEach
  void setUp() throws IOException {
    fs = new FaultInjectingFileSystem();
    fs.createDirectories(DB);
  }

  // --- ordinary file system behaviour ------------------------------------------------------------

  @Test
  void create_writeThenReadBack() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "hello ");
      write(file, "world");
      assertThat(file.size()).isEqualTo(11);
    }
    assertThat(fs.exists(LOG)).isTrue();
    assertThat(fs.size(LOG)).isEqualTo(11);
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("hello world"));
    try (ReadableFile reader = fs.openRead(LOG)) {
      ByteBuffer middle = ByteBuffer.allocate(5);
      reader.read(6, middle);
      assertThat(middle.array()).isEqualTo(bytes("world"));
    }
  }

  @Test
  void create_missingParentThrowsNoSuchFile() {
    assertThatThrownBy(() -> fs.create(Path.of("/nowhere/000001.log")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("/nowhere");
  }

  @Test
  void create_onDirectoryIsRefused() {
    assertThatThrownBy(() -> fs.create(DB)).isInstanceOf(IOException.class);
  }

  @Test
  void create_existingPathTruncatesTheSameFile() throws IOException {
    writeFile(LOG, "old content");
    try (ReadableFile reader = fs.openRead(LOG);
        WritableFile writer = fs.create(LOG)) {
      // O_TRUNC keeps the file: a reader that was open sees it empty, then growing again.
      assertThat(reader.size()).isZero();
      write(writer, "new");
      assertThat(reader.size()).isEqualTo(3);
    }
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("new"));
  }

  @Test
  void openRead_missingThrowsNoSuchFile() {
    assertThatThrownBy(() -> fs.openRead(DB.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> fs.size(DB.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void read_pastEndThrowsEof() throws IOException {
    writeFile(LOG, "abc");
    try (ReadableFile reader = fs.openRead(LOG)) {
      assertThatThrownBy(() -> reader.read(1, ByteBuffer.allocate(3)))
          .isInstanceOf(EOFException.class);
      assertThatThrownBy(() -> reader.read(10, ByteBuffer.allocate(1)))
          .isInstanceOf(EOFException.class);
      ByteBuffer empty = ByteBuffer.allocate(0);
      assertThatCode(() -> reader.read(3, empty)).doesNotThrowAnyException();
    }
  }

  @Test
  void read_seesGrowthAfterOpen() throws IOException {
    try (WritableFile writer = fs.create(LOG)) {
      write(writer, "ab");
      try (ReadableFile reader = fs.openRead(LOG)) {
        write(writer, "cd");
        ByteBuffer all = ByteBuffer.allocate(4);
        reader.read(0, all);
        assertThat(all.array()).isEqualTo(bytes("abcd"));
      }
    }
  }

  @Test
  void write_largeFileGrowsInPlace() throws IOException {
    byte[] chunk = new byte[4096];
    new Rng(SEED).nextBytes(chunk);
    try (WritableFile file = fs.create(LOG)) {
      for (int i = 0; i < 256; i++) {
        file.write(chunk, 0, chunk.length);
      }
    }
    byte[] all = fs.readAll(LOG);
    assertThat(all).hasSize(256 * 4096);
    assertThat(Arrays.copyOfRange(all, 255 * 4096, all.length)).isEqualTo(chunk);
  }

  @Test
  void list_returnsFilesSortedWithoutDirectories() throws IOException {
    writeFile(DB.resolve("b"), "");
    writeFile(DB.resolve("a"), "");
    writeFile(DB.resolve("c"), "");
    fs.createDirectories(DB.resolve("sub/dir"));
    writeFile(DB.resolve("sub/inner"), "");

    assertThat(fs.list(DB)).containsExactly(DB.resolve("a"), DB.resolve("b"), DB.resolve("c"));
    assertThat(fs.list(DB.resolve("sub"))).containsExactly(DB.resolve("sub/inner"));
  }

  @Test
  void list_missingDirectoryThrowsNoSuchFile() {
    assertThatThrownBy(() -> fs.list(Path.of("/nowhere"))).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void paths_relativeAndAbsoluteSpellingsNameTheSameFile() throws IOException {
    Path relativeDir = Path.of("relative-db");
    fs.createDirectories(relativeDir);
    writeFile(relativeDir.resolve("x"), "data");

    Path absolute = relativeDir.toAbsolutePath().resolve("./y/../x");
    assertThat(fs.exists(absolute)).isTrue();
    assertThat(fs.readAll(absolute)).isEqualTo(bytes("data"));
    assertThat(fs.list(relativeDir)).containsExactly(relativeDir.toAbsolutePath().resolve("x"));
  }

  @Test
  void exists_coversFilesAndDirectories() throws IOException {
    writeFile(LOG, "");
    assertThat(fs.exists(LOG)).isTrue();
    assertThat(fs.exists(DB)).isTrue();
    assertThat(fs.exists(Path.of("/"))).isTrue();
    assertThat(fs.exists(DB.resolve("missing"))).isFalse();
    assertThat(fs.exists(Path.of("/nowhere/file"))).isFalse();
  }

  @Test
  void createDirectories_fileInTheWayIsRefused() throws IOException {
    writeFile(LOG, "");
    assertThatThrownBy(() -> fs.createDirectories(LOG.resolve("sub")))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatCode(() -> fs.createDirectories(DB)).doesNotThrowAnyException();
  }

  @Test
  void rename_replacesTarget() throws IOException {
    writeFile(DB.resolve("CURRENT.tmp"), "new");
    writeFile(DB.resolve("CURRENT"), "old");

    fs.rename(DB.resolve("CURRENT.tmp"), DB.resolve("CURRENT"));

    assertThat(fs.exists(DB.resolve("CURRENT.tmp"))).isFalse();
    assertThat(fs.readAll(DB.resolve("CURRENT"))).isEqualTo(bytes("new"));
    assertThat(fs.list(DB)).containsExactly(DB.resolve("CURRENT"));
  }

  @Test
  void rename_missingSourceThrowsNoSuchFile() {
    assertThatThrownBy(() -> fs.rename(DB.resolve("missing"), LOG))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void delete_removesFileAndIgnoresMissing() throws IOException {
    writeFile(LOG, "x");
    fs.delete(LOG);
    assertThat(fs.exists(LOG)).isFalse();
    assertThatCode(() -> fs.delete(LOG)).doesNotThrowAnyException();
    assertThatCode(() -> fs.delete(Path.of("/nowhere/file"))).doesNotThrowAnyException();
  }

  @Test
  void delete_directoryOnlyWhenEmpty() throws IOException {
    writeFile(LOG, "x");
    assertThatThrownBy(() -> fs.delete(DB)).isInstanceOf(DirectoryNotEmptyException.class);
    fs.delete(LOG);
    fs.delete(DB);
    assertThat(fs.exists(DB)).isFalse();
  }

  @Test
  void write_afterDeleteGoesToTheNamelessFile() throws IOException {
    try (WritableFile writer = fs.create(LOG)) {
      write(writer, "a");
      fs.delete(LOG);
      // POSIX: the handle still refers to the unlinked file, so writing and syncing succeed.
      write(writer, "b");
      writer.sync();
      assertThat(writer.size()).isEqualTo(2);
    }
    assertThat(fs.exists(LOG)).isFalse();
  }

  @Test
  void truncate_shortensAndMakesDurable() throws IOException {
    fs.syncDirectory(DB);
    try (WritableFile file = fs.create(LOG)) {
      write(file, "0123456789");
    }
    fs.syncDirectory(DB);
    fs.truncate(LOG, 4);
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("0123"));

    fs.powerLoss();

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("0123"));
    assertThatThrownBy(() -> fs.truncate(DB.resolve("missing"), 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not exist");
  }

  // --- power loss --------------------------------------------------------------------------------

  @Test
  void powerLoss_dropsUnsyncedBytes() throws IOException {
    WritableFile file = fs.create(LOG);
    fs.syncDirectory(DB);
    write(file, "synced|");
    file.sync();
    write(file, "unsynced");
    assertThat(fs.unsyncedBytes(LOG)).isEqualTo(8);
    assertThat(fs.syncedBytes(LOG)).isEqualTo(bytes("synced|"));
    assertThat(fs.currentBytes(LOG)).isEqualTo(bytes("synced|unsynced"));

    fs.powerLoss();

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("synced|"));
    assertThat(fs.unsyncedBytes(LOG)).isZero();
  }

  @Test
  void powerLoss_undoesUnsyncedCreate() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "synced but never named durably");
      file.sync();
    }

    fs.powerLoss();

    assertThat(fs.exists(LOG)).isFalse();
    assertThat(fs.list(DB)).isEmpty();
    assertThat(fs.exists(DB)).as("directories are durable once created").isTrue();
  }

  @Test
  void powerLoss_keepsSyncedCreate() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "durable");
      file.sync();
    }
    fs.syncDirectory(DB);

    fs.powerLoss();

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("durable"));
  }

  @Test
  void powerLoss_undoesUnsyncedRename() throws IOException {
    Path temp = DB.resolve("CURRENT.tmp");
    Path current = DB.resolve("CURRENT");
    writeSyncedFile(current, "old");
    writeSyncedFile(temp, "new");
    fs.syncDirectory(DB);
    fs.rename(temp, current);
    assertThat(fs.readAll(current)).isEqualTo(bytes("new"));

    fs.powerLoss();

    assertThat(fs.readAll(current)).isEqualTo(bytes("old"));
    assertThat(fs.readAll(temp)).isEqualTo(bytes("new"));
  }

  @Test
  void powerLoss_keepsSyncedRename() throws IOException {
    Path temp = DB.resolve("CURRENT.tmp");
    Path current = DB.resolve("CURRENT");
    writeSyncedFile(current, "old");
    writeSyncedFile(temp, "new");
    fs.syncDirectory(DB);
    fs.rename(temp, current);
    fs.syncDirectory(DB);

    fs.powerLoss();

    assertThat(fs.readAll(current)).isEqualTo(bytes("new"));
    assertThat(fs.exists(temp)).isFalse();
  }

  @Test
  void powerLoss_restoresUnsyncedDelete() throws IOException {
    writeSyncedFile(LOG, "still here");
    fs.syncDirectory(DB);
    fs.delete(LOG);
    assertThat(fs.exists(LOG)).isFalse();

    fs.powerLoss();

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("still here"));
  }

  @Test
  void powerLoss_keepsSyncedDelete() throws IOException {
    writeSyncedFile(LOG, "gone");
    fs.syncDirectory(DB);
    fs.delete(LOG);
    fs.syncDirectory(DB);

    fs.powerLoss();

    assertThat(fs.exists(LOG)).isFalse();
  }

  @Test
  void powerLoss_restoresOldContentAfterUnsyncedTruncatingCreate() throws IOException {
    writeSyncedFile(LOG, "old synced content");
    fs.syncDirectory(DB);
    try (WritableFile file = fs.create(LOG)) {
      write(file, "new");
      assertThat(fs.syncedBytes(LOG)).isEqualTo(bytes("old synced content"));
      assertThat(fs.unsyncedBytes(LOG)).isEqualTo(3);
    }

    fs.powerLoss(new Rng(SEED));

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("old synced content"));
  }

  @Test
  void powerLoss_killsOldHandles() throws IOException {
    WritableFile writer = fs.create(LOG);
    write(writer, "abc");
    writer.sync();
    fs.syncDirectory(DB);
    ReadableFile reader = fs.openRead(LOG);

    fs.powerLoss();

    assertThatThrownBy(() -> write(writer, "more"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("file system crashed");
    assertThatThrownBy(writer::sync).hasMessageContaining("file system crashed");
    assertThatThrownBy(() -> reader.read(0, ByteBuffer.allocate(1)))
        .hasMessageContaining("file system crashed");
    assertThatThrownBy(reader::size).hasMessageContaining("file system crashed");
    assertThatCode(writer::close).doesNotThrowAnyException();
    assertThatCode(reader::close).doesNotThrowAnyException();
    // The file system itself is usable again: reopen and carry on.
    try (WritableFile again = fs.create(DB.resolve("000002.log"))) {
      write(again, "after the crash");
    }
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("abc"));
  }

  @Test
  void powerLoss_releasesLocks() throws IOException {
    Path lockFile = DB.resolve("LOCK");
    Closeable before = fs.lock(lockFile);

    fs.powerLoss();

    Closeable after = fs.lock(lockFile);
    // Closing the pre-crash lock must not free the lock the new holder took.
    before.close();
    assertThatThrownBy(() -> fs.lock(lockFile)).hasMessageContaining("locked by another holder");
    after.close();
    fs.lock(lockFile).close();
  }

  @Test
  void tornPowerLoss_keepsAPrefixOfUnsyncedTail() throws IOException {
    Rng rng = new Rng(SEED);
    int exactPrefixes = 0;
    int garbled = 0;
    int noneKept = 0;
    int allKept = 0;
    for (int round = 0; round < 400; round++) {
      FaultInjectingFileSystem crashed = new FaultInjectingFileSystem();
      crashed.createDirectories(DB);
      byte[] synced = randomBytes(rng, rng.nextInt(0, 40));
      byte[] unsynced = randomBytes(rng, rng.nextInt(1, 60));
      try (WritableFile file = crashed.create(LOG)) {
        file.write(synced, 0, synced.length);
        file.sync();
        file.write(unsynced, 0, unsynced.length);
      }
      crashed.syncDirectory(DB);

      crashed.powerLoss(rng);

      byte[] survived = crashed.readAll(LOG);
      String where = "seed " + SEED + " round " + round;
      assertThat(survived.length)
          .as(where)
          .isBetween(synced.length, synced.length + unsynced.length);
      assertThat(Arrays.copyOf(survived, synced.length)).as(where).isEqualTo(synced);
      int kept = survived.length - synced.length;
      // The torn-sector option may garble at most the last 16 kept bytes, never synced ones.
      int differing = differingSuffix(survived, synced.length, unsynced);
      assertThat(differing).as(where).isLessThanOrEqualTo(Math.min(16, kept));
      assertThat(crashed.unsyncedBytes(LOG)).as(where).isZero();
      exactPrefixes += differing == 0 ? 1 : 0;
      garbled += differing > 0 ? 1 : 0;
      noneKept += kept == 0 ? 1 : 0;
      allKept += kept == unsynced.length ? 1 : 0;
    }
    assertThat(List.of(exactPrefixes, garbled, noneKept, allKept))
        .as("seed %d: every outcome shows up (exact, garbled, none kept, all kept)", SEED)
        .allMatch(count -> count > 0);
  }

  @Test
  void tornPowerLoss_sameSeedSameOutcome() throws IOException {
    assertThat(tornOutcome(SEED)).as("seed %d", SEED).isEqualTo(tornOutcome(SEED));
    assertThat(tornOutcome(SEED)).as("seed %d", SEED).isNotEqualTo(tornOutcome(SEED + 1));
  }

  @Test
  void powerLoss_randomHistoriesKeepEverySyncedWrite() throws IOException {
    // Property against a dumb model: after any history, a crash leaves each durably named file
    // with exactly the bytes of its last successful sync (plus, if torn, a prefix of the rest).
    Rng rng = new Rng(SEED + 1);
    for (int round = 0; round < 50; round++) {
      FaultInjectingFileSystem crashed = new FaultInjectingFileSystem();
      crashed.createDirectories(DB);
      int fileCount = 3;
      WritableFile[] writers = new WritableFile[fileCount];
      List<byte[]> written = new ArrayList<>();
      byte[][] lastSynced = new byte[fileCount][];
      for (int i = 0; i < fileCount; i++) {
        writers[i] = crashed.create(DB.resolve("f" + i));
        written.add(new byte[0]);
        lastSynced[i] = new byte[0];
      }
      crashed.syncDirectory(DB);
      for (int step = 0; step < 40; step++) {
        int i = rng.nextInt(fileCount);
        if (rng.chance(0.6)) {
          byte[] chunk = randomBytes(rng, rng.nextInt(1, 20));
          writers[i].write(chunk, 0, chunk.length);
          written.set(i, concat(written.get(i), chunk));
        } else {
          boolean fail = rng.chance(0.3);
          crashed.failSyncs(fail);
          if (fail) {
            assertThatThrownBy(writers[i]::sync).hasMessageContaining("fsync failed (injected)");
          } else {
            writers[i].sync();
            lastSynced[i] = written.get(i);
          }
        }
      }
      crashed.failSyncs(false);
      boolean torn = rng.nextBoolean();
      if (torn) {
        crashed.powerLoss(rng);
      } else {
        crashed.powerLoss();
      }
      for (int i = 0; i < fileCount; i++) {
        byte[] survived = crashed.readAll(DB.resolve("f" + i));
        String where = "seed " + (SEED + 1) + " round " + round + " file " + i;
        if (torn) {
          assertThat(survived.length)
              .as(where)
              .isBetween(lastSynced[i].length, written.get(i).length);
          assertThat(Arrays.copyOf(survived, lastSynced[i].length))
              .as(where)
              .isEqualTo(lastSynced[i]);
        } else {
          assertThat(survived).as(where).isEqualTo(lastSynced[i]);
        }
      }
    }
  }

  // --- fault knobs -------------------------------------------------------------------------------

  @Test
  void failSyncs_syncThrowsAndNothingBecomesDurable() throws IOException {
    fs.syncDirectory(DB);
    WritableFile file = fs.create(LOG);
    fs.syncDirectory(DB);
    write(file, "data");
    fs.failSyncs(true);

    assertThatThrownBy(file::sync)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("fsync failed (injected)");
    assertThatThrownBy(file::sync).hasMessageContaining("fsync failed (injected)");
    assertThat(fs.syncCount()).isZero();
    fs.powerLoss();

    assertThat(fs.readAll(LOG)).isEmpty();
  }

  @Test
  void failSyncs_turnedOffSyncsAgain() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "data");
      fs.failSyncs(true);
      assertThatThrownBy(file::sync).isInstanceOf(IOException.class);
      fs.failSyncs(false);
      file.sync();
    }
    assertThat(fs.syncCount()).isEqualTo(1);
    assertThat(fs.unsyncedBytes(LOG)).isZero();
  }

  @Test
  void failNextSyncs_failsExactlyThatMany() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "data");
      fs.failNextSyncs(2);
      assertThatThrownBy(file::sync).hasMessageContaining("fsync failed (injected)");
      assertThatThrownBy(() -> fs.truncate(LOG, 2)).hasMessageContaining("fsync failed (injected)");
      file.sync();
    }
    assertThat(fs.syncCount()).isEqualTo(1);
    assertThat(fs.syncedBytes(LOG)).isEqualTo(bytes("da"));
  }

  @Test
  void failSyncs_failedTruncateLeavesTheOldTailDurable() throws IOException {
    writeSyncedFile(LOG, "records|tail");
    fs.syncDirectory(DB);
    fs.failNextSyncs(1);

    assertThatThrownBy(() -> fs.truncate(LOG, 7)).hasMessageContaining("fsync failed (injected)");

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("records"));
    assertThat(fs.syncedBytes(LOG)).isEqualTo(bytes("records|tail"));
    fs.powerLoss();
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("records|tail"));
  }

  @Test
  void capacity_enospcWritesNothing() throws IOException {
    fs.setCapacityBytes(10);
    try (WritableFile file = fs.create(LOG)) {
      write(file, "0123456");
      ByteBuffer tooMuch = ByteBuffer.wrap(bytes("789ab"));

      assertThatThrownBy(() -> file.write(tooMuch))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");

      assertThat(tooMuch.remaining()).isEqualTo(5);
      assertThat(file.size()).isEqualTo(7);
      write(file, "789");
    }
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("0123456789"));
    assertThat(fs.usedBytes()).isEqualTo(10);
    assertThat(fs.bytesWritten()).isEqualTo(10);
  }

  @Test
  void capacity_deleteFreesSpaceOnceTheFileIsClosed() throws IOException {
    fs.setCapacityBytes(8);
    Path other = DB.resolve("other");
    WritableFile writer = fs.create(LOG);
    write(writer, "12345678");
    fs.delete(LOG);
    // An unlinked file that is still open keeps its space, as on a real disk.
    try (WritableFile second = fs.create(other)) {
      assertThatThrownBy(() -> write(second, "x")).hasMessageContaining("No space left on device");
      writer.close();
      write(second, "12345678");
    }
    assertThat(fs.usedBytes()).isEqualTo(8);
  }

  @Test
  void tearNextWrite_writesAPrefixThenThrows() throws IOException {
    fs.tearNextWrite(LOG, 3);
    try (WritableFile file = fs.create(LOG)) {
      ByteBuffer record = ByteBuffer.wrap(bytes("abcdef"));

      assertThatThrownBy(() -> file.write(record))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("injected torn write");

      assertThat(record.remaining()).isEqualTo(3);
      assertThat(file.size()).isEqualTo(3);
      // Only the next write is torn.
      write(file, "XYZ");
    }
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("abcXYZ"));
  }

  @Test
  void flipBit_damagesCurrentAndSyncedBytes() throws IOException {
    writeSyncedFile(LOG, "AAAA");
    fs.syncDirectory(DB);

    fs.flipBit(LOG, 8 * 2 + 1);

    byte[] damaged = bytes("AAAA");
    damaged[2] ^= 2;
    assertThat(fs.readAll(LOG)).isEqualTo(damaged);
    assertThat(fs.syncedBytes(LOG)).isEqualTo(damaged);
    fs.powerLoss();
    assertThat(fs.readAll(LOG)).isEqualTo(damaged);
    assertThatThrownBy(() -> fs.flipBit(LOG, 32)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void overwrite_damagesCurrentAndSyncedBytes() throws IOException {
    writeSyncedFile(LOG, "0123456789");
    fs.syncDirectory(DB);

    fs.overwrite(LOG, 3, bytes("xyz"));

    assertThat(fs.readAll(LOG)).isEqualTo(bytes("012xyz6789"));
    fs.powerLoss();
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("012xyz6789"));
    assertThatThrownBy(() -> fs.overwrite(LOG, 8, bytes("xyz")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truncateRaw_cutsSyncedBytesToo() throws IOException {
    writeSyncedFile(LOG, "0123456789");
    fs.syncDirectory(DB);

    fs.truncateRaw(LOG, 4);

    assertThat(fs.syncedBytes(LOG)).isEqualTo(bytes("0123"));
    fs.powerLoss();
    assertThat(fs.readAll(LOG)).isEqualTo(bytes("0123"));
  }

  @Test
  void deleteRaw_fileNeverComesBack() throws IOException {
    writeSyncedFile(LOG, "data");
    fs.syncDirectory(DB);

    fs.deleteRaw(LOG);

    assertThat(fs.exists(LOG)).isFalse();
    fs.powerLoss();
    assertThat(fs.exists(LOG)).isFalse();
    assertThatThrownBy(() -> fs.deleteRaw(LOG)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lock_secondHolderRefused() throws IOException {
    Path lockFile = DB.resolve("LOCK");
    Closeable first = fs.lock(lockFile);

    assertThatThrownBy(() -> fs.lock(lockFile))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("locked by another holder")
        .hasMessageContaining(lockFile.toString());
    assertThat(fs.exists(lockFile)).isTrue();

    first.close();
    first.close();
    fs.lock(lockFile).close();
  }

  @Test
  void syncCount_countsSuccessfulFileSyncs() throws IOException {
    try (WritableFile file = fs.create(LOG)) {
      write(file, "a");
      file.sync();
      file.sync();
    }
    fs.syncDirectory(DB);
    assertThat(fs.syncCount()).isEqualTo(2);
    assertThat(fs.directorySyncCount()).isEqualTo(1);
    assertThat(fs.bytesWritten()).isEqualTo(1);
  }

  @Test
  void closedHandle_refusesOperations() throws IOException {
    WritableFile writer = fs.create(LOG);
    writer.close();
    assertThatThrownBy(() -> write(writer, "x")).hasMessageContaining("closed");
    ReadableFile reader = fs.openRead(LOG);
    reader.close();
    assertThatThrownBy(reader::size).hasMessageContaining("closed");
  }

  @Test
  void concurrentWriters_everyByteLands() throws Exception {
    int threads = 4;
    int writesPerThread = 500;
    List<Thread> writers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Path file = DB.resolve("t" + t);
      Thread thread =
          new Thread(
              () -> {
                try (WritableFile out = fs.create(file)) {
                  for (int i = 0; i < writesPerThread; i++) {
                    write(out, "0123456789");
                    if (i % 50 == 0) {
                      out.sync();
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      writers.add(thread);
      thread.start();
    }
    for (Thread thread : writers) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    for (int t = 0; t < threads; t++) {
      assertThat(fs.size(DB.resolve("t" + t))).isEqualTo(writesPerThread * 10L);
    }
    assertThat(fs.usedBytes()).isEqualTo(threads * writesPerThread * 10L);
  }

  // --- helpers -----------------------------------------------------------------------------------

  /** Every file's bytes after a torn power loss, as text so that lists compare by content. */
  private List<String> tornOutcome(long seed) throws IOException {
    FaultInjectingFileSystem crashed = new FaultInjectingFileSystem();
    crashed.createDirectories(DB);
    for (int i = 0; i < 10; i++) {
      try (WritableFile file = crashed.create(DB.resolve("f" + i))) {
        write(file, "synced-" + i);
        file.sync();
        write(file, "and a long unsynced tail that tears somewhere " + i);
      }
    }
    crashed.syncDirectory(DB);
    crashed.powerLoss(new Rng(seed));
    List<String> outcome = new ArrayList<>();
    for (Path file : crashed.list(DB)) {
      outcome.add(Arrays.toString(crashed.readAll(file)));
    }
    return outcome;
  }

  /** How many of the kept tail bytes, counted back from the end, differ from what was written. */
  private static int differingSuffix(byte[] survived, int syncedLength, byte[] unsynced) {
    int differingFrom = survived.length;
    for (int i = syncedLength; i < survived.length; i++) {
      if (survived[i] != unsynced[i - syncedLength]) {
        differingFrom = i;
        break;
      }
    }
    return survived.length - differingFrom;
  }

  private void writeFile(Path path, String content) throws IOException {
    try (WritableFile file = fs.create(path)) {
      write(file, content);
    }
  }

  private void writeSyncedFile(Path path, String content) throws IOException {
    try (WritableFile file = fs.create(path)) {
      write(file, content);
      file.sync();
    }
  }

  private static void write(WritableFile file, String content) throws IOException {
    file.write(ByteBuffer.wrap(bytes(content)));
  }

  private static byte[] bytes(String content) {
    return content.getBytes(UTF_8);
  }

  private static byte[] randomBytes(Rng rng, int length) {
    byte[] bytes = new byte[length];
    rng.nextBytes(bytes);
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
