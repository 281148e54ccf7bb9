package io.ringkv.storage.format;

import io.ringkv.storage.StorageException;

/**
 * A cursor over internal entries (internal key, encoded cell) in {@link InternalKey} order: what
 * memtables, SSTables and merging iterators share. Every version of every key is visible; hiding
 * versions by snapshot, and tombstones, is the caller's job.
 *
 * <p>{@link #key()} and {@link #value()} are valid only while positioned, must not be modified, and
 * may be reused by the next move. Not thread-safe. Corruption found while moving is a {@link
 * io.ringkv.storage.CorruptionException}.
 */
public interface InternalIterator extends AutoCloseable {

  boolean isValid();

  void seekToFirst() throws StorageException;

  /** Moves to the first entry whose internal key is >= {@code internalKey}. */
  void seek(byte[] internalKey) throws StorageException;

  void next() throws StorageException;

  /** The internal key of the current entry. */
  byte[] key();

  /** The encoded cell of the current entry. */
  byte[] value();

  @Override
  void close();
}
