package io.ringkv.cluster.version;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * A causal write as the coordinator hands it to the dot replica, which applies it to the key's
 * stored object ({@link CausalCells#apply}). Immutable values; arrays are not copied.
 */
public sealed interface CausalOperation {
  /** The type of key the operation needs (a key's type is fixed by its first write). */
  CausalType type();

  /**
   * Write {@code value} to a register, superseding what {@code context} covers.
   *
   * @param context the context the client read, or null for a blind write
   */
  record Put(VersionVector context, byte[] value) implements CausalOperation {
    public Put {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public CausalType type() {
      return CausalType.REGISTER;
    }
  }

  /**
   * Delete a register: a tombstone sibling superseding what {@code context} covers.
   *
   * @param context the context the client read, or null for a blind delete
   */
  record Delete(VersionVector context) implements CausalOperation {
    @Override
    public CausalType type() {
      return CausalType.REGISTER;
    }
  }

  /**
   * Add {@code delta} to a counter, at most once per {@code idempotencyKey}.
   *
   * @param idempotencyKey 1 to 64 bytes, or null for none
   */
  record Increment(long delta, byte[] idempotencyKey) implements CausalOperation {
    public Increment {
      if (idempotencyKey != null) {
        PnCounter.checkKey(idempotencyKey);
      }
    }

    @Override
    public CausalType type() {
      return CausalType.COUNTER;
    }
  }

  /**
   * Add the decimal {@code delta} to a counter (INCRBYFLOAT), at most once per {@code
   * idempotencyKey}.
   *
   * @param delta at most {@link PnCounter#DECIMAL_SCALE_MAX} digits after the point and {@link
   *     PnCounter#DECIMAL_INTEGER_DIGITS_MAX} before it; kept canonical
   * @param idempotencyKey 1 to 64 bytes, or null for none
   */
  record IncrementDecimal(BigDecimal delta, byte[] idempotencyKey) implements CausalOperation {
    public IncrementDecimal {
      delta = PnCounter.checkDecimal("decimal increment", delta);
      if (idempotencyKey != null) {
        PnCounter.checkKey(idempotencyKey);
      }
    }

    @Override
    public CausalType type() {
      return CausalType.COUNTER;
    }
  }

  /** Add {@code elements} to a set. */
  record SetAdd(List<byte[]> elements) implements CausalOperation {
    public SetAdd {
      elements = List.copyOf(elements);
      if (elements.isEmpty()) {
        throw new IllegalArgumentException("a set add needs at least one element");
      }
    }

    @Override
    public CausalType type() {
      return CausalType.SET;
    }
  }

  /**
   * Remove {@code elements} from a set.
   *
   * @param observed the context the client read (only adds it covers are removed), or null to
   *     remove what the dot replica holds
   */
  record SetRemove(List<byte[]> elements, VersionVector observed) implements CausalOperation {
    public SetRemove {
      elements = List.copyOf(elements);
      if (elements.isEmpty()) {
        throw new IllegalArgumentException("a set remove needs at least one element");
      }
    }

    @Override
    public CausalType type() {
      return CausalType.SET;
    }
  }
}
