package io.ringkv.storage.sstable;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads and writes the format's fixed-width integers in place in byte arrays: little-endian
 * fixed32/fixed64 (restart offsets, block trailers, the footer) and the big-endian 8-byte trailer
 * of internal keys. Byte-array view var handles compile to single (possibly byte-swapped) loads and
 * stores, and throw {@link IndexOutOfBoundsException} rather than read past the array. Static
 * helpers only; thread-safe.
 */
final class FixedInts {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private FixedInts() {}

  static int getIntLe(byte[] bytes, int offset) {
    return (int) INT_LE.get(bytes, offset);
  }

  static void putIntLe(byte[] bytes, int offset, int value) {
    INT_LE.set(bytes, offset, value);
  }

  static long getLongLe(byte[] bytes, int offset) {
    return (long) LONG_LE.get(bytes, offset);
  }

  static void putLongLe(byte[] bytes, int offset, long value) {
    LONG_LE.set(bytes, offset, value);
  }

  static long getLongBe(byte[] bytes, int offset) {
    return (long) LONG_BE.get(bytes, offset);
  }
}
