package io.ringkv.server.kv;

import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.Clock;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.storage.Cell;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.Durability;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-node {@link KeyValueService}: answers from this node's storage engine. Consistency
 * levels are accepted and trivially met (one replica is all replicas).
 *
 * <p>Atomicity: every write of a key takes that key's stripe lock, so a conditional write (NX, XX)
 * or a read-modify-write (KEEPTTL, EXPIRE, GETDEL) is atomic with respect to every other write of
 * the key on this node. In a cluster these become the coordinator's job (see docs/api/redis.md).
 *
 * <p>Session timestamps ({@link WriteOptions#sessionTimestamp()}) are ignored: every write goes
 * through this one node, whose timestamps only grow, so a client's writes already keep its order.
 *
 * <p>Threads: reads and writes with {@link Durability#NONE} or {@link Durability#PERIODIC} run on
 * the calling thread (an event loop): they do no blocking I/O beyond handing bytes to the OS.
 * Writes with {@link Durability#SYNC} wait for an fsync, so they run on virtual threads, where many
 * of them share one fsync through the engine's group commit.
 *
 * <p>Keys on disk: every key is stored as {@link KeyCodec#encode} makes it for the {@code default}
 * keyspace, its token's 8-byte prefix, the keyspace tag 0, then the user key, so that the engine
 * orders keys by token and a token range is one contiguous engine scan ({@link
 * KeyCodec#keyRanges}); Merkle trees and streaming of a range rest on that. Keys are encoded on the
 * way in and decoded on the way out, so callers only ever see user keys. Scans therefore go in
 * token order (as Cassandra's), not in key order. The engine's key size bound must leave room for
 * the prefix: at least the node's user key bound plus {@link KeyCodec#PREFIX_BYTES}. Keys of other
 * keyspaces (a data directory that served a cluster) are neither read nor shown by scans.
 *
 * <p>Keyspaces: a node without the cluster has only {@code default} (last-write-wins); a request
 * naming any other keyspace fails with NO_SUCH_KEYSPACE naming it, and causal writes are refused.
 *
 * <p>Timestamps are microseconds since the epoch, strictly increasing on this node. Thread-safe.
 */
public final class LocalKeyValueService implements KeyValueService, AutoCloseable {
  /** Stripes of the per-key write lock; a power of two. */
  static final int LOCK_STRIPES = 1024;

  private final StorageEngine engine;
  private final Clock clock;
  private final Durability durability;
  private final ReentrantLock[] stripes = new ReentrantLock[LOCK_STRIPES];
  private final AtomicLong lastTimestamp = new AtomicLong();
  private final ExecutorService syncWriters = Executors.newVirtualThreadPerTaskExecutor();

  public LocalKeyValueService(StorageEngine engine, Clock clock, Durability durability) {
    this.engine = engine;
    this.clock = clock;
    this.durability = durability;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * NO_SUCH_KEYSPACE unless {@code keyspace} is the default one (null or {@code default}), the only
   * keyspace of a node without the cluster.
   */
  static KvException checkKeyspace(String keyspace) {
    if (keyspace == null || keyspace.equals(Keyspace.DEFAULT_NAME)) {
      return null;
    }
    return new KvException(
        KvException.Kind.NO_SUCH_KEYSPACE,
        "no keyspace '"
            + keyspace
            + "': a node without the cluster has only the default keyspace; enable cluster to"
            + " create keyspaces");
  }

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    KvException noSuchKeyspace = checkKeyspace(options.keyspace());
    if (noSuchKeyspace != null) {
      return CompletableFuture.failedFuture(noSuchKeyspace);
    }
    try {
      return CompletableFuture.completedFuture(read(key));
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
    KvException noSuchKeyspace = checkKeyspace(options.keyspace());
    if (noSuchKeyspace != null) {
      return CompletableFuture.failedFuture(noSuchKeyspace);
    }
    try {
      List<Versioned> values = new ArrayList<>(keys.size());
      for (byte[] key : keys) {
        values.add(read(key));
      }
      return CompletableFuture.completedFuture(values);
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    KvException noSuchKeyspace = checkKeyspace(options.keyspace());
    if (noSuchKeyspace != null) {
      return CompletableFuture.failedFuture(noSuchKeyspace);
    }
    if (durability != Durability.SYNC) {
      try {
        return CompletableFuture.completedFuture(apply(key, mutation, options));
      } catch (KvException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    CompletableFuture<WriteOutcome> result = new CompletableFuture<>();
    try {
      syncWriters.execute(
          () -> {
            try {
              result.complete(apply(key, mutation, options));
            } catch (KvException e) {
              result.completeExceptionally(e);
            } catch (RuntimeException e) {
              result.completeExceptionally(
                  new KvException(KvException.Kind.FAILED, "write failed: " + e, e));
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(
          new KvException(KvException.Kind.FAILED, "the node is shutting down", e));
    }
    return result;
  }

  @Override
  public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
    KvException noSuchKeyspace = checkKeyspace(options.keyspace());
    if (noSuchKeyspace != null) {
      return CompletableFuture.failedFuture(noSuchKeyspace);
    }
    if (limit <= 0) {
      return CompletableFuture.failedFuture(
          KvException.invalid("scan limit must be positive, was " + limit));
    }
    if (cursor.end()) {
      return CompletableFuture.completedFuture(new ScanPage(List.of(), ScanCursor.END));
    }
    // The cursor names the last user key returned; its stored key is a function of it, so the scan
    // resumes just after that stored key and no key is skipped or repeated across pages.
    byte[] from;
    if (cursor.fromPosition() != null) {
      from = cursor.fromPosition();
    } else if (cursor.afterKey() != null) {
      from = successor(stored(cursor.afterKey()));
    } else {
      from = null;
    }
    List<ScanPage.Entry> entries = new ArrayList<>(Math.min(limit, 1024));
    try (CellIterator it = engine.scan(new KeyRange(from, null), ScanMode.LIVE)) {
      while (entries.size() < limit && it.hasNext()) {
        CellIterator.KeyCell next = it.next();
        if (KeyCodec.tagOf(next.key()) != KeyCodec.DEFAULT_TAG) {
          continue; // another keyspace's key, written while this directory served a cluster
        }
        entries.add(new ScanPage.Entry(KeyCodec.decodeUserKey(next.key()), versioned(next.cell())));
      }
      ScanCursor next =
          it.hasNext() && !entries.isEmpty()
              ? ScanCursor.after(entries.get(entries.size() - 1).key())
              : ScanCursor.END;
      return CompletableFuture.completedFuture(new ScanPage(entries, next));
    } catch (StorageException e) {
      return CompletableFuture.failedFuture(failed("scan", e));
    } catch (CellIterator.UncheckedStorageException e) {
      return CompletableFuture.failedFuture(failed("scan", e.getCause()));
    }
  }

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    return get(key, options).thenApply(CausalValue::lastWriteWins);
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    KvException noSuchKeyspace = checkKeyspace(options.keyspace());
    if (noSuchKeyspace != null) {
      return CompletableFuture.failedFuture(noSuchKeyspace);
    }
    return CompletableFuture.failedFuture(
        KvException.invalid(
            "keyspace default is conflicts: lww; causal writes need a causal keyspace, and a node"
                + " without the cluster has only default"));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return ONLY_DEFAULT;
  }

  /** A node without the cluster has the default keyspace, alone and unchangeable. */
  private static final KeyspaceAdmin ONLY_DEFAULT =
      new KeyspaceAdmin() {
        private static final String REFUSAL =
            "a node without the cluster has only the default keyspace; enable cluster to create"
                + " keyspaces";

        @Override
        public List<Keyspace> keyspaces() {
          return List.of(
              new Keyspace(
                  Keyspace.DEFAULT_NAME,
                  new SimpleStrategy(1),
                  ConsistencyLevel.ONE,
                  ConsistencyLevel.ONE));
        }

        @Override
        public CompletableFuture<Keyspace> put(Keyspace keyspace) {
          return CompletableFuture.failedFuture(KvException.invalid(REFUSAL));
        }

        @Override
        public CompletableFuture<Void> drop(String name) {
          return CompletableFuture.failedFuture(KvException.invalid(REFUSAL));
        }
      };

  @Override
  public ServiceStats stats() {
    var engineStats = engine.stats();
    return new ServiceStats(engineStats.estimatedKeys(), engineStats);
  }

  /** The smallest key greater than {@code key}. */
  /** The stored key of {@code key} in {@code default}, the only keyspace of this service. */
  private static byte[] stored(byte[] key) {
    return KeyCodec.encode(KeyCodec.DEFAULT_TAG, key);
  }

  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  private Versioned read(byte[] key) {
    try {
      Cell cell = engine.getLive(stored(key));
      return cell == null ? Versioned.absent() : versioned(cell);
    } catch (StorageException e) {
      throw failed("read", e);
    }
  }

  private static Versioned versioned(Cell cell) {
    return Versioned.of(cell.value(), cell.timestamp(), cell.expiresAtMillis());
  }

  private WriteOutcome apply(byte[] key, Mutation mutation, WriteOptions options) {
    ReentrantLock lock = stripes[(Arrays.hashCode(key) * 0x9E3779B9 >>> 22) & (LOCK_STRIPES - 1)];
    lock.lock();
    try {
      boolean needsCurrent =
          options.returnPrevious()
              || options.condition() != WriteOptions.Condition.ALWAYS
              || mutation instanceof Mutation.Touch
              || (mutation instanceof Mutation.Put put && put.expiry() instanceof Expiry.Keep);
      Versioned current = needsCurrent ? read(key) : Versioned.absent();
      boolean holds =
          switch (options.condition()) {
            case ALWAYS -> true;
            case IF_ABSENT -> !current.isPresent();
            case IF_PRESENT -> current.isPresent();
          };
      if (!holds || (mutation instanceof Mutation.Touch && !current.isPresent())) {
        return new WriteOutcome(false, options.returnPrevious() ? current : null, 0);
      }
      long now = clock.epochMillis();
      long timestamp = nextTimestamp(now);
      Cell cell =
          switch (mutation) {
            case Mutation.Put put ->
                put.expiry().applyTo(Cell.value(put.value(), timestamp), current, now);
            case Mutation.Delete delete -> Cell.tombstone(timestamp);
            case Mutation.Touch touch ->
                touch.expiry().applyTo(Cell.value(current.value(), timestamp), current, now);
          };
      engine.put(stored(key), cell, durability);
      return new WriteOutcome(true, options.returnPrevious() ? current : null, timestamp);
    } catch (StorageException e) {
      throw failed("write", e);
    } finally {
      lock.unlock();
    }
  }

  private long nextTimestamp(long nowMillis) {
    long candidate = nowMillis * 1_000;
    while (true) {
      long last = lastTimestamp.get();
      long next = Math.max(candidate, last + 1);
      if (lastTimestamp.compareAndSet(last, next)) {
        return next;
      }
    }
  }

  private static KvException failed(String what, StorageException e) {
    String message = e.getMessage();
    if (message != null
        && (message.contains("exceeds key_bytes_max")
            || message.contains("exceeds value_bytes_max"))) {
      return new KvException(KvException.Kind.INVALID_REQUEST, message, e);
    }
    return new KvException(KvException.Kind.FAILED, what + " failed: " + message, e);
  }

  @Override
  public void close() {
    syncWriters.shutdown();
  }
}
