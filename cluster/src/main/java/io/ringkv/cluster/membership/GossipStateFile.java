package io.ringkv.cluster.membership;

import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Where a node keeps its {@link PersistentGossipState} (generation and own application values)
 * between runs: one small file, replaced whole and atomically. Format in docs/format/node-state.md:
 *
 * <pre>
 *   magic "RKGS" | version u8 (1) | generation i64 | count u16
 *   count × ( key ordinal u8 | value length u32 | value UTF-8 )
 *   crc32c u32 over everything before it
 * </pre>
 *
 * <p>A write goes to {@code <name>.tmp}, is fsynced, renamed over the file, and the directory is
 * fsynced, so that after a crash the file holds the old state or the new one, never a mix (the
 * store-before-send rule of docs/design/gossip.md needs the new one to be durable before {@link
 * #store} returns). A file that fails its checksum is an error naming the file: the generation it
 * held is unknown, and guessing low would make the others ignore the node.
 *
 * <p>Goes through {@link FileSystem} so that the simulator can put a disk that loses unsynced
 * writes under it. Not thread-safe: owned by the node loop.
 */
public final class GossipStateFile {
  /** The file's name in the node's directory. */
  public static final String FILE_NAME = "gossip-state";

  private static final byte[] MAGIC = {'R', 'K', 'G', 'S'};
  private static final int VERSION = 1;
  private static final int VALUES_MAX = 256;
  private static final int VALUE_BYTES_MAX = 4 << 20;

  private final FileSystem fileSystem;
  private final Path directory;
  private final Path path;
  private final Path temporary;

  /** The state file in {@code directory}, which must exist. */
  public GossipStateFile(FileSystem fileSystem, Path directory) {
    this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.path = directory.resolve(FILE_NAME);
    this.temporary = directory.resolve(FILE_NAME + ".tmp");
  }

  public Path path() {
    return path;
  }

  /**
   * The stored state, or empty if none was ever stored.
   *
   * @throws IOException if the file cannot be read or is damaged (the message names it and why)
   */
  public Optional<PersistentGossipState> load() throws IOException {
    if (!fileSystem.exists(path)) {
      return Optional.empty();
    }
    byte[] bytes = fileSystem.readAll(path);
    try {
      return Optional.of(decode(bytes));
    } catch (IllegalArgumentException | BufferUnderflowException damaged) {
      throw new IOException(
          path
              + " is damaged ("
              + damaged.getMessage()
              + "); it holds this node's gossip generation and tokens. Restore it from a backup,"
              + " or delete it to join as a new node (the node then takes new tokens)",
          damaged);
    }
  }

  /** Replaces the stored state with {@code state}, durably, before returning. */
  public void store(PersistentGossipState state) throws IOException {
    byte[] bytes = encode(state);
    if (fileSystem.exists(temporary)) {
      fileSystem.delete(temporary);
    }
    WritableFile file = fileSystem.create(temporary);
    try {
      file.write(bytes, 0, bytes.length);
      file.sync();
    } finally {
      file.close();
    }
    fileSystem.rename(temporary, path);
    fileSystem.syncDirectory(directory);
  }

  static byte[] encode(PersistentGossipState state) {
    int size = MAGIC.length + 1 + 8 + 2 + 4;
    TreeMap<ApplicationState, byte[]> values = new TreeMap<>();
    for (Map.Entry<ApplicationState, String> entry : state.applicationStates().entrySet()) {
      byte[] value = entry.getValue().getBytes(StandardCharsets.UTF_8);
      values.put(entry.getKey(), value);
      size += 1 + 4 + value.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    buffer.put(MAGIC).put((byte) VERSION).putLong(state.generation());
    buffer.putShort((short) values.size());
    for (Map.Entry<ApplicationState, byte[]> entry : values.entrySet()) {
      buffer.put((byte) entry.getKey().ordinal()).putInt(entry.getValue().length);
      buffer.put(entry.getValue());
    }
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), 0, buffer.position());
    buffer.putInt((int) crc.getValue());
    return buffer.array();
  }

  static PersistentGossipState decode(byte[] bytes) {
    if (bytes.length < MAGIC.length + 1 + 8 + 2 + 4) {
      throw new IllegalArgumentException("only " + bytes.length + " bytes, shorter than a header");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IllegalArgumentException("checksum mismatch");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
    for (byte expected : MAGIC) {
      if (buffer.get() != expected) {
        throw new IllegalArgumentException("not a gossip state file (bad magic)");
      }
    }
    int version = buffer.get() & 0xFF;
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported version " + version + ", expected 1");
    }
    long generation = buffer.getLong();
    int count = buffer.getShort() & 0xFFFF;
    if (count > VALUES_MAX) {
      throw new IllegalArgumentException(count + " values, at most " + VALUES_MAX);
    }
    ApplicationState[] keys = ApplicationState.values();
    TreeMap<ApplicationState, String> values = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      int ordinal = buffer.get() & 0xFF;
      if (ordinal >= keys.length) {
        throw new IllegalArgumentException("unknown value key " + ordinal);
      }
      int length = buffer.getInt();
      if (length < 0 || length > VALUE_BYTES_MAX || length > buffer.remaining()) {
        throw new IllegalArgumentException("value length " + length + " out of bounds");
      }
      byte[] value = new byte[length];
      buffer.get(value);
      values.put(keys[ordinal], new String(value, StandardCharsets.UTF_8));
    }
    if (buffer.hasRemaining()) {
      throw new IllegalArgumentException(buffer.remaining() + " bytes after the last value");
    }
    return new PersistentGossipState(generation, values);
  }
}
