package io.ringkv.storage.sstable;

import io.ringkv.storage.format.InternalKey;
import java.util.Arrays;

/**
 * A forward cursor over the entries of one {@link Block} of internal keys, reading in place: the
 * value stays in the block's array ({@link #valueOffset()}, {@link #valueLength()}), and only the
 * current key is rebuilt from its shared prefix into a scratch array that grows to the longest key
 * seen and is then reused. A cursor is reset onto block after block, so a point lookup allocates
 * nothing here.
 *
 * <p>Seek is LevelDB's: binary search over the restart points comparing each restart key in place
 * (restart keys are stored whole), then a linear scan of at most a restart interval of entries.
 *
 * <p>Every length read from the block is checked against the entries region before use, so that a
 * block with a valid checksum but wrong contents (a writer bug, or a crafted file) raises {@link
 * BlockFormatException} instead of reading out of bounds. Invariant while valid: {@code key[0,
 * keyLength)} is the current entry's key (at least 8 bytes) and {@code [valueOffset, valueOffset +
 * valueLength)} lies inside the entries region. Not thread-safe.
 */
final class BlockCursor {
  private Block block;
  private byte[] data;
  private int entriesEnd;
  private int position;
  private int entryOffset;
  private int nextEntry;
  private boolean valid;
  private byte[] key = new byte[64];
  private int keyLength;
  private int valueOffset;
  private int valueLength;
  private int keyLengthMin;

  /** Points the cursor at {@code block} of internal keys, not yet positioned. */
  void reset(Block block) {
    reset(block, InternalKey.TRAILER_BYTES);
  }

  /**
   * Points the cursor at {@code block} whose keys are at least {@code keyLengthMin} bytes (0 for
   * the meta block's property names; {@link #seek} needs internal keys).
   */
  void reset(Block block, int keyLengthMin) {
    this.keyLengthMin = keyLengthMin;
    this.block = block;
    this.data = block.data();
    this.entriesEnd = block.restartsOffset();
    this.valid = false;
    this.keyLength = 0;
  }

  /** Drops the block, so that a cursor kept for reuse does not pin it in memory. */
  void release() {
    block = null;
    data = null;
    valid = false;
  }

  boolean isValid() {
    return valid;
  }

  void seekToFirst() {
    seekToRestart(0);
  }

  /**
   * Moves to the first entry whose internal key is >= {@code targetUser[0, targetUserLength) ++
   * targetTrailer}.
   *
   * @return whether there is one in this block
   */
  boolean seek(byte[] targetUser, int targetUserLength, long targetTrailer) {
    // Find the last restart point whose key is < target; the answer is at or after it.
    int left = 0;
    int right = block.restartCount() - 1;
    while (left < right) {
      int mid = (left + right + 1) >>> 1;
      if (compareRestartKey(mid, targetUser, targetUserLength, targetTrailer) < 0) {
        left = mid;
      } else {
        right = mid - 1;
      }
    }
    seekToRestart(left);
    while (valid
        && KeyOrder.compareToTarget(key, 0, keyLength, targetUser, targetUserLength, targetTrailer)
            < 0) {
      next();
    }
    return valid;
  }

  /** Moves to the next entry, or becomes invalid after the last. */
  void next() {
    if (nextEntry >= entriesEnd) {
      valid = false;
      return;
    }
    entryOffset = nextEntry;
    position = nextEntry;
    int shared = readLength("shared length");
    int unshared = readLength("unshared length");
    int length = readLength("value length");
    if (shared > keyLength) {
      throw corrupt("shares " + shared + " bytes with a previous key of " + keyLength + " bytes");
    }
    if (unshared > entriesEnd - position) {
      throw corrupt("key of " + unshared + " bytes runs past the entries region");
    }
    int newKeyLength = shared + unshared;
    // No int overflow: by induction every byte of a key was stored once before its entry ends.
    if (newKeyLength < keyLengthMin) {
      throw corrupt(
          "key of " + newKeyLength + " bytes is shorter than the minimum " + keyLengthMin);
    }
    if (key.length < newKeyLength) {
      key = Arrays.copyOf(key, Math.max(newKeyLength, key.length * 2));
    }
    System.arraycopy(data, position, key, shared, unshared);
    position += unshared;
    if (length > entriesEnd - position) {
      throw corrupt("value of " + length + " bytes runs past the entries region");
    }
    keyLength = newKeyLength;
    valueOffset = position;
    valueLength = length;
    nextEntry = position + length;
    valid = true;
  }

  /** The current key's bytes are {@code key()[0, keyLength())}; the array is reused. */
  byte[] key() {
    return key;
  }

  int keyLength() {
    return keyLength;
  }

  /** The array holding the current value, at {@link #valueOffset()}. */
  byte[] valueArray() {
    return data;
  }

  int valueOffset() {
    return valueOffset;
  }

  int valueLength() {
    return valueLength;
  }

  /** True if the current key's user key is {@code userKey}. */
  boolean userKeyEquals(byte[] userKey) {
    return Arrays.equals(key, 0, keyLength - InternalKey.TRAILER_BYTES, userKey, 0, userKey.length);
  }

  byte[] copyKey() {
    return Arrays.copyOf(key, keyLength);
  }

  byte[] copyValue() {
    return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
  }

  private void seekToRestart(int restartIndex) {
    keyLength = 0;
    nextEntry = block.restart(restartIndex);
    next();
  }

  private int compareRestartKey(
      int restartIndex, byte[] targetUser, int targetUserLength, long targetTrailer) {
    entryOffset = block.restart(restartIndex);
    position = entryOffset;
    int shared = readLength("shared length");
    int unshared = readLength("unshared length");
    readLength("value length");
    if (shared != 0) {
      throw corrupt("restart entry shares " + shared + " bytes; it must store its whole key");
    }
    if (unshared > entriesEnd - position) {
      throw corrupt("key of " + unshared + " bytes runs past the entries region");
    }
    if (unshared < InternalKey.TRAILER_BYTES) {
      throw corrupt("key of " + unshared + " bytes is shorter than an internal key");
    }
    return KeyOrder.compareToTarget(
        data, position, unshared, targetUser, targetUserLength, targetTrailer);
  }

  /** Reads a varint that must fit a non-negative int and end inside the entries region. */
  private int readLength(String what) {
    if (position < entriesEnd) {
      int b = data[position];
      if (b >= 0) {
        position++;
        return b;
      }
    }
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (position >= entriesEnd) {
        throw corrupt(what + " runs past the entries region");
      }
      int b = data[position++];
      if (shift == 28 && (b & 0xF8) != 0) {
        throw corrupt(what + " does not fit a non-negative int");
      }
      result |= (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw corrupt(what + " does not fit a non-negative int");
  }

  private BlockFormatException corrupt(String problem) {
    valid = false;
    return new BlockFormatException("entry at byte " + entryOffset + " of the block: " + problem);
  }
}
