package io.ringkv.storage.sstable;

/**
 * Where a stored block sits in a table file: its offset and its stored size, not counting the
 * 5-byte trailer that follows it. In the index block a handle is {@code varint offset, varint
 * size}; in the footer {@code fixed64 offset, fixed32 size}.
 */
record BlockHandle(long offset, int size) {
  /** The footer's filter handle of a table without a filter. */
  static final BlockHandle NONE = new BlockHandle(0, 0);

  /** The offset just past this block's trailer. */
  long end() {
    return offset + size + SstableFormat.BLOCK_TRAILER_BYTES;
  }
}
