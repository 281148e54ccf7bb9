package io.ringkv.server.kv;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * A write to a key of a causal keyspace ({@code conflicts: causal}, docs/design/causal.md), as a
 * front end asks for it. Contexts are the opaque bytes a read returned ({@link
 * CausalValue#context()}); an empty or null context is a blind write, which supersedes what the
 * coordinating replica has seen. The write's idempotency key, if any, is in its {@link
 * WriteOptions#idempotencyKey()}. Immutable values; arrays are not copied.
 */
public sealed interface CausalWrite {

  /** Writes {@code value} to a register, superseding what {@code context} covers. */
  record Put(byte[] value, byte[] context) implements CausalWrite {
    public Put {
      Objects.requireNonNull(value, "value");
    }
  }

  /** Deletes a register: a tombstone superseding what {@code context} covers. */
  record Delete(byte[] context) implements CausalWrite {}

  /** Adds {@code delta} to a counter (Redis INCRBY; DECRBY is a negative delta). */
  record Increment(long delta) implements CausalWrite {}

  /**
   * Adds the decimal {@code delta} to a counter (Redis INCRBYFLOAT), exactly: at most {@link
   * io.ringkv.cluster.version.PnCounter#DECIMAL_SCALE_MAX} digits after the point and {@link
   * io.ringkv.cluster.version.PnCounter#DECIMAL_INTEGER_DIGITS_MAX} before it, else the write is
   * refused as an invalid request.
   */
  record IncrementFloat(BigDecimal delta) implements CausalWrite {
    public IncrementFloat {
      Objects.requireNonNull(delta, "delta");
    }
  }

  /** Adds {@code members} to a set (Redis SADD). */
  record SetAdd(List<byte[]> members) implements CausalWrite {
    public SetAdd {
      members = List.copyOf(members);
    }
  }

  /**
   * Removes {@code members} from a set (Redis SREM): with a context, only the adds it covers;
   * without, what the coordinating replica holds.
   */
  record SetRemove(List<byte[]> members, byte[] context) implements CausalWrite {
    public SetRemove {
      members = List.copyOf(members);
    }
  }
}
