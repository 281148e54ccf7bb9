package io.ringkv.storage.sstable;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.ReadableFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads one SSTable (docs/format/sstable.md). {@link #open} reads and checks the footer, meta,
 * index and filter blocks and keeps them in memory; data blocks are read on demand through the
 * shared {@link BlockCache}, each verified by its CRC32C before use.
 *
 * <p>A point lookup ({@link #get}) allocates nothing but its result on a cache hit: the filter is
 * probed with a hash of the user key, the target internal key is never built (comparisons take the
 * user key and the trailer separately), the index is searched in flat arrays, and the block is
 * searched in place by a cursor reused per thread.
 *
 * <p>Anything wrong in the file is a {@link CorruptionException} naming the file, the offset of the
 * footer or block at fault, and the problem, never a wrong answer or an index error: every length,
 * count and varint read from the file is checked before use.
 *
 * <p>Thread-safe: after open the reader is immutable, and the file supports concurrent positional
 * reads. Iterators are not thread-safe, each owned by one caller. {@link #close()} must wait until
 * no read is in flight (the engine reference-counts its readers).
 */
public final class SstableReader implements AutoCloseable {
  /** One cursor per thread for point lookups; it keeps only its key scratch between calls. */
  private static final ThreadLocal<BlockCursor> LOOKUP_CURSOR =
      ThreadLocal.withInitial(BlockCursor::new);

  private final long fileNumber;
  private final Path path;
  private final ReadableFile file;
  private final BlockCache cache;
  private final long fileBytes;
  private final Footer footer;
  private final TableProperties properties;
  private final TableIndex index;
  private final BloomFilter filter;

  private SstableReader(
      long fileNumber,
      Path path,
      ReadableFile file,
      BlockCache cache,
      long fileBytes,
      Footer footer,
      TableProperties properties,
      TableIndex index,
      BloomFilter filter) {
    this.fileNumber = fileNumber;
    this.path = path;
    this.file = file;
    this.cache = cache;
    this.fileBytes = fileBytes;
    this.footer = footer;
    this.properties = properties;
    this.index = index;
    this.filter = filter;
  }

  /**
   * Reads and checks the footer, meta, index and filter blocks. On failure the file is closed.
   *
   * @param fileNumber the table's number, unique for the life of the engine (the block cache key)
   * @param path the file's path, for messages
   * @param file the open file; the reader owns it from here on
   * @throws CorruptionException for a bad magic number, checksum, length or a truncated file
   * @throws StorageException if the file cannot be read
   */
  public static SstableReader open(long fileNumber, Path path, ReadableFile file, BlockCache cache)
      throws StorageException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(cache, "cache");
    boolean opened = false;
    try {
      SstableReader reader = read(fileNumber, path, file, cache);
      opened = true;
      return reader;
    } finally {
      if (!opened) {
        closeQuietly(file);
      }
    }
  }

  /**
   * Opens {@code path} on {@code fileSystem} and reads it as {@link #open(long, Path, ReadableFile,
   * BlockCache)} does.
   *
   * @throws StorageException whose cause is the {@link NoSuchFileException} if the file is missing
   */
  public static SstableReader open(
      long fileNumber, Path path, FileSystem fileSystem, BlockCache cache) throws StorageException {
    ReadableFile file;
    try {
      file = fileSystem.openRead(path);
    } catch (NoSuchFileException e) {
      throw new StorageException("SSTable " + fileNumber + " is missing: no file at " + path, e);
    } catch (IOException e) {
      throw new StorageException("cannot open SSTable " + fileNumber + " at " + path, e);
    }
    return open(fileNumber, path, file, cache);
  }

  private static SstableReader read(long fileNumber, Path path, ReadableFile file, BlockCache cache)
      throws StorageException {
    long fileBytes;
    try {
      fileBytes = file.size();
    } catch (IOException e) {
      throw new StorageException("cannot read the size of " + path, e);
    }
    if (fileBytes < SstableFormat.FOOTER_BYTES) {
      throw new CorruptionException(
          path,
          0,
          "file of "
              + fileBytes
              + " bytes is shorter than the "
              + SstableFormat.FOOTER_BYTES
              + "-byte footer: empty or truncated");
    }
    long footerOffset = fileBytes - SstableFormat.FOOTER_BYTES;
    byte[] footerBytes = new byte[SstableFormat.FOOTER_BYTES];
    readFully(path, file, footerOffset, footerBytes, "footer");
    Footer footer;
    long dataEnd;
    try {
      footer = Footer.decode(footerBytes);
      dataEnd = footer.checkLayout(footerOffset);
    } catch (BlockFormatException e) {
      throw new CorruptionException(path, footerOffset, e.getMessage());
    }

    BlockContents meta = readStored(path, file, footer.meta(), "meta block");
    TableProperties properties;
    try {
      properties = TableProperties.decode(Block.parse(meta.bytes(), meta.length()));
    } catch (BlockFormatException e) {
      throw corruption(path, footer.meta().offset(), "meta block", e);
    }

    BlockContents indexContents = readStored(path, file, footer.index(), "index block");
    TableIndex index;
    try {
      index = TableIndex.parse(Block.parse(indexContents.bytes(), indexContents.length()), dataEnd);
      checkIndexAgainstProperties(index, properties);
    } catch (BlockFormatException e) {
      throw corruption(path, footer.index().offset(), "index block", e);
    }

    BloomFilter filter = null;
    if (footer.hasFilter()) {
      BlockContents filterContents = readStored(path, file, footer.filter(), "filter block");
      try {
        filter = BloomFilter.parse(filterContents.bytes(), filterContents.length());
        if (properties.filterKeys() < 1) {
          throw new BlockFormatException("a filter of no keys in a table of entries");
        }
      } catch (BlockFormatException e) {
        throw corruption(path, footer.filter().offset(), "filter block", e);
      }
    } else if (properties.filterKeys() != 0) {
      throw new CorruptionException(
          path,
          footer.meta().offset(),
          "meta block counts " + properties.filterKeys() + " filter keys but there is no filter");
    }
    return new SstableReader(
        fileNumber, path, file, cache, fileBytes, footer, properties, index, filter);
  }

  private static void checkIndexAgainstProperties(TableIndex index, TableProperties properties) {
    if (index.size() != properties.dataBlocks()) {
      throw new BlockFormatException(
          "index lists "
              + index.size()
              + " data blocks, the meta block "
              + properties.dataBlocks());
    }
    if (InternalKey.compare(index.separator(0), properties.smallestKey()) < 0
        || InternalKey.compare(index.separator(index.size() - 1), properties.largestKey()) < 0) {
      throw new BlockFormatException(
          "separators do not cover the table's key range from the meta block");
    }
  }

  /**
   * The encoded cell of the newest version of {@code userKey} with sequence <= {@code
   * snapshotSequence} (tombstones included), or null if the table has none.
   *
   * @throws IllegalArgumentException if the snapshot is outside [0, {@link
   *     InternalKey#SEQUENCE_MAX}]
   */
  public byte[] get(byte[] userKey, long snapshotSequence) throws StorageException {
    if (snapshotSequence < 0 || snapshotSequence > InternalKey.SEQUENCE_MAX) {
      throw new IllegalArgumentException("snapshot sequence out of range: " + snapshotSequence);
    }
    if (filter != null && !filter.mayContain(userKey)) {
      return null;
    }
    long trailer = (snapshotSequence << 8) | InternalKey.KIND_SEEK;
    int first = index.findBlock(userKey, userKey.length, trailer);
    BlockCursor cursor = LOOKUP_CURSOR.get();
    try {
      // The first entry >= target is in block `first`, or else (when a shortened separator lies
      // between the block's last key and the target) the first entry of the next block.
      for (int i = first; i < index.size(); i++) {
        cursor.reset(dataBlock(i, true));
        try {
          if (cursor.seek(userKey, userKey.length, trailer)) {
            return cursor.userKeyEquals(userKey) ? cursor.copyValue() : null;
          }
        } catch (BlockFormatException e) {
          throw dataCorruption(i, e);
        }
      }
      return null;
    } finally {
      cursor.release();
    }
  }

  /** False if the bloom filter rules {@code userKey} out; true without a filter. */
  public boolean mayContain(byte[] userKey) {
    return filter == null || filter.mayContain(userKey);
  }

  /**
   * An iterator over every entry, not yet positioned.
   *
   * @param fillCache whether blocks read from the file enter the block cache (false for compaction
   *     scans, so that they do not evict hot blocks)
   */
  public InternalIterator iterator(boolean fillCache) {
    return new SstableIterator(this, fillCache);
  }

  public long fileNumber() {
    return fileNumber;
  }

  public Path path() {
    return path;
  }

  public long fileBytes() {
    return fileBytes;
  }

  public long entries() {
    return properties.entries();
  }

  public long tombstones() {
    return properties.tombstones();
  }

  /** The first internal key (a copy). */
  public byte[] smallestKey() {
    return properties.smallestKey().clone();
  }

  /** The last internal key (a copy). */
  public byte[] largestKey() {
    return properties.largestKey().clone();
  }

  public long smallestSequence() {
    return properties.smallestSequence();
  }

  public long largestSequence() {
    return properties.largestSequence();
  }

  /** Sum of the lengths of all internal keys, as written. */
  public long rawKeyBytes() {
    return properties.rawKeyBytes();
  }

  /** Sum of the lengths of all values, as written. */
  public long rawValueBytes() {
    return properties.rawValueBytes();
  }

  /** Closes the file. */
  @Override
  public void close() {
    closeQuietly(file);
  }

  Footer footer() {
    return footer;
  }

  TableIndex index() {
    return index;
  }

  /** Data block {@code i}, from the cache or else read, verified and parsed. */
  Block dataBlock(int i, boolean fillCache) throws StorageException {
    long offset = index.blockOffset(i);
    Block block = cache.get(fileNumber, offset);
    if (block != null) {
      return block;
    }
    BlockContents contents =
        readStored(
            path,
            file,
            new BlockHandle(offset, index.blockSize(i)),
            "data block " + i + " of " + index.size());
    try {
      block = Block.parse(contents.bytes(), contents.length());
    } catch (BlockFormatException e) {
      throw dataCorruption(i, e);
    }
    if (fillCache) {
      cache.put(fileNumber, offset, block);
    }
    return block;
  }

  CorruptionException dataCorruption(int block, BlockFormatException e) {
    return corruption(
        path, index.blockOffset(block), "data block " + block + " of " + index.size(), e);
  }

  CorruptionException corruption(int block, String problem) {
    return new CorruptionException(
        path,
        index.blockOffset(block),
        "data block " + block + " of " + index.size() + ": " + problem);
  }

  private static CorruptionException corruption(
      Path path, long offset, String what, BlockFormatException e) {
    return new CorruptionException(path, offset, what + ": " + e.getMessage());
  }

  /** Reads a stored block and its trailer, and verifies and decompresses it. */
  private static BlockContents readStored(
      Path path, ReadableFile file, BlockHandle handle, String what) throws StorageException {
    byte[] stored = new byte[handle.size() + SstableFormat.BLOCK_TRAILER_BYTES];
    readFully(path, file, handle.offset(), stored, what);
    try {
      return BlockCodec.decode(stored, handle.size());
    } catch (BlockFormatException e) {
      throw corruption(path, handle.offset(), what + " of " + handle.size() + " bytes", e);
    }
  }

  private static void readFully(
      Path path, ReadableFile file, long offset, byte[] destination, String what)
      throws StorageException {
    try {
      file.read(offset, ByteBuffer.wrap(destination));
    } catch (EOFException e) {
      throw new CorruptionException(
          path,
          offset,
          what + " of " + destination.length + " bytes runs past the end of the file",
          e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + what + " of " + path + " at offset " + offset, e);
    }
  }

  private static void closeQuietly(ReadableFile file) {
    try {
      file.close();
    } catch (IOException e) {
      // Closing a file open only for reading loses nothing; there is nothing to do about it.
    }
  }
}
