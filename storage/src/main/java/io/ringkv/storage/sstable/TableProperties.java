package io.ringkv.storage.sstable;

import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.format.Varint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The meta block's properties (docs/format/sstable.md, "Meta block"): counts, key and sequence
 * ranges, and the format version, stored as name -> value entries so that later writers can add
 * properties that older readers skip.
 *
 * @param dataBlocks number of data blocks
 * @param entries number of entries
 * @param filterKeys distinct user keys in the filter, 0 without one
 * @param formatVersion the format version
 * @param largestKey the last internal key
 * @param largestSequence the largest sequence of any entry
 * @param rawKeyBytes sum of internal key lengths
 * @param rawValueBytes sum of value lengths
 * @param smallestKey the first internal key
 * @param smallestSequence the smallest sequence of any entry
 * @param tombstones entries of kind tombstone
 */
record TableProperties(
    long dataBlocks,
    long entries,
    long filterKeys,
    int formatVersion,
    byte[] largestKey,
    long largestSequence,
    long rawKeyBytes,
    long rawValueBytes,
    byte[] smallestKey,
    long smallestSequence,
    long tombstones) {

  /** The property names, in the byte order the block stores them in; bit i of a mask is name i. */
  private static final String[] NAMES = {
    SstableFormat.PROPERTY_DATA_BLOCKS,
    SstableFormat.PROPERTY_ENTRIES,
    SstableFormat.PROPERTY_FILTER_KEYS,
    SstableFormat.PROPERTY_FORMAT_VERSION,
    SstableFormat.PROPERTY_LARGEST_KEY,
    SstableFormat.PROPERTY_LARGEST_SEQUENCE,
    SstableFormat.PROPERTY_RAW_KEY_BYTES,
    SstableFormat.PROPERTY_RAW_VALUE_BYTES,
    SstableFormat.PROPERTY_SMALLEST_KEY,
    SstableFormat.PROPERTY_SMALLEST_SEQUENCE,
    SstableFormat.PROPERTY_TOMBSTONES,
  };

  /** Adds every property to an empty builder (restart interval 1), in name order. */
  void encode(BlockBuilder builder) {
    byte[] number = new byte[Varint.LONG_BYTES_MAX];
    for (String name : NAMES) {
      byte[] key = name.getBytes(StandardCharsets.US_ASCII);
      byte[] bytes =
          switch (name) {
            case SstableFormat.PROPERTY_LARGEST_KEY -> largestKey;
            case SstableFormat.PROPERTY_SMALLEST_KEY -> smallestKey;
            default -> null;
          };
      if (bytes != null) {
        builder.add(key, 0, key.length, bytes, 0, bytes.length);
      } else {
        int n = Varint.write(number, 0, numberOf(name));
        builder.add(key, 0, key.length, number, 0, n);
      }
    }
  }

  private long numberOf(String name) {
    return switch (name) {
      case SstableFormat.PROPERTY_DATA_BLOCKS -> dataBlocks;
      case SstableFormat.PROPERTY_ENTRIES -> entries;
      case SstableFormat.PROPERTY_FILTER_KEYS -> filterKeys;
      case SstableFormat.PROPERTY_FORMAT_VERSION -> formatVersion;
      case SstableFormat.PROPERTY_LARGEST_SEQUENCE -> largestSequence;
      case SstableFormat.PROPERTY_RAW_KEY_BYTES -> rawKeyBytes;
      case SstableFormat.PROPERTY_RAW_VALUE_BYTES -> rawValueBytes;
      case SstableFormat.PROPERTY_SMALLEST_SEQUENCE -> smallestSequence;
      case SstableFormat.PROPERTY_TOMBSTONES -> tombstones;
      default -> throw new IllegalArgumentException("not a numeric property: " + name);
    };
  }

  /**
   * Reads and checks the meta block.
   *
   * @throws BlockFormatException if a property is missing, repeated, malformed or inconsistent
   */
  static TableProperties decode(Block block) {
    long[] numbers = new long[NAMES.length];
    byte[] smallestKey = null;
    byte[] largestKey = null;
    int seen = 0;
    byte[] previousName = null;
    BlockCursor cursor = new BlockCursor();
    cursor.reset(block, 0);
    for (cursor.seekToFirst(); cursor.isValid(); cursor.next()) {
      byte[] name = cursor.copyKey();
      if (previousName != null && Arrays.compareUnsigned(previousName, name) >= 0) {
        throw new BlockFormatException(
            "meta block property names are not in strictly increasing order at '"
                + new String(name, StandardCharsets.US_ASCII)
                + "'");
      }
      previousName = name;
      int i = Arrays.asList(NAMES).indexOf(new String(name, StandardCharsets.US_ASCII));
      if (i < 0) {
        continue; // A property of a later writer: skipped by design.
      }
      seen |= 1 << i;
      switch (NAMES[i]) {
        case SstableFormat.PROPERTY_SMALLEST_KEY -> smallestKey = cursor.copyValue();
        case SstableFormat.PROPERTY_LARGEST_KEY -> largestKey = cursor.copyValue();
        default ->
            numbers[i] =
                readNumber(
                    NAMES[i], cursor.valueArray(), cursor.valueOffset(), cursor.valueLength());
      }
    }
    for (int i = 0; i < NAMES.length; i++) {
      if ((seen & (1 << i)) == 0) {
        throw new BlockFormatException("meta block lacks property '" + NAMES[i] + "'");
      }
    }
    if (numbers[3] > Integer.MAX_VALUE) {
      throw new BlockFormatException("format.version " + numbers[3] + " is out of range");
    }
    TableProperties properties =
        new TableProperties(
            numbers[0],
            numbers[1],
            numbers[2],
            (int) numbers[3],
            largestKey,
            numbers[5],
            numbers[6],
            numbers[7],
            smallestKey,
            numbers[9],
            numbers[10]);
    properties.check();
    return properties;
  }

  private static long readNumber(String name, byte[] bytes, int offset, int length) {
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    long value;
    try {
      value = Varint.read(in);
    } catch (IllegalArgumentException e) {
      throw new BlockFormatException("property '" + name + "': " + e.getMessage());
    }
    if (in.hasRemaining() || value < 0) {
      throw new BlockFormatException(
          "property '" + name + "' is not one non-negative varint of " + length + " bytes");
    }
    return value;
  }

  /** The relations between properties that hold in every table this format allows. */
  private void check() {
    require(
        formatVersion == SstableFormat.FORMAT_VERSION,
        "format.version " + formatVersion + " differs from the footer's");
    require(dataBlocks >= 1, "data.blocks " + dataBlocks + " is not >= 1");
    require(entries >= dataBlocks, "entries " + entries + " < data.blocks " + dataBlocks);
    require(tombstones <= entries, "tombstones " + tombstones + " > entries " + entries);
    require(filterKeys <= entries, "filter.keys " + filterKeys + " > entries " + entries);
    require(
        smallestKey.length >= InternalKey.TRAILER_BYTES
            && largestKey.length >= InternalKey.TRAILER_BYTES,
        "smallest.key or largest.key is shorter than an internal key");
    require(
        InternalKey.compare(smallestKey, largestKey) <= 0, "smallest.key sorts after largest.key");
    require(
        smallestSequence <= largestSequence && largestSequence <= InternalKey.SEQUENCE_MAX,
        "sequence range [" + smallestSequence + ", " + largestSequence + "] is invalid");
    for (byte[] key : new byte[][] {smallestKey, largestKey}) {
      long sequence = InternalKey.sequence(key);
      require(
          sequence >= smallestSequence && sequence <= largestSequence,
          "a boundary key's sequence " + sequence + " lies outside the sequence range");
    }
    require(
        rawKeyBytes / InternalKey.TRAILER_BYTES >= entries,
        "raw.key.bytes " + rawKeyBytes + " is too small for " + entries + " entries");
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new BlockFormatException("meta block: " + problem);
    }
  }
}
