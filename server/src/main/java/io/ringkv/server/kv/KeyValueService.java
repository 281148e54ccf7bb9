package io.ringkv.server.kv;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What every front end (Redis protocol, HTTP, gRPC) calls: one node's view of the database. Today
 * {@link LocalKeyValueService} answers from the local storage engine; the cluster issues put a
 * replication coordinator behind the same interface, so front ends never change.
 *
 * <p>Every call is asynchronous: a cluster answer waits on the network, and front ends must not
 * block their event loops. A call completes normally with its result, or exceptionally with a
 * {@link KvException} whose kind says what the caller may conclude (see there). Keys and values are
 * never modified by the service; callers must not modify them after the call.
 *
 * <p>Thread-safe.
 */
public interface KeyValueService {

  /** The newest live value of {@code key}, or a result with {@link Versioned#absent()}. */
  CompletableFuture<Versioned> get(byte[] key, ReadOptions options);

  /** {@link #get} for several keys, in the order given. */
  CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options);

  /**
   * Applies {@code mutation} to {@code key} if {@code options.condition()} holds, atomically with
   * respect to other writes of the same key on this node.
   */
  CompletableFuture<WriteOutcome> write(byte[] key, Mutation mutation, WriteOptions options);

  /**
   * Live keys in token order (the order of their tokens on the ring, as in Cassandra; not key
   * order) after {@code cursor} (exclusive; {@link ScanCursor#START} for the beginning), at most
   * {@code limit} of them. The page's cursor continues the scan; it is {@link ScanCursor#END} after
   * the last page. Across the pages of a scan every key that is live throughout comes exactly once.
   * Keys written during a scan may or may not be seen.
   */
  CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options);

  /**
   * What {@code key} holds in the options' keyspace with its causal context
   * (docs/design/causal.md). In a causal keyspace: the register's siblings, the counter or the set.
   * In a last-write-wins keyspace: the newest live value as a register of one sibling, with an
   * empty context (or {@link CausalValue.Absent}).
   */
  CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options);

  /**
   * Applies {@code write} to {@code key} in the options' keyspace, which must be causal (else
   * INVALID_REQUEST naming the keyspace and its mode); fails with WRONG_TYPE when the key holds
   * another type and CONFLICT when its state refuses the write. The options' condition and
   * returnPrevious do not apply.
   */
  CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options);

  /** Listing, creating and dropping keyspaces through this node. */
  KeyspaceAdmin keyspaces();

  /** Figures for INFO, metrics and status: key estimate, engine statistics. */
  ServiceStats stats();
}
