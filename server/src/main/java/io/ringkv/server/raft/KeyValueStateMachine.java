package io.ringkv.server.raft;

import io.ringkv.raft.StateMachine;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small replicated map of string keys to byte values, the state machine of the Raft benchmark and
 * of the {@link RaftGroup} tests: {@link #put} encodes a command, {@link #apply} runs it, {@link
 * #get} reads (linearizable after {@link RaftGroup#linearizableBarrier()}).
 *
 * <p>Command: {@code op:u8 (1 = put) keyLength:u16 key:utf8 valueLength:i32 value}; result: the
 * previous value's length as {@code i32} (-1: none). A malformed command is not an error of the
 * log: its result is {@code -2} on every member. Snapshot: {@code count:i32 (key value)[count]} in
 * key order, so that equal states give equal snapshots.
 *
 * <p>Threads: written only by the group's thread; {@link #get}, {@link #size} and {@link
 * #contentEquals} may be called from any thread (a concurrent map; the applied index is volatile).
 */
public final class KeyValueStateMachine implements StateMachine {
  /** The only command. */
  static final byte OP_PUT = 1;

  /** The longest key, in UTF-8 bytes (the length is a u16). */
  public static final int KEY_BYTES_MAX = 65_535;

  private final Map<String, byte[]> values = new ConcurrentHashMap<>();
  private volatile long appliedIndex;

  /** The command that sets {@code key} to {@code value}. */
  public static byte[] put(String key, byte[] value) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    if (keyBytes.length > KEY_BYTES_MAX) {
      throw new IllegalArgumentException(
          "key has " + keyBytes.length + " UTF-8 bytes, over the limit of " + KEY_BYTES_MAX);
    }
    return ByteBuffer.allocate(1 + 2 + keyBytes.length + 4 + value.length)
        .put(OP_PUT)
        .putShort((short) keyBytes.length)
        .put(keyBytes)
        .putInt(value.length)
        .put(value)
        .array();
  }

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public byte[] apply(long index, byte[] command) {
    checkNext(index);
    int result;
    try {
      ByteBuffer buffer = ByteBuffer.wrap(command);
      if (buffer.get() != OP_PUT) {
        result = -2;
      } else {
        byte[] key = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(key);
        byte[] value = new byte[buffer.getInt()];
        buffer.get(value);
        if (buffer.hasRemaining()) {
          result = -2;
        } else {
          byte[] previous = values.put(new String(key, StandardCharsets.UTF_8), value);
          result = previous == null ? -1 : previous.length;
        }
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      result = -2;
    }
    appliedIndex = index;
    return ByteBuffer.allocate(4).putInt(result).array();
  }

  @Override
  public void skip(long index) {
    checkNext(index);
    appliedIndex = index;
  }

  @Override
  public byte[] snapshot() {
    TreeMap<String, byte[]> sorted = new TreeMap<>(values);
    int bytes = 4;
    for (Map.Entry<String, byte[]> entry : sorted.entrySet()) {
      bytes +=
          2 + entry.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + entry.getValue().length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(bytes).putInt(sorted.size());
    for (Map.Entry<String, byte[]> entry : sorted.entrySet()) {
      byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_8);
      buffer
          .putShort((short) key.length)
          .put(key)
          .putInt(entry.getValue().length)
          .put(entry.getValue());
    }
    return buffer.array();
  }

  @Override
  public void restore(long index, byte[] snapshot) {
    ByteBuffer buffer = ByteBuffer.wrap(snapshot);
    Map<String, byte[]> restored = new TreeMap<>();
    int count = buffer.getInt();
    for (int i = 0; i < count; i++) {
      byte[] key = new byte[Short.toUnsignedInt(buffer.getShort())];
      buffer.get(key);
      byte[] value = new byte[buffer.getInt()];
      buffer.get(value);
      restored.put(new String(key, StandardCharsets.UTF_8), value);
    }
    values.clear();
    values.putAll(restored);
    appliedIndex = index;
  }

  /** The value of {@code key}, or null. */
  public byte[] get(String key) {
    return values.get(key);
  }

  /** How many keys are held. */
  public int size() {
    return values.size();
  }

  /** Whether both hold the same keys with the same values (a snapshot of each compared). */
  public boolean contentEquals(KeyValueStateMachine other) {
    return java.util.Arrays.equals(snapshot(), other.snapshot());
  }

  private void checkNext(long index) {
    if (index != appliedIndex + 1) {
      throw new IllegalStateException(
          "applied index " + index + " after " + appliedIndex + ": entries must come in order");
    }
  }
}
