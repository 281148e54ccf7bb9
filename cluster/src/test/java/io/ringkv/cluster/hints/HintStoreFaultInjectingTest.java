package io.ringkv.cluster.hints;

import io.ringkv.storage.fs.FaultInjectingFileSystem;
import io.ringkv.storage.fs.FileSystem;
import java.nio.file.Path;

/** {@link HintStoreContract} on the in-memory, fault-injecting file system. */
class HintStoreFaultInjectingTest extends HintStoreContract {
  private FaultInjectingFileSystem faults;

  @Override
  FileSystem newFileSystem() {
    faults = new FaultInjectingFileSystem();
    return faults;
  }

  @Override
  Path root() {
    return Path.of("/node");
  }

  @Override
  void damage(Path file, long offset, byte[] bytes) {
    faults.overwrite(file, offset, bytes);
  }

  @Override
  void cut(Path file, long length) {
    faults.truncateRaw(file, length);
  }
}
