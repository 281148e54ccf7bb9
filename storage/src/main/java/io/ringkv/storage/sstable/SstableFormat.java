package io.ringkv.storage.sstable;

/**
 * The constants of the SSTable format, shared by {@link SstableWriter} and {@link SstableReader}.
 * The format itself is described in docs/format/sstable.md; a change here is a format change and
 * needs a new {@link #FORMAT_VERSION}.
 */
final class SstableFormat {
  private SstableFormat() {}

  /** The only format version this code writes and reads. */
  static final int FORMAT_VERSION = 1;

  /**
   * The last 8 bytes of every SSTable, as a little-endian fixed64: the bytes {@code 89 52 4B 56 53
   * 53 54 0A} ("\x89RKVSST\n"). The high-bit first byte and the trailing newline catch 7-bit and
   * line-ending conversions, as PNG's signature does.
   */
  static final long MAGIC = 0x0A545353564B5289L;

  // Block trailer: type, then CRC32C of the stored bytes followed by the type byte.

  /** Bytes after every stored block: 1 byte compression type + fixed32 CRC32C. */
  static final int BLOCK_TRAILER_BYTES = 1 + 4;

  /** Compression type: the stored bytes are the block contents. */
  static final byte COMPRESSION_NONE = 0;

  /** Compression type: varint uncompressed length, then one raw LZ4 block. */
  static final byte COMPRESSION_LZ4 = 1;

  /** LZ4 cannot expand data by more than this factor; bounds a claimed uncompressed length. */
  static final int LZ4_RATIO_MAX = 255;

  /** Slack added to {@link #LZ4_RATIO_MAX} times the compressed size for tiny inputs. */
  static final int LZ4_SLACK_BYTES = 64;

  /**
   * Most bytes of a block's contents, and of a stored block plus its trailer (2^31 - 17), so that
   * every offset within a block, and a block plus its trailer, fits an int with room to spare.
   */
  static final int BLOCK_BYTES_MAX = Integer.MAX_VALUE - 16;

  // Block contents: entries, restart offsets (fixed32 each), restart count (fixed32).

  /** Bytes of one restart offset, and of the restart count. */
  static final int RESTART_BYTES = 4;

  // Filter block: 64-byte lines of bits, then the probe count and the layout byte.

  /** Bytes of one filter line: all probes of one key fall into one cache line. */
  static final int FILTER_LINE_BYTES = 64;

  /** Bits of one filter line. */
  static final int FILTER_LINE_BITS = FILTER_LINE_BYTES * 8;

  /** Bytes after the filter lines: probe count, layout. */
  static final int FILTER_TRAILER_BYTES = 2;

  /** Filter layout: cache-line blocked bloom filter, XXH64 with seed 0, double hashing. */
  static final byte FILTER_LAYOUT_BLOCKED_XXH64 = 1;

  /** Most probes per key a filter may use. */
  static final int FILTER_PROBES_MAX = 30;

  /** A filter larger than this gets fewer bits per key rather than more memory. */
  static final int FILTER_BYTES_MAX = 1 << 30;

  // Footer: three handles (fixed64 offset, fixed32 size), version, CRC32C, magic.

  /** Bytes of the footer at the end of every SSTable. */
  static final int FOOTER_BYTES = 52;

  static final int FOOTER_FILTER_OFFSET = 0;
  static final int FOOTER_FILTER_SIZE = 8;
  static final int FOOTER_META_OFFSET = 12;
  static final int FOOTER_META_SIZE = 20;
  static final int FOOTER_INDEX_OFFSET = 24;
  static final int FOOTER_INDEX_SIZE = 32;
  static final int FOOTER_VERSION = 36;

  /** Where the footer's CRC32C sits; it covers the footer bytes before it. */
  static final int FOOTER_CRC = 40;

  static final int FOOTER_MAGIC = 44;

  // Meta block property names, in the byte order the meta block stores them in.

  static final String PROPERTY_DATA_BLOCKS = "data.blocks";
  static final String PROPERTY_ENTRIES = "entries";
  static final String PROPERTY_FILTER_KEYS = "filter.keys";
  static final String PROPERTY_FORMAT_VERSION = "format.version";
  static final String PROPERTY_LARGEST_KEY = "largest.key";
  static final String PROPERTY_LARGEST_SEQUENCE = "largest.sequence";
  static final String PROPERTY_RAW_KEY_BYTES = "raw.key.bytes";
  static final String PROPERTY_RAW_VALUE_BYTES = "raw.value.bytes";
  static final String PROPERTY_SMALLEST_KEY = "smallest.key";
  static final String PROPERTY_SMALLEST_SEQUENCE = "smallest.sequence";
  static final String PROPERTY_TOMBSTONES = "tombstones";
}
