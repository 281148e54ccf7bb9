package io.ringkv.raft.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link LogFiles} on a real directory with java.nio. */
public final class NioLogFiles implements LogFiles {
  private final Path directory;

  /** Uses {@code directory}, creating it if missing. */
  public NioLogFiles(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  @Override
  public LogFile openForAppend(String name) throws IOException {
    FileChannel channel =
        FileChannel.open(
            directory.resolve(name),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    return new LogFile() {
      @Override
      public void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }

      @Override
      public void sync() throws IOException {
        channel.force(false);
      }

      @Override
      public long size() throws IOException {
        return channel.size();
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return Files.readAllBytes(directory.resolve(name));
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(directory.resolve(name));
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> listing = Files.list(directory)) {
      listing
          .filter(Files::isRegularFile)
          .forEach(path -> names.add(path.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }

  @Override
  public void truncate(String name, long length) throws IOException {
    try (FileChannel channel =
        FileChannel.open(directory.resolve(name), StandardOpenOption.WRITE)) {
      channel.truncate(length);
      channel.force(true);
    }
  }

  @Override
  public void rename(String from, String to) throws IOException {
    Files.move(directory.resolve(from), directory.resolve(to), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(String name) throws IOException {
    Files.deleteIfExists(directory.resolve(name));
  }

  @Override
  public void syncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      // Some platforms cannot open a directory for syncing; Linux can.
      throw new IOException("cannot sync directory " + directory, e);
    }
  }
}
