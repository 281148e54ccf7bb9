package io.ringkv.storage.lsm;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;

/** Iterates one table, holding its table-cache handle until closed. Not thread-safe. */
final class TableIterator implements InternalIterator {
  private final TableCache tables;
  private final TableCache.Handle handle;
  private final InternalIterator inner;

  TableIterator(TableCache tables, long number, boolean fillCache) throws StorageException {
    this.tables = tables;
    this.handle = tables.acquire(number);
    this.inner = handle.reader.iterator(fillCache);
  }

  @Override
  public boolean isValid() {
    return inner.isValid();
  }

  @Override
  public void seekToFirst() throws StorageException {
    inner.seekToFirst();
  }

  @Override
  public void seek(byte[] internalKey) throws StorageException {
    inner.seek(internalKey);
  }

  @Override
  public void next() throws StorageException {
    inner.next();
  }

  @Override
  public byte[] key() {
    return inner.key();
  }

  @Override
  public byte[] value() {
    return inner.value();
  }

  @Override
  public void close() {
    try {
      inner.close();
    } finally {
      tables.release(handle);
    }
  }
}
