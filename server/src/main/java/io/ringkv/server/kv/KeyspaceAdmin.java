package io.ringkv.server.kv;

import io.ringkv.cluster.metadata.Keyspace;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Creating, changing and dropping keyspaces: what the HTTP admin routes and {@code ringkv keyspace}
 * call. In a cluster each change is a command in the metadata log
 * (docs/design/metadata-on-raft.md), proposed through its leader, and the future completes once it
 * is committed and applied on this node; a failure is a {@link KvException} (INVALID_REQUEST for a
 * bad definition or a dropped {@code default}, NO_SUCH_KEYSPACE, UNAVAILABLE when the metadata
 * group has no leader).
 *
 * <p>Thread-safe.
 */
public interface KeyspaceAdmin {

  /** The keyspaces this node knows, by name. */
  List<Keyspace> keyspaces();

  /**
   * Creates {@code keyspace}, or changes it if one of that name exists (its conflict mode cannot
   * change once created: INVALID_REQUEST); completes with the keyspace as applied.
   */
  CompletableFuture<Keyspace> put(Keyspace keyspace);

  /** Drops the keyspace {@code name} and, in time, its data; {@code default} cannot be dropped. */
  CompletableFuture<Void> drop(String name);
}
