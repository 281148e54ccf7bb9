package io.ringkv.storage.sstable;

import io.ringkv.storage.EngineOptions.Compression;
import io.ringkv.storage.format.Varint;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Turns block contents into stored blocks and back (docs/format/sstable.md, "Block trailer"):
 * optional LZ4 compression, then a 5-byte trailer of compression type and CRC32C over the stored
 * bytes and the type byte. The reader verifies the CRC before looking at any other byte.
 *
 * <p>LZ4 comes from lz4-java's pure-Java "safe" implementation: it uses neither JNI nor {@code
 * sun.misc.Unsafe} (JDK 24+ print warnings for both), and its array accesses are bounds-checked, so
 * even a crafted block whose CRC matches cannot make the decompressor read or write outside its
 * arrays. The JNI and Unsafe decompressors of lz4-java 1.8.0 are the ones CVE-2025-12183 is about.
 * The uncompressed length is bounded before anything is allocated.
 *
 * <p>An instance holds the writer's compression buffer and CRC: not thread-safe. {@link #decode} is
 * static and thread-safe.
 */
final class BlockCodec {
  private static final LZ4Compressor COMPRESSOR = LZ4Factory.safeInstance().fastCompressor();
  private static final LZ4SafeDecompressor DECOMPRESSOR =
      LZ4Factory.safeInstance().safeDecompressor();

  private final Compression compression;
  private final CRC32C crc = new CRC32C();
  private final byte[] trailer = new byte[SstableFormat.BLOCK_TRAILER_BYTES];
  private byte[] compressed = new byte[0];

  BlockCodec(Compression compression) {
    this.compression = compression;
  }

  /**
   * Writes {@code contents[0, length)} as a stored block plus trailer to {@code out}, compressed if
   * {@code compressible}, the codec's compression is LZ4, and that saves at least an eighth.
   *
   * @return the stored size, not counting the trailer (the size of the block's handle)
   */
  int write(byte[] contents, int length, boolean compressible, TableOutput out)
      throws java.io.IOException {
    byte[] stored = contents;
    int storedLength = length;
    byte type = SstableFormat.COMPRESSION_NONE;
    if (compressible && compression == Compression.LZ4) {
      int bound = Varint.size(length) + COMPRESSOR.maxCompressedLength(length);
      if (compressed.length < bound) {
        compressed = new byte[bound];
      }
      int header = Varint.write(compressed, 0, length);
      int n = COMPRESSOR.compress(contents, 0, length, compressed, header, bound - header);
      if (header + n < length - length / 8) {
        stored = compressed;
        storedLength = header + n;
        type = SstableFormat.COMPRESSION_LZ4;
      }
    }
    crc.reset();
    crc.update(stored, 0, storedLength);
    crc.update(type);
    trailer[0] = type;
    FixedInts.putIntLe(trailer, 1, (int) crc.getValue());
    out.write(stored, 0, storedLength);
    out.write(trailer, 0, trailer.length);
    return storedLength;
  }

  /**
   * Verifies and decodes a stored block: {@code stored[0, storedLength)} followed by its trailer at
   * {@code stored[storedLength, storedLength + 5)}.
   *
   * @throws BlockFormatException on a checksum mismatch, an unknown type or bad compressed data
   */
  static BlockContents decode(byte[] stored, int storedLength) {
    CRC32C crc = new CRC32C();
    crc.update(stored, 0, storedLength + 1);
    int computed = (int) crc.getValue();
    int expected = FixedInts.getIntLe(stored, storedLength + 1);
    if (computed != expected) {
      throw new BlockFormatException(
          "block checksum mismatch: stored 0x"
              + Integer.toHexString(expected)
              + ", computed 0x"
              + Integer.toHexString(computed));
    }
    byte type = stored[storedLength];
    return switch (type) {
      case SstableFormat.COMPRESSION_NONE -> new BlockContents(stored, storedLength);
      case SstableFormat.COMPRESSION_LZ4 -> decompress(stored, storedLength);
      default -> throw new BlockFormatException("unknown block compression type " + type);
    };
  }

  private static BlockContents decompress(byte[] stored, int storedLength) {
    ByteBuffer in = ByteBuffer.wrap(stored, 0, storedLength);
    int length;
    try {
      length = Varint.readInt(in);
    } catch (IllegalArgumentException e) {
      throw new BlockFormatException("LZ4 block's uncompressed length: " + e.getMessage());
    }
    int compressedLength = storedLength - in.position();
    long lengthMax =
        Math.min(
            (long) SstableFormat.BLOCK_BYTES_MAX,
            (long) compressedLength * SstableFormat.LZ4_RATIO_MAX + SstableFormat.LZ4_SLACK_BYTES);
    if (length > lengthMax) {
      throw new BlockFormatException(
          "LZ4 block claims "
              + length
              + " uncompressed bytes from "
              + compressedLength
              + " compressed bytes; at most "
              + lengthMax
              + " are possible");
    }
    byte[] contents = new byte[length];
    int n;
    try {
      n = DECOMPRESSOR.decompress(stored, in.position(), compressedLength, contents, 0, length);
    } catch (RuntimeException e) {
      // LZ4Exception, or an index error from the bounds-checked pure-Java decoder: both mean the
      // compressed bytes are not what our compressor wrote.
      throw new BlockFormatException("LZ4 block does not decompress: " + e);
    }
    if (n != length) {
      throw new BlockFormatException(
          "LZ4 block decompressed to " + n + " bytes, its header says " + length);
    }
    return new BlockContents(contents, length);
  }
}
