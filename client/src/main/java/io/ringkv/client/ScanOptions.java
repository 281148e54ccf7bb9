package io.ringkv.client;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;

/**
 * How a scan is carried out. Immutable; {@code with...} methods return changed copies.
 *
 * <p>A scan walks live keys in unsigned byte order, one page (one server call) at a time. It is not
 * a snapshot: a key written during the scan may or may not be seen, but a key live for the whole
 * scan is returned exactly once.
 *
 * @param cursor where to start: {@link #START} or a cursor from an earlier page
 * @param limit the most entries in all; 0 for no limit
 * @param pageSize entries fetched per server call, 1 to {@value #PAGE_SIZE_MAX}
 * @param consistency how many replicas must answer; null for the client's default level
 * @param timeout the deadline of each page's call; null for the client's default
 * @param keyspace the keyspace scanned; null for the client's default keyspace
 */
public record ScanOptions(
    String cursor,
    long limit,
    int pageSize,
    ConsistencyLevel consistency,
    Duration timeout,
    String keyspace) {
  /** The cursor that starts a scan, and that a complete scan ends with. */
  public static final String START = "0";

  /** Most entries per page (the server's bound). */
  public static final int PAGE_SIZE_MAX = 1000;

  /** Entries per page unless told otherwise. */
  public static final int PAGE_SIZE_DEFAULT = 100;

  private static final ScanOptions DEFAULTS =
      new ScanOptions(START, 0, PAGE_SIZE_DEFAULT, null, null, null);

  public ScanOptions {
    cursor = cursor == null || cursor.isEmpty() ? START : cursor;
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    if (pageSize < 1 || pageSize > PAGE_SIZE_MAX) {
      throw new IllegalArgumentException(
          "pageSize must be 1 to " + PAGE_SIZE_MAX + ", was " + pageSize);
    }
    if (consistency != null && !consistency.allowsReads()) {
      throw new IllegalArgumentException(
          "consistency " + consistency + " is for writes only; a scan cannot use it");
    }
    Options.checkTimeout(timeout);
    keyspace = Options.keyspace(keyspace);
  }

  /** Options in the client's default keyspace. */
  public ScanOptions(
      String cursor, long limit, int pageSize, ConsistencyLevel consistency, Duration timeout) {
    this(cursor, limit, pageSize, consistency, timeout, null);
  }

  /** From the first key, no limit, default page size and levels. */
  public static ScanOptions defaults() {
    return DEFAULTS;
  }

  public ScanOptions withCursor(String newCursor) {
    return new ScanOptions(newCursor, limit, pageSize, consistency, timeout, keyspace);
  }

  public ScanOptions withLimit(long newLimit) {
    return new ScanOptions(cursor, newLimit, pageSize, consistency, timeout, keyspace);
  }

  public ScanOptions withPageSize(int newPageSize) {
    return new ScanOptions(cursor, limit, newPageSize, consistency, timeout, keyspace);
  }

  public ScanOptions withConsistency(ConsistencyLevel level) {
    return new ScanOptions(cursor, limit, pageSize, level, timeout, keyspace);
  }

  public ScanOptions withTimeout(Duration newTimeout) {
    return new ScanOptions(cursor, limit, pageSize, consistency, newTimeout, keyspace);
  }

  /** Scans {@code name} (null: the client's default keyspace). */
  public ScanOptions withKeyspace(String name) {
    return new ScanOptions(cursor, limit, pageSize, consistency, timeout, name);
  }
}
