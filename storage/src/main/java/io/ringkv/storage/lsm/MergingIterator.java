package io.ringkv.storage.lsm;

import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import java.util.List;

/**
 * Merges sorted child iterators into one sorted stream of internal entries, with a binary heap of
 * the children positioned on their current entry. Internal keys are unique across children
 * (sequences are unique), so ties never happen; every version of every key comes out.
 *
 * <p>Not thread-safe. Closing it closes the children.
 */
final class MergingIterator implements InternalIterator {
  private final InternalIterator[] children;
  private final InternalIterator[] heap;
  private int heapSize;

  MergingIterator(List<InternalIterator> children) {
    this.children = children.toArray(new InternalIterator[0]);
    this.heap = new InternalIterator[this.children.length];
  }

  @Override
  public boolean isValid() {
    return heapSize > 0;
  }

  @Override
  public void seekToFirst() throws StorageException {
    for (InternalIterator child : children) {
      child.seekToFirst();
    }
    rebuild();
  }

  @Override
  public void seek(byte[] internalKey) throws StorageException {
    for (InternalIterator child : children) {
      child.seek(internalKey);
    }
    rebuild();
  }

  @Override
  public void next() throws StorageException {
    InternalIterator top = heap[0];
    top.next();
    if (top.isValid()) {
      siftDown(0);
    } else {
      heap[0] = heap[--heapSize];
      heap[heapSize] = null;
      if (heapSize > 0) {
        siftDown(0);
      }
    }
  }

  @Override
  public byte[] key() {
    return heap[0].key();
  }

  @Override
  public byte[] value() {
    return heap[0].value();
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (InternalIterator child : children) {
      try {
        child.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    heapSize = 0;
    if (failure != null) {
      throw failure;
    }
  }

  private void rebuild() {
    heapSize = 0;
    for (InternalIterator child : children) {
      if (child.isValid()) {
        heap[heapSize++] = child;
      }
    }
    for (int i = heapSize / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  private void siftDown(int i) {
    InternalIterator moving = heap[i];
    byte[] movingKey = moving.key();
    while (true) {
      int left = 2 * i + 1;
      if (left >= heapSize) {
        break;
      }
      int smallest = left;
      byte[] smallestKey = heap[left].key();
      int right = left + 1;
      if (right < heapSize) {
        byte[] rightKey = heap[right].key();
        if (InternalKey.compare(rightKey, smallestKey) < 0) {
          smallest = right;
          smallestKey = rightKey;
        }
      }
      if (InternalKey.compare(movingKey, smallestKey) <= 0) {
        break;
      }
      heap[i] = heap[smallest];
      i = smallest;
    }
    heap[i] = moving;
  }
}
