package io.ringkv.cluster.hints;

import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.io.TempDir;

/** {@link HintStoreContract} on the machine's file system. */
class HintStoreLocalTest extends HintStoreContract {
  @TempDir Path temporary;

  @Override
  FileSystem newFileSystem() {
    return new LocalFileSystem();
  }

  @Override
  Path root() {
    return temporary;
  }

  @Override
  void damage(Path file, long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), offset);
      channel.force(true);
    }
  }

  @Override
  void cut(Path file, long length) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(length);
    }
  }
}
