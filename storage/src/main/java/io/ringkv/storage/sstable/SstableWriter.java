package io.ringkv.storage.sstable;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import io.ringkv.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes one SSTable (docs/format/sstable.md) from internal entries given in strictly increasing
 * {@link InternalKey} order: data blocks as they fill, then at {@link #finish()} the filter, meta
 * and index blocks and the footer, then an fsync.
 *
 * <p>An index entry is written only when the next block's first key is known, so that its separator
 * can be shortened (LevelDB's FindShortestSeparator): short separators keep the index, which every
 * reader holds in memory, small.
 *
 * <p>Errors: a key out of order, of a kind other than value or tombstone, or too large is a
 * programmer error ({@link IllegalArgumentException}) and leaves the writer as it was. An {@link
 * IOException} from the file leaves the file in an unknown state: the writer then refuses every
 * later call (as LevelDB refuses writes after a failed fsync), and the caller closes it and deletes
 * the file. Not thread-safe: one flush or compaction owns a writer.
 */
public final class SstableWriter implements AutoCloseable {
  /** Largest key plus value accepted in one entry; far above the engine's own limits. */
  static final int ENTRY_BYTES_MAX = 1 << 30;

  /** Largest internal key accepted, as the engine's largest key_bytes_max plus the trailer. */
  static final int KEY_BYTES_MAX = (1 << 20) + InternalKey.TRAILER_BYTES;

  private enum State {
    OPEN,
    FAILED,
    FINISHED,
    CLOSED
  }

  private final WritableFile file;
  private final Path path;
  private final SstableOptions options;
  private final TableOutput out;
  private final BlockCodec codec;
  private final BlockBuilder dataBlock;
  private final BlockBuilder indexBlock;
  private final BloomFilterBuilder filter;
  private final byte[] handle = new byte[2 * Varint.LONG_BYTES_MAX];

  private byte[] lastKey = new byte[64];
  private int lastKeyLength;
  private byte[] separator = new byte[64];
  private boolean indexEntryPending;
  private long pendingBlockOffset;
  private int pendingBlockSize;

  private long entries;
  private long tombstones;
  private long dataBlocks;
  private long rawKeyBytes;
  private long rawValueBytes;
  private long smallestSequence = Long.MAX_VALUE;
  private long largestSequence = -1;
  private byte[] smallestKey;

  private State state = State.OPEN;
  private IOException failure;

  /**
   * @param file a new, empty file; the writer owns it from here on and closes it
   * @param path the file's path, for messages
   */
  public SstableWriter(WritableFile file, Path path, SstableOptions options) {
    this.file = Objects.requireNonNull(file, "file");
    this.path = Objects.requireNonNull(path, "path");
    this.options = Objects.requireNonNull(options, "options");
    this.out = new TableOutput(file);
    this.codec = new BlockCodec(options.compression());
    this.dataBlock = new BlockBuilder(options.blockRestartInterval(), options.blockBytes() + 1024);
    this.indexBlock = new BlockBuilder(1, 4096);
    this.filter =
        options.bloomBitsPerKey() > 0 ? new BloomFilterBuilder(options.bloomBitsPerKey()) : null;
  }

  /**
   * Adds an entry.
   *
   * @param internalKey strictly after the previous key in {@link InternalKey} order, of kind {@link
   *     InternalKey#KIND_VALUE} or {@link InternalKey#KIND_TOMBSTONE}
   * @param encodedCell the value, stored as given (a {@link io.ringkv.storage.format.CellCodec}
   *     cell)
   * @throws IllegalArgumentException if the key breaks the rules above (a programmer error)
   */
  public void add(byte[] internalKey, byte[] encodedCell) throws IOException {
    add(internalKey, 0, internalKey.length, encodedCell, 0, encodedCell.length);
  }

  /** {@link #add(byte[], byte[])} on slices, for callers that hold entries in larger arrays. */
  public void add(
      byte[] internalKey,
      int keyOffset,
      int keyLength,
      byte[] value,
      int valueOffset,
      int valueLength)
      throws IOException {
    checkOpen();
    Objects.checkFromIndexSize(keyOffset, keyLength, internalKey.length);
    Objects.checkFromIndexSize(valueOffset, valueLength, value.length);
    if (keyLength < InternalKey.TRAILER_BYTES) {
      throw new IllegalArgumentException(
          "internal key of " + keyLength + " bytes is shorter than its 8-byte trailer");
    }
    if (keyLength > KEY_BYTES_MAX) {
      throw new IllegalArgumentException(
          "internal key of " + keyLength + " bytes exceeds " + KEY_BYTES_MAX);
    }
    if ((long) keyLength + valueLength > ENTRY_BYTES_MAX) {
      throw new IllegalArgumentException(
          "entry of "
              + ((long) keyLength + valueLength)
              + " key and value bytes exceeds "
              + ENTRY_BYTES_MAX);
    }
    int userKeyLength = keyLength - InternalKey.TRAILER_BYTES;
    long trailer = FixedInts.getLongBe(internalKey, keyOffset + userKeyLength);
    int kind = (int) (trailer & 0xFF);
    long sequence = trailer >>> 8;
    if (kind != InternalKey.KIND_VALUE && kind != InternalKey.KIND_TOMBSTONE) {
      throw new IllegalArgumentException(
          "internal key has kind " + kind + "; a table stores 0 or 1");
    }
    boolean newUserKey = true;
    if (entries > 0) {
      if (InternalKey.compare(lastKey, 0, lastKeyLength, internalKey, keyOffset, keyLength) >= 0) {
        throw new IllegalArgumentException(
            "internal keys must be strictly increasing: entry "
                + entries
                + " does not sort after the previous one");
      }
      newUserKey =
          !Arrays.equals(
              lastKey,
              0,
              lastKeyLength - InternalKey.TRAILER_BYTES,
              internalKey,
              keyOffset,
              keyOffset + userKeyLength);
    }

    try {
      if (indexEntryPending) {
        int length = shortSeparator(internalKey, keyOffset, keyLength);
        addIndexEntry(separator, length);
      }
      if (filter != null && newUserKey) {
        filter.addKey(internalKey, keyOffset, userKeyLength);
      }
      dataBlock.add(internalKey, keyOffset, keyLength, value, valueOffset, valueLength);
      if (lastKey.length < keyLength) {
        lastKey = new byte[Math.max(keyLength, lastKey.length * 2)];
      }
      System.arraycopy(internalKey, keyOffset, lastKey, 0, keyLength);
      lastKeyLength = keyLength;
      if (entries == 0) {
        smallestKey = Arrays.copyOfRange(internalKey, keyOffset, keyOffset + keyLength);
      }
      entries++;
      if (kind == InternalKey.KIND_TOMBSTONE) {
        tombstones++;
      }
      rawKeyBytes += keyLength;
      rawValueBytes += valueLength;
      smallestSequence = Math.min(smallestSequence, sequence);
      largestSequence = Math.max(largestSequence, sequence);
      if (dataBlock.estimatedBytes() >= options.blockBytes()) {
        flushDataBlock();
      }
    } catch (IOException e) {
      throw fail(e);
    } catch (RuntimeException e) {
      // Only a block outgrowing its limit gets here (an index of ~2 GiB of separators); the
      // builders may hold part of the entry, so the table cannot be finished.
      fail(new StorageException("writer of " + path + " failed: " + e.getMessage(), e));
      throw e;
    }
  }

  /** Bytes written so far plus the pending data block: for cutting output files at a size. */
  public long estimatedFileBytes() {
    return out.offset() + (dataBlock.isEmpty() ? 0 : dataBlock.estimatedBytes());
  }

  /** Entries added so far. */
  public long entries() {
    return entries;
  }

  /**
   * Writes the last data block, the filter, meta and index blocks and the footer, syncs the file
   * and closes it.
   *
   * @throws IllegalStateException if no entry was added (an empty table has no key range: close the
   *     writer and delete the file instead)
   */
  public SstableSummary finish() throws IOException {
    checkOpen();
    if (entries == 0) {
      throw new IllegalStateException(
          "cannot finish " + path + " without entries; close it and delete the file instead");
    }
    try {
      if (!dataBlock.isEmpty()) {
        flushDataBlock();
      }
      // The last block's separator is its last key: nothing follows to shorten against.
      addIndexEntry(lastKey, lastKeyLength);

      BlockHandle filterHandle = BlockHandle.NONE;
      if (filter != null) {
        byte[] contents = filter.build();
        filterHandle = writeBlock(contents, contents.length, false);
      }
      byte[] largestKey = Arrays.copyOf(lastKey, lastKeyLength);
      TableProperties properties =
          new TableProperties(
              dataBlocks,
              entries,
              filter == null ? 0 : filter.keyCount(),
              SstableFormat.FORMAT_VERSION,
              largestKey,
              largestSequence,
              rawKeyBytes,
              rawValueBytes,
              smallestKey,
              smallestSequence,
              tombstones);
      BlockBuilder metaBlock = new BlockBuilder(1, 512);
      properties.encode(metaBlock);
      BlockHandle metaHandle = writeBlock(metaBlock.buffer(), metaBlock.finish(), false);
      BlockHandle indexHandle = writeBlock(indexBlock.buffer(), indexBlock.finish(), false);
      byte[] footer =
          new Footer(filterHandle, metaHandle, indexHandle, SstableFormat.FORMAT_VERSION).encode();
      out.write(footer, 0, footer.length);
      out.flush();
      file.sync();
      long fileBytes = out.offset();
      if (file.size() != fileBytes) {
        throw new StorageException(
            path + " holds " + file.size() + " bytes after the writer wrote " + fileBytes);
      }
      file.close();
      state = State.FINISHED;
      return new SstableSummary(
          fileBytes,
          entries,
          tombstones,
          smallestKey,
          largestKey,
          smallestSequence,
          largestSequence);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  /** Closes the file without finishing it, if {@link #finish()} has not; the caller deletes it. */
  @Override
  public void close() {
    if (state == State.FINISHED || state == State.CLOSED) {
      state = State.CLOSED;
      return;
    }
    state = State.CLOSED;
    try {
      file.close();
    } catch (IOException e) {
      // The file is abandoned and about to be deleted; a failed close loses nothing of value.
    }
  }

  private void flushDataBlock() throws IOException {
    int length = dataBlock.finish();
    BlockHandle written = writeBlock(dataBlock.buffer(), length, true);
    dataBlock.reset();
    dataBlocks++;
    indexEntryPending = true;
    pendingBlockOffset = written.offset();
    pendingBlockSize = written.size();
  }

  private BlockHandle writeBlock(byte[] contents, int length, boolean compressible)
      throws IOException {
    long offset = out.offset();
    int size = codec.write(contents, length, compressible, out);
    return new BlockHandle(offset, size);
  }

  private void addIndexEntry(byte[] key, int keyLength) {
    int n = Varint.write(handle, 0, pendingBlockOffset);
    n = Varint.write(handle, n, pendingBlockSize);
    indexBlock.add(key, 0, keyLength, handle, 0, n);
    indexEntryPending = false;
  }

  /**
   * Writes into {@link #separator} a key {@code s} with {@code lastKey <= s < next} that is short
   * if possible, and returns its length. If the user keys first differ at byte {@code i} and {@code
   * lastKey}'s byte there plus one is still below {@code next}'s, {@code s} is {@code lastKey}'s
   * user key cut after byte {@code i} with that byte incremented, plus the trailer of all ones (the
   * smallest internal key of that user key); otherwise {@code s} is {@code lastKey}.
   */
  private int shortSeparator(byte[] next, int nextOffset, int nextLength) {
    int lastUser = lastKeyLength - InternalKey.TRAILER_BYTES;
    int nextUser = nextLength - InternalKey.TRAILER_BYTES;
    if (separator.length < lastKeyLength) {
      separator = new byte[Math.max(lastKeyLength, separator.length * 2)];
    }
    int diff = Arrays.mismatch(lastKey, 0, lastUser, next, nextOffset, nextOffset + nextUser);
    if (diff >= 0 && diff < Math.min(lastUser, nextUser) && diff + 1 < lastUser) {
      int lastByte = lastKey[diff] & 0xFF;
      int nextByte = next[nextOffset + diff] & 0xFF;
      if (lastByte < 0xFF && lastByte + 1 < nextByte) {
        System.arraycopy(lastKey, 0, separator, 0, diff);
        separator[diff] = (byte) (lastByte + 1);
        Arrays.fill(separator, diff + 1, diff + 1 + InternalKey.TRAILER_BYTES, (byte) 0xFF);
        return diff + 1 + InternalKey.TRAILER_BYTES;
      }
    }
    System.arraycopy(lastKey, 0, separator, 0, lastKeyLength);
    return lastKeyLength;
  }

  private void checkOpen() throws IOException {
    switch (state) {
      case OPEN -> {}
      case FAILED ->
          throw new StorageException(
              "writer of " + path + " failed earlier; close it and delete the file", failure);
      case FINISHED, CLOSED ->
          throw new IllegalStateException(
              "writer of " + path + " is " + state.name().toLowerCase());
    }
  }

  private IOException fail(IOException e) {
    state = State.FAILED;
    failure = e;
    return e;
  }
}
