package io.ringkv.server.kv;

import io.ringkv.common.ConsistencyLevel;

/**
 * How a read is carried out.
 *
 * @param consistency how many replicas must answer; null for the keyspace's default
 */
public record ReadOptions(ConsistencyLevel consistency) {
  private static final ReadOptions DEFAULTS = new ReadOptions(null);

  public static ReadOptions defaults() {
    return DEFAULTS;
  }
}
