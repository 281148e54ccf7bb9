package io.ringkv.client;

import java.util.List;
import java.util.Optional;

/**
 * What a key holds with its causal context, as {@link RingkvClient#getVersions} reads it. In a
 * causal keyspace concurrent writes are all kept: {@link #siblings()} lists them, newest first, and
 * {@link #causalContext()} is what to send back with the next put or delete of the key ({@link
 * PutOptions#withCausalContext}), which then supersedes every sibling listed here. In a
 * last-write-wins keyspace there is at most one sibling and the context is empty.
 *
 * @param value the newest sibling's value, as {@link RingkvClient#get} returns it; empty when the
 *     key has no value or its newest sibling is a delete
 * @param siblings every sibling, newest first (one when writes were not concurrent, none when the
 *     key was never written)
 * @param causalContext the key's opaque context; empty for none
 */
public record Versions(Optional<Value> value, List<Sibling> siblings, byte[] causalContext) {
  private static final byte[] EMPTY = new byte[0];

  public Versions {
    value = value == null ? Optional.empty() : value;
    siblings = siblings == null ? List.of() : List.copyOf(siblings);
    causalContext = causalContext == null ? EMPTY : causalContext;
  }

  /** True if concurrent writes left more than one sibling: the application should resolve them. */
  public boolean conflicted() {
    return siblings.size() > 1;
  }
}
