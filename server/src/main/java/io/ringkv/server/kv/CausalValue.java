package io.ringkv.server.kv;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * What a key of a causal keyspace holds, as a read or a write returns it (docs/design/causal.md):
 * nothing, a register with its siblings, a counter or a set; each with its causal context, the
 * opaque bytes a client sends back with its next write of the key (empty when there is none).
 * Immutable values; arrays are not copied.
 */
public sealed interface CausalValue {

  /** The key's causal context: opaque, empty for none. */
  byte[] context();

  /**
   * A last-write-wins keyspace's value as this model shows it: a register of one sibling with an
   * empty context, or absent.
   */
  static CausalValue lastWriteWins(Versioned versioned) {
    byte[] none = new byte[0];
    if (!versioned.isPresent()) {
      return new Absent(none);
    }
    return new Register(none, List.of(new Sibling(versioned.value(), versioned.timestamp())));
  }

  /** The key holds nothing (never written, or only tombstones the context covers). */
  record Absent(byte[] context) implements CausalValue {}

  /**
   * A register: its siblings, the values no write has superseded, newest timestamp first; one
   * unless writes were concurrent. A deleted sibling (a delete concurrent with a write) has a null
   * value.
   */
  record Register(byte[] context, List<Sibling> siblings) implements CausalValue {
    public Register {
      siblings = List.copyOf(siblings);
    }

    /** The sibling plain reads return: the newest timestamp (deterministic), possibly deleted. */
    public Sibling winner() {
      return siblings.getFirst();
    }
  }

  /**
   * A counter's value (a PN-counter: every replica's increments and decrements, integer and
   * decimal).
   *
   * @param value the value as a long: exact for an integer counter, rounded toward zero (and
   *     clamped) for one with a fraction, so a client must be shown {@link #text()} instead
   * @param exact the exact value, canonical (no trailing zeros, no exponent)
   */
  record Counter(byte[] context, long value, BigDecimal exact) implements CausalValue {
    public Counter {
      Objects.requireNonNull(exact, "exact");
    }

    /** An integer counter's value. */
    public Counter(byte[] context, long value) {
      this(context, value, BigDecimal.valueOf(value));
    }

    /** True if the value has no fraction. */
    public boolean integral() {
      return exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0;
    }

    /**
     * The value as Redis prints an INCRBYFLOAT result: plain digits, no exponent, no trailing zeros
     * ("10.5", "3", "-0.25").
     */
    public String text() {
      BigDecimal stripped = exact.stripTrailingZeros();
      return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
  }

  /** A set's members, in byte order (an observed-remove set). */
  record Set(byte[] context, List<byte[]> members) implements CausalValue {
    public Set {
      members = List.copyOf(members);
    }
  }

  /**
   * One sibling of a register.
   *
   * @param value the value, or null for a delete
   * @param timestamp the write's hybrid logical clock stamp
   */
  record Sibling(byte[] value, long timestamp) {
    public boolean isDeleted() {
      return value == null;
    }
  }
}
