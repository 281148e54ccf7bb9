package io.ringkv.server.kv;

import java.util.List;

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

  /** A counter's value (a PN-counter: every replica's increments and decrements). */
  record Counter(byte[] context, long value) implements CausalValue {}

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
