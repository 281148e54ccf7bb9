package io.ringkv.storage.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real file system, on a temporary directory: the behaviour the in-memory model copies. */
class LocalFileSystemTest {

  private final LocalFileSystem fs = new LocalFileSystem();

  @TempDir Path dir;

  @Test
  void create_writeSyncAndReadBack() throws IOException {
    Path log = dir.resolve("000001.log");
    try (WritableFile file = fs.create(log)) {
      write(file, "hello ");
      file.write(bytes("world!"), 0, 5);
      file.sync();
      assertThat(file.size()).isEqualTo(11);
    }

    assertThat(fs.exists(log)).isTrue();
    assertThat(fs.size(log)).isEqualTo(11);
    try (ReadableFile reader = fs.openRead(log)) {
      assertThat(reader.size()).isEqualTo(11);
      ByteBuffer middle = ByteBuffer.allocate(5);
      reader.read(6, middle);
      assertThat(middle.array()).isEqualTo(bytes("world"));
    }
  }

  @Test
  void create_existingFileIsTruncated() throws IOException {
    Path file = dir.resolve("file");
    writeFile(file, "a long old content");
    writeFile(file, "new");
    assertThat(fs.readAll(file)).isEqualTo(bytes("new"));
  }

  @Test
  void openRead_missingThrowsNoSuchFile() {
    assertThatThrownBy(() -> fs.openRead(dir.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void read_shortFileThrowsEof() throws IOException {
    Path file = dir.resolve("short");
    writeFile(file, "abc");
    try (ReadableFile reader = fs.openRead(file)) {
      assertThatThrownBy(() -> reader.read(1, ByteBuffer.allocate(3)))
          .isInstanceOf(EOFException.class);
    }
  }

  @Test
  void readAll_readsTheWholeFile() throws IOException {
    Path file = dir.resolve("MANIFEST");
    writeFile(file, "every byte of it");
    assertThat(fs.readAll(file)).isEqualTo(bytes("every byte of it"));
    writeFile(file, "");
    assertThat(fs.readAll(file)).isEmpty();
  }

  @Test
  void list_returnsRegularFilesSorted() throws IOException {
    writeFile(dir.resolve("000003.sst"), "");
    writeFile(dir.resolve("000001.log"), "");
    writeFile(dir.resolve("CURRENT"), "");
    fs.createDirectories(dir.resolve("sub/dir"));

    assertThat(fs.list(dir))
        .containsExactly(
            dir.resolve("000001.log"), dir.resolve("000003.sst"), dir.resolve("CURRENT"));
  }

  @Test
  void rename_replacesTargetAtomically() throws IOException {
    Path temp = dir.resolve("CURRENT.tmp");
    Path current = dir.resolve("CURRENT");
    writeFile(current, "MANIFEST-000001");
    writeFile(temp, "MANIFEST-000002");

    fs.rename(temp, current);
    fs.syncDirectory(dir);

    assertThat(fs.exists(temp)).isFalse();
    assertThat(fs.readAll(current)).isEqualTo(bytes("MANIFEST-000002"));
    assertThat(fs.list(dir)).containsExactly(current);
  }

  @Test
  void delete_removesAndIgnoresMissing() throws IOException {
    Path file = dir.resolve("obsolete.sst");
    writeFile(file, "x");

    fs.delete(file);

    assertThat(fs.exists(file)).isFalse();
    assertThatCode(() -> fs.delete(file)).doesNotThrowAnyException();
  }

  @Test
  void truncate_shortensTheFile() throws IOException {
    Path log = dir.resolve("000001.log");
    writeFile(log, "good records|torn tail");

    fs.truncate(log, 12);

    assertThat(fs.readAll(log)).isEqualTo(bytes("good records"));
    assertThatThrownBy(() -> fs.truncate(dir.resolve("missing"), 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void createDirectories_createsParentsAndToleratesExisting() throws IOException {
    Path nested = dir.resolve("a/b/c");
    fs.createDirectories(nested);
    fs.createDirectories(nested);
    assertThat(Files.isDirectory(nested)).isTrue();
    fs.syncDirectory(nested);
  }

  @Test
  void lock_refusedTwiceInOneProcess() throws IOException {
    Path lockFile = dir.resolve("LOCK");
    Closeable held = fs.lock(lockFile);
    try {
      // FileChannel.tryLock throws OverlappingFileLockException within one JVM;
      // LocalFileSystem turns it into an IOException that says why.
      assertThatThrownBy(() -> fs.lock(lockFile))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(lockFile.toString())
          .hasMessageContaining("is locked");
    } finally {
      held.close();
    }
  }

  @Test
  void lock_releasedByClose() throws IOException {
    Path lockFile = dir.resolve("LOCK");
    fs.lock(lockFile).close();
    Closeable again = fs.lock(lockFile);
    again.close();
    assertThat(fs.exists(lockFile)).isTrue();
  }

  private void writeFile(Path path, String content) throws IOException {
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
}
