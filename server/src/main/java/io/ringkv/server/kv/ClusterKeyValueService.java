package io.ringkv.server.kv;

import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.cluster.replication.RangeScanCoordination;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenRing;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.replication.ReplicationService;
import io.ringkv.storage.Cell;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.StorageEngine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The front ends' view of the database in a cluster: every request goes through this node's {@link
 * ReplicationService} as coordinator, to the replicas of its key's token at the request's
 * consistency level (the keyspace's default when it names none). {@link LocalKeyValueService}
 * remains for nodes that run without the cluster.
 *
 * <p>Writes: each is stamped with the node's hybrid logical clock; a delete is a tombstone that
 * carries its deletion time (the coordinator's wall clock), so that every replica stores the same
 * cell; an expiry in the past makes a put a delete, as in Redis. A plain put or delete is written
 * at once. Writes that depend on the present value (NX, XX, returning the previous value, KEEPTTL,
 * expiry changes) read the key at the request's level (ONE for a write at ANY), evaluate, and write
 * with a timestamp above the one read: this is not atomic across coordinators (two can both see a
 * key absent; the later timestamp wins, docs/api/redis.md), but on this coordinator such operations
 * on one key are serialised ({@link KeyStripes}), and a plain write arriving while one is in
 * progress waits behind it.
 *
 * <p>Sessions: a write's {@link WriteOptions#sessionTimestamp()} (the highest timestamp its client
 * has been told of) is merged into the node's clock before the write is stamped ({@link
 * ReplicationService#observeSession}), so one client's writes keep their order whichever
 * coordinators they go through; one too far ahead of this node's clock is refused.
 *
 * <p>Reads return the live value of the reconciled newest cell: a tombstone or an expired cell
 * reads as absent.
 *
 * <p>Scans walk the ring's token ranges in token order (the order of stored keys, {@link KeyCodec})
 * with one {@link RangeScanCoordination} page per step, each from the replicas of the range it lies
 * in; tombstones and expired cells are skipped. The cursor is the last user key examined; a scan
 * resumes just after its stored key, in the range that holds its token. A call ends when the page
 * is full, the ring is done, or after {@link #SCAN_STEPS_MAX} steps once a key was examined (a long
 * run of tombstones then yields a short page and a cursor past them).
 *
 * <p>Failures: {@link KvException} with the coordinator's message: UNAVAILABLE when nothing was
 * attempted, TIMEOUT when a write may or may not have applied, INVALID_REQUEST for an impossible
 * level or a key or value over its bound.
 *
 * <p>Thread-safe.
 */
public final class ClusterKeyValueService implements KeyValueService {
  /** The keyspace requests use; the only one until keyspaces can be named. */
  static final String KEYSPACE = Keyspace.DEFAULT_NAME;

  /** Steps (range pages) one scan call takes at most, once it has examined a key. */
  static final int SCAN_STEPS_MAX = 64;

  /** Cells one range page asks each replica for at most (tombstones included). */
  static final int SCAN_PAGE_CELLS_MAX = 1_024;

  private final ReplicationService replication;
  private final Supplier<EngineStats> engineStats;
  private final int keyBytesMax;
  private final int valueBytesMax;
  private final KeyStripes stripes = new KeyStripes();

  /**
   * @param replication this node's coordinator
   * @param engine this node's storage, for {@link #stats()}
   * @param keyBytesMax the largest user key ({@code limits.key_bytes_max})
   * @param valueBytesMax the largest value ({@code limits.value_bytes_max})
   */
  public ClusterKeyValueService(
      ReplicationService replication, StorageEngine engine, int keyBytesMax, int valueBytesMax) {
    this.replication = replication;
    this.engineStats = engine::stats;
    this.keyBytesMax = keyBytesMax;
    this.valueBytesMax = valueBytesMax;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    KvException invalid = checkKey(key);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    return replication
        .read(KEYSPACE, KeyCodec.encode(key), options.consistency())
        .thenApply(this::live);
  }

  @Override
  public CompletableFuture<List<Versioned>> multiGet(List<byte[]> keys, ReadOptions options) {
    List<CompletableFuture<Versioned>> reads = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      reads.add(get(key, options));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<Versioned> values = new ArrayList<>(reads.size());
              for (CompletableFuture<Versioned> read : reads) {
                values.add(read.join());
              }
              return values;
            })
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unwrap(failure)));
  }

  private static Versioned live(Cell cell, long nowMillis) {
    if (cell == null || !cell.isLive(nowMillis)) {
      return Versioned.absent();
    }
    return Versioned.of(cell.value(), cell.timestamp(), cell.expiresAtMillis());
  }

  /** {@link #live(Cell, long)} at the node's wall clock, read only for a value with an expiry. */
  private Versioned live(Cell cell) {
    if (cell == null || cell.value() == null) {
      return Versioned.absent();
    }
    if (cell.expiresAtMillis() == Cell.NO_EXPIRY) {
      return Versioned.of(cell.value(), cell.timestamp(), Cell.NO_EXPIRY);
    }
    return live(cell, replication.clock().wallMillis());
  }

  // ---------------------------------------------------------------- writes

  @Override
  public CompletableFuture<WriteOutcome> write(
      byte[] key, Mutation mutation, WriteOptions options) {
    KvException invalid = checkKey(key);
    if (invalid == null && mutation instanceof Mutation.Put put) {
      invalid = checkValue(put.value());
    }
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    try {
      // Before any stamp: this write must win over every write the client has been told of.
      replication.observeSession(options.sessionTimestamp());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    boolean needsCurrent =
        options.returnPrevious()
            || options.condition() != WriteOptions.Condition.ALWAYS
            || mutation instanceof Mutation.Touch
            || (mutation instanceof Mutation.Put put && put.expiry() instanceof Expiry.Keep);
    // Alone in the cluster, every write of a key is serialised, as on a node without the cluster:
    // the writes are local and quick, conditional writes stay atomic against plain ones, and the
    // replication service stores them in this order without a last-write-wins read.
    if (!needsCurrent && stripes.idle(key) && !alone()) {
      return writeBlind(key, mutation, options);
    }
    CompletableFuture<WriteOutcome> serialised =
        stripes.serialise(
            key,
            needsCurrent
                ? () -> readModifyWrite(key, mutation, options)
                : () -> writeBlind(key, mutation, options));
    if (serialised == null) {
      return CompletableFuture.failedFuture(
          new KvException(
              KvException.Kind.UNAVAILABLE,
              KeyStripes.QUEUED_PER_STRIPE_MAX
                  + " conditional writes are already queued on this key's stripe of this"
                  + " coordinator; nothing was attempted"));
    }
    return serialised;
  }

  /**
   * True if this node is alone in its cluster: every write of a key must then be serialised here
   * ({@link ReplicationService#isAlone}).
   */
  private boolean alone() {
    return replication.isAlone(KEYSPACE);
  }

  /** A put or delete that does not depend on the present value. */
  private CompletableFuture<WriteOutcome> writeBlind(
      byte[] key, Mutation mutation, WriteOptions options) {
    long now = replication.clock().wallMillis();
    long timestamp = replication.stamp();
    Cell cell =
        switch (mutation) {
          case Mutation.Put put ->
              put.expiry().applyTo(Cell.value(put.value(), timestamp), null, now);
          case Mutation.Delete delete -> Cell.tombstone(timestamp).stampDeletionTime(now);
          case Mutation.Touch touch -> throw new AssertionError("a touch needs the present value");
        };
    return replication
        .write(KEYSPACE, KeyCodec.encode(key), cell, options.consistency())
        .thenApply(written -> new WriteOutcome(true, null, timestamp));
  }

  /** Reads the key at the request's level, evaluates the condition, then writes. */
  private CompletableFuture<WriteOutcome> readModifyWrite(
      byte[] key, Mutation mutation, WriteOptions options) {
    byte[] stored = KeyCodec.encode(key);
    ConsistencyLevel readLevel =
        options.consistency() == ConsistencyLevel.ANY
            ? ConsistencyLevel.ONE
            : options.consistency();
    return replication
        .read(KEYSPACE, stored, readLevel)
        .thenCompose(
            cell -> {
              long now = replication.clock().wallMillis();
              Versioned current = live(cell, now);
              boolean holds =
                  switch (options.condition()) {
                    case ALWAYS -> true;
                    case IF_ABSENT -> !current.isPresent();
                    case IF_PRESENT -> current.isPresent();
                  };
              Versioned previous = options.returnPrevious() ? current : null;
              if (!holds || (mutation instanceof Mutation.Touch && !current.isPresent())) {
                return CompletableFuture.completedFuture(new WriteOutcome(false, previous, 0));
              }
              if (cell != null) {
                // The write must win over what was read, whatever the clocks say.
                replication.clock().observe(cell.timestamp());
              }
              long timestamp = replication.stamp();
              Cell next =
                  switch (mutation) {
                    case Mutation.Put put ->
                        put.expiry().applyTo(Cell.value(put.value(), timestamp), current, now);
                    case Mutation.Delete delete -> Cell.tombstone(timestamp).stampDeletionTime(now);
                    case Mutation.Touch touch ->
                        touch
                            .expiry()
                            .applyTo(Cell.value(current.value(), timestamp), current, now);
                  };
              return replication
                  .write(KEYSPACE, stored, next, options.consistency())
                  .thenApply(written -> new WriteOutcome(true, previous, timestamp));
            });
  }

  // ---------------------------------------------------------------- scans

  @Override
  public CompletableFuture<ScanPage> scan(ScanCursor cursor, int limit, ReadOptions options) {
    if (limit <= 0) {
      return CompletableFuture.failedFuture(
          KvException.invalid("scan limit must be positive, was " + limit));
    }
    if (cursor.end()) {
      return CompletableFuture.completedFuture(new ScanPage(List.of(), ScanCursor.END));
    }
    byte[] from =
        cursor.afterKey() == null
            ? KeyCodec.tokenPrefix(Token.MIN)
            : successor(KeyCodec.encode(cursor.afterKey()));
    ScanWalk walk = new ScanWalk(from, limit, options.consistency());
    walk.drive();
    return walk.result;
  }

  /** One scan call: range pages in token order until the page is full. */
  private final class ScanWalk {
    final CompletableFuture<ScanPage> result = new CompletableFuture<>();
    final List<ScanPage.Entry> entries = new ArrayList<>();
    final int limit;
    final ConsistencyLevel level;
    byte[] position;
    byte[] lastExamined;
    int steps;

    ScanWalk(byte[] from, int limit, ConsistencyLevel level) {
      this.position = from;
      this.limit = limit;
      this.level = level;
    }

    /** Takes steps while their pages are at hand; resumes from the callback when one is not. */
    void drive() {
      while (true) {
        if (position == null) {
          result.complete(new ScanPage(entries, ScanCursor.END));
          return;
        }
        if (entries.size() >= limit || (steps >= SCAN_STEPS_MAX && lastExamined != null)) {
          result.complete(new ScanPage(entries, ScanCursor.after(lastExamined)));
          return;
        }
        CompletableFuture<Step> step;
        try {
          step = step();
        } catch (KvException e) {
          result.completeExceptionally(e);
          return;
        }
        if (!step.isDone()) {
          step.whenComplete(
              (done, failure) -> {
                if (failure != null) {
                  result.completeExceptionally(unwrap(failure));
                } else {
                  take(done);
                  drive();
                }
              });
          return;
        }
        try {
          take(step.join());
        } catch (CompletionException failure) {
          result.completeExceptionally(unwrap(failure));
          return;
        }
      }
    }

    /** A page of the range holding {@link #position}'s token, up to that range's end. */
    CompletableFuture<Step> step() {
      TokenRing ring = replication.view().metadata().ring();
      if (ring.isEmpty()) {
        throw new KvException(
            KvException.Kind.UNAVAILABLE,
            "this node knows no ring yet (it has not joined the cluster); nothing was attempted");
      }
      Token token = KeyCodec.tokenOf(position);
      int index = ring.rangeIndexOf(token);
      Token end = ring.token(index);
      // Past the last ring token, the range wraps: its rest runs to the end of the key space.
      byte[] to =
          end.compareTo(token) < 0 || end.equals(Token.MAX)
              ? null
              : KeyCodec.tokenPrefix(end.next());
      int remaining = Math.min(limit - entries.size(), SCAN_PAGE_CELLS_MAX);
      return replication
          .scan(KEYSPACE, token, position, to, remaining, level)
          .thenApply(page -> new Step(page, to));
    }

    void take(Step step) {
      steps++;
      long now = replication.clock().wallMillis();
      for (KeyedCell keyed : step.page().cells()) {
        byte[] userKey = KeyCodec.decodeUserKey(keyed.key());
        lastExamined = userKey;
        Cell cell = keyed.cell();
        if (cell.isLive(now)) {
          entries.add(
              new ScanPage.Entry(
                  userKey, Versioned.of(cell.value(), cell.timestamp(), cell.expiresAtMillis())));
        }
      }
      position = step.page().next() != null ? step.page().next() : step.rangeEnd();
    }
  }

  private record Step(RangeScanCoordination.Page page, byte[] rangeEnd) {}

  // ---------------------------------------------------------------- the rest

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    return get(key, options).thenApply(CausalValue::lastWriteWins);
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    // Wired to WriteCoordination.causal by the causal service work (issue 7, in progress).
    return CompletableFuture.failedFuture(
        KvException.invalid(
            "keyspace default is conflicts: lww; causal writes need a causal keyspace"));
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    // Proposing through the metadata log is wired by the causal service work (issue 7).
    return new KeyspaceAdmin() {
      @Override
      public List<Keyspace> keyspaces() {
        return List.copyOf(replication.view().metadata().keyspaces().values());
      }

      @Override
      public CompletableFuture<Keyspace> put(Keyspace keyspace) {
        return CompletableFuture.failedFuture(KvException.invalid("keyspace changes: not yet"));
      }

      @Override
      public CompletableFuture<Void> drop(String name) {
        return CompletableFuture.failedFuture(KvException.invalid("keyspace changes: not yet"));
      }
    };
  }

  @Override
  public ServiceStats stats() {
    EngineStats stats = engineStats.get();
    return new ServiceStats(stats.estimatedKeys(), stats);
  }

  private KvException checkKey(byte[] key) {
    if (key.length > keyBytesMax) {
      return KvException.invalid(
          "key of " + key.length + " bytes exceeds key_bytes_max " + keyBytesMax);
    }
    return null;
  }

  private KvException checkValue(byte[] value) {
    if (value.length > valueBytesMax) {
      return KvException.invalid(
          "value of " + value.length + " bytes exceeds value_bytes_max " + valueBytesMax);
    }
    return null;
  }

  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
