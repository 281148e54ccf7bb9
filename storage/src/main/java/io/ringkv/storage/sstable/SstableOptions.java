package io.ringkv.storage.sstable;

import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.EngineOptions.Compression;

/**
 * How an {@link SstableWriter} lays out a table. The reader needs none of it: everything it needs
 * is in the file.
 *
 * @param blockBytes a data block is cut once its contents reach this size (one entry may exceed it)
 * @param blockRestartInterval entries between restart points in a data block (1: no prefix
 *     compression, fastest seeks; 16: LevelDB's default)
 * @param bloomBitsPerKey bloom filter bits per distinct user key; 0 writes no filter
 * @param compression compression of data blocks
 */
public record SstableOptions(
    int blockBytes, int blockRestartInterval, int bloomBitsPerKey, Compression compression) {

  /** Smallest {@link #blockBytes} accepted (tests use small blocks to get many of them). */
  public static final int BLOCK_BYTES_MIN = 64;

  /** Largest {@link #blockBytes} accepted. */
  public static final int BLOCK_BYTES_MAX = 16 << 20;

  /** Largest {@link #blockRestartInterval} accepted. */
  public static final int RESTART_INTERVAL_MAX = 1 << 16;

  /** Largest {@link #bloomBitsPerKey} accepted. */
  public static final int BLOOM_BITS_PER_KEY_MAX = 64;

  /**
   * @throws IllegalArgumentException naming the field, the value and what is allowed
   */
  public SstableOptions {
    inRange("blockBytes", blockBytes, BLOCK_BYTES_MIN, BLOCK_BYTES_MAX);
    inRange("blockRestartInterval", blockRestartInterval, 1, RESTART_INTERVAL_MAX);
    inRange("bloomBitsPerKey", bloomBitsPerKey, 0, BLOOM_BITS_PER_KEY_MAX);
    if (compression == null) {
      throw new IllegalArgumentException("compression is null; allowed: NONE, LZ4");
    }
  }

  /** The table layout an engine's options ask for. */
  public static SstableOptions from(EngineOptions o) {
    return new SstableOptions(
        o.blockBytes(), o.blockRestartInterval(), o.bloomBitsPerKey(), o.compression());
  }

  private static void inRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " is " + value + "; it must be in [" + min + ", " + max + "]");
    }
  }
}
