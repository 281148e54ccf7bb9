package io.ringkv.storage.sstable;

import java.util.zip.CRC32C;

/**
 * The fixed-size footer at the end of every table (docs/format/sstable.md, "Footer"): handles of
 * the filter, meta and index blocks, the format version, a CRC32C, and the magic number.
 *
 * @param filter the filter block, or {@link BlockHandle#NONE}
 * @param meta the meta (properties) block
 * @param index the index block
 * @param formatVersion {@link SstableFormat#FORMAT_VERSION} when written
 */
record Footer(BlockHandle filter, BlockHandle meta, BlockHandle index, int formatVersion) {

  byte[] encode() {
    byte[] out = new byte[SstableFormat.FOOTER_BYTES];
    FixedInts.putLongLe(out, SstableFormat.FOOTER_FILTER_OFFSET, filter.offset());
    FixedInts.putIntLe(out, SstableFormat.FOOTER_FILTER_SIZE, filter.size());
    FixedInts.putLongLe(out, SstableFormat.FOOTER_META_OFFSET, meta.offset());
    FixedInts.putIntLe(out, SstableFormat.FOOTER_META_SIZE, meta.size());
    FixedInts.putLongLe(out, SstableFormat.FOOTER_INDEX_OFFSET, index.offset());
    FixedInts.putIntLe(out, SstableFormat.FOOTER_INDEX_SIZE, index.size());
    FixedInts.putIntLe(out, SstableFormat.FOOTER_VERSION, formatVersion);
    FixedInts.putIntLe(out, SstableFormat.FOOTER_CRC, crc(out));
    FixedInts.putLongLe(out, SstableFormat.FOOTER_MAGIC, SstableFormat.MAGIC);
    return out;
  }

  /**
   * Decodes and checks a footer: magic first (a mismatch means a truncated file or not a table),
   * then the CRC, then the version. Where the handles point is checked by the reader, which knows
   * the file's size.
   *
   * @throws BlockFormatException if any check fails
   */
  static Footer decode(byte[] bytes) {
    long magic = FixedInts.getLongLe(bytes, SstableFormat.FOOTER_MAGIC);
    if (magic != SstableFormat.MAGIC) {
      throw new BlockFormatException(
          "bad magic number 0x"
              + Long.toHexString(magic)
              + " (expected 0x"
              + Long.toHexString(SstableFormat.MAGIC)
              + "): the file is truncated or not an SSTable");
    }
    int stored = FixedInts.getIntLe(bytes, SstableFormat.FOOTER_CRC);
    int computed = crc(bytes);
    if (stored != computed) {
      throw new BlockFormatException(
          "footer checksum mismatch: stored 0x"
              + Integer.toHexString(stored)
              + ", computed 0x"
              + Integer.toHexString(computed));
    }
    int version = FixedInts.getIntLe(bytes, SstableFormat.FOOTER_VERSION);
    if (version != SstableFormat.FORMAT_VERSION) {
      throw new BlockFormatException(
          "unsupported format version "
              + version
              + "; this reader knows version "
              + SstableFormat.FORMAT_VERSION);
    }
    return new Footer(
        new BlockHandle(
            FixedInts.getLongLe(bytes, SstableFormat.FOOTER_FILTER_OFFSET),
            FixedInts.getIntLe(bytes, SstableFormat.FOOTER_FILTER_SIZE)),
        new BlockHandle(
            FixedInts.getLongLe(bytes, SstableFormat.FOOTER_META_OFFSET),
            FixedInts.getIntLe(bytes, SstableFormat.FOOTER_META_SIZE)),
        new BlockHandle(
            FixedInts.getLongLe(bytes, SstableFormat.FOOTER_INDEX_OFFSET),
            FixedInts.getIntLe(bytes, SstableFormat.FOOTER_INDEX_SIZE)),
        version);
  }

  boolean hasFilter() {
    return !filter.equals(BlockHandle.NONE);
  }

  /**
   * Checks that the filter (if any), meta and index blocks lie back to back in that order and end
   * exactly where the footer starts, with sizes a block may have.
   *
   * @return where the data blocks end: the first byte after the last data block's trailer
   * @throws BlockFormatException if they do not
   */
  long checkLayout(long footerOffset) {
    checkSize("index", index);
    checkSize("meta", meta);
    if (index.end() != footerOffset) {
      throw layout("index block " + index + " does not end at the footer (" + footerOffset + ")");
    }
    if (meta.end() != index.offset()) {
      throw layout("meta block " + meta + " does not end where the index block starts");
    }
    long dataEnd = meta.offset();
    if (hasFilter()) {
      checkSize("filter", filter);
      if (filter.end() != meta.offset()) {
        throw layout("filter block " + filter + " does not end where the meta block starts");
      }
      dataEnd = filter.offset();
    }
    if (dataEnd <= 0) {
      throw layout("no room for data blocks before offset " + dataEnd);
    }
    return dataEnd;
  }

  private static void checkSize(String name, BlockHandle handle) {
    if (handle.size() < 1
        || handle.size() > SstableFormat.BLOCK_BYTES_MAX - SstableFormat.BLOCK_TRAILER_BYTES
        || handle.offset() < 0) {
      throw layout(name + " block handle " + handle + " has an impossible offset or size");
    }
  }

  private static BlockFormatException layout(String problem) {
    return new BlockFormatException("footer: " + problem);
  }

  private static int crc(byte[] footer) {
    CRC32C crc = new CRC32C();
    crc.update(footer, 0, SstableFormat.FOOTER_CRC);
    return (int) crc.getValue();
  }
}
