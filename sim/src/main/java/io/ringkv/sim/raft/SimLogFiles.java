package io.ringkv.sim.raft;

import io.ringkv.raft.log.LogFile;
import io.ringkv.raft.log.LogFiles;
import io.ringkv.storage.fs.FaultInjectingFileSystem;
import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Raft log's {@link LogFiles} on one directory of a simulated node's {@link
 * FaultInjectingFileSystem}, so that the real {@link io.ringkv.raft.log.DurableLog} runs in the
 * simulator with the storage engine's crash semantics: written bytes survive a process kill (the
 * page cache) but only synced bytes survive a power loss, unsynced tails may be torn, names survive
 * only after a directory sync, a failed fsync makes nothing durable.
 *
 * <p>The file system has no "open an existing file for appending": {@link #openForAppend} of a name
 * that exists throws {@link IllegalStateException}. {@code DurableLog} only ever opens names it has
 * just made free (a new segment after the last, or the snapshot's temporary file after deleting
 * it); if that ever changes the simulation fails loudly instead of modelling something else.
 *
 * <p>Not thread-safe: owned by the simulation's one thread.
 */
public final class SimLogFiles implements LogFiles {
  private final FaultInjectingFileSystem fileSystem;
  private final Path directory;

  public SimLogFiles(FaultInjectingFileSystem fileSystem, Path directory) throws IOException {
    this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    this.directory = directory;
    fileSystem.createDirectories(directory);
  }

  @Override
  public LogFile openForAppend(String name) throws IOException {
    Path path = directory.resolve(name);
    if (fileSystem.exists(path)) {
      throw new IllegalStateException(
          "DurableLog asked to append to the existing file "
              + path
              + ", which this model cannot open for appending");
    }
    WritableFile file = fileSystem.create(path);
    return new LogFile() {
      @Override
      public void write(ByteBuffer bytes) throws IOException {
        file.write(bytes);
      }

      @Override
      public void sync() throws IOException {
        file.sync();
      }

      @Override
      public long size() {
        return file.size();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return fileSystem.readAll(directory.resolve(name));
  }

  @Override
  public boolean exists(String name) {
    return fileSystem.exists(directory.resolve(name));
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path path : fileSystem.list(directory)) {
      names.add(path.getFileName().toString());
    }
    names.sort(null);
    return names;
  }

  @Override
  public void truncate(String name, long length) throws IOException {
    fileSystem.truncate(directory.resolve(name), length);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    fileSystem.rename(directory.resolve(from), directory.resolve(to));
  }

  @Override
  public void delete(String name) throws IOException {
    fileSystem.delete(directory.resolve(name));
  }

  @Override
  public void syncDirectory() throws IOException {
    fileSystem.syncDirectory(directory);
  }
}
