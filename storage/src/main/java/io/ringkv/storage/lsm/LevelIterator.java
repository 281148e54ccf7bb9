package io.ringkv.storage.lsm;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;
import java.util.List;

/**
 * Iterates one sorted, non-overlapping level (1 and deeper) as if it were one table, opening only
 * the table under the cursor: a seek binary-searches the level's key ranges first, so a short scan
 * touches one or two tables however many the level has.
 *
 * <p>Not thread-safe. Holds a table-cache handle for the current table only.
 */
final class LevelIterator implements InternalIterator {
  private final Version version;
  private final int level;
  private final List<FileMeta> files;
  private final TableCache tables;
  private final boolean fillCache;
  private int fileIndex;
  private TableCache.Handle handle;
  private InternalIterator current;

  LevelIterator(Version version, int level, TableCache tables, boolean fillCache) {
    this.version = version;
    this.level = level;
    this.files = version.files(level);
    this.tables = tables;
    this.fillCache = fillCache;
    this.fileIndex = files.size();
  }

  @Override
  public boolean isValid() {
    return current != null && current.isValid();
  }

  @Override
  public void seekToFirst() throws StorageException {
    openFile(0);
    if (current != null) {
      current.seekToFirst();
    }
    skipEmptyFiles();
  }

  @Override
  public void seek(byte[] internalKey) throws StorageException {
    openFile(version.findFile(level, internalKey));
    if (current != null) {
      current.seek(internalKey);
    }
    skipEmptyFiles();
  }

  @Override
  public void next() throws StorageException {
    current.next();
    skipEmptyFiles();
  }

  @Override
  public byte[] key() {
    return current.key();
  }

  @Override
  public byte[] value() {
    return current.value();
  }

  private void skipEmptyFiles() throws StorageException {
    while (current != null && !current.isValid()) {
      openFile(fileIndex + 1);
      if (current != null) {
        current.seekToFirst();
      }
    }
  }

  private void openFile(int index) throws StorageException {
    if (index == fileIndex && current != null) {
      return;
    }
    closeFile();
    fileIndex = index;
    if (index >= files.size()) {
      return;
    }
    handle = tables.acquire(files.get(index).number());
    current = handle.reader.iterator(fillCache);
  }

  private void closeFile() {
    if (current != null) {
      current.close();
      current = null;
    }
    if (handle != null) {
      tables.release(handle);
      handle = null;
    }
  }

  @Override
  public void close() {
    closeFile();
    fileIndex = files.size();
  }
}
