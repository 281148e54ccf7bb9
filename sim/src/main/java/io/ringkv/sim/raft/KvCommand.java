package io.ringkv.sim.raft;

import java.nio.ByteBuffer;

/**
 * A client's write as a log entry: the operation with the client's session (client id and the
 * operation's sequence number in that client), so that the state machine applies each operation at
 * most once however often the client retried it (thesis §6.3).
 *
 * <p>Layout ({@link #BYTES} bytes, big-endian): kind:u8 client:i32 sequence:i64 key:i32
 * expected:i64 value:i64; kind 1 is put, 2 is compare-and-set.
 *
 * @param client the client's id, positive
 * @param sequence the operation's number within its client, from 1
 * @param operation a put or a compare-and-set
 */
record KvCommand(int client, long sequence, KvOperation operation) {
  static final int BYTES = 1 + 4 + 8 + 4 + 8 + 8;
  private static final byte KIND_PUT = 1;
  private static final byte KIND_COMPARE_AND_SET = 2;

  KvCommand {
    if (!operation.isWrite()) {
      throw new IllegalArgumentException("only writes go through the log, not " + operation);
    }
  }

  byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(BYTES);
    switch (operation) {
      case KvOperation.Put put ->
          buffer
              .put(KIND_PUT)
              .putInt(client)
              .putLong(sequence)
              .putInt(put.key())
              .putLong(0)
              .putLong(put.value());
      case KvOperation.CompareAndSet cas ->
          buffer
              .put(KIND_COMPARE_AND_SET)
              .putInt(client)
              .putLong(sequence)
              .putInt(cas.key())
              .putLong(cas.expected())
              .putLong(cas.value());
      case KvOperation.Get get -> throw new IllegalStateException("checked in the constructor");
    }
    return buffer.array();
  }

  /** The command in an entry's data; an {@link IllegalArgumentException} if it is not one. */
  static KvCommand decode(byte[] data) {
    if (data.length != BYTES) {
      throw new IllegalArgumentException("a command has " + BYTES + " bytes, not " + data.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(data);
    byte kind = buffer.get();
    int client = buffer.getInt();
    long sequence = buffer.getLong();
    int key = buffer.getInt();
    long expected = buffer.getLong();
    long value = buffer.getLong();
    KvOperation operation =
        switch (kind) {
          case KIND_PUT -> new KvOperation.Put(key, value);
          case KIND_COMPARE_AND_SET -> new KvOperation.CompareAndSet(key, expected, value);
          default -> throw new IllegalArgumentException("unknown command kind " + kind);
        };
    return new KvCommand(client, sequence, operation);
  }
}
