package io.ringkv.storage;

import java.util.Iterator;

/**
 * A point-in-time view of keys in order: it sees the writes acknowledged before it was opened and
 * none after, while writes, flushes and compactions go on. Must be closed: it pins the files it
 * reads. Not thread-safe.
 */
public interface CellIterator extends Iterator<CellIterator.KeyCell>, AutoCloseable {
  /** A key and its newest cell. */
  record KeyCell(byte[] key, Cell cell) {}

  /** Unchecked so that it fits {@link Iterator}; wraps a {@link StorageException}. */
  final class UncheckedStorageException extends RuntimeException {
    public UncheckedStorageException(StorageException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized StorageException getCause() {
      return (StorageException) super.getCause();
    }
  }

  @Override
  void close();
}
