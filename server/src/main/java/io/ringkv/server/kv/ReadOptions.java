package io.ringkv.server.kv;

import io.ringkv.common.ConsistencyLevel;

/**
 * How a read is carried out.
 *
 * @param consistency how many replicas must answer; null for the keyspace's default
 * @param keyspace the keyspace read; null for {@code default}
 */
public record ReadOptions(ConsistencyLevel consistency, String keyspace) {
  private static final ReadOptions DEFAULTS = new ReadOptions(null, null);

  /** Options for the default keyspace. */
  public ReadOptions(ConsistencyLevel consistency) {
    this(consistency, null);
  }

  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  /** These options in {@code name} (null: the default keyspace). */
  public ReadOptions withKeyspace(String name) {
    return new ReadOptions(consistency, name);
  }
}
