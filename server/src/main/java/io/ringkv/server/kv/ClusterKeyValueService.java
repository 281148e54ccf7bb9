package io.ringkv.server.kv;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.cluster.replication.RangeScanCoordination;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.ring.Token;
import io.ringkv.cluster.ring.TokenRing;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.CausalType;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.OrSet;
import io.ringkv.cluster.version.PnCounter;
import io.ringkv.cluster.version.Sibling;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.replication.ReplicationService;
import io.ringkv.storage.Cell;
import io.ringkv.storage.EngineStats;
import io.ringkv.storage.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
 * in; tombstones, expired cells and the keys of other keyspaces (another {@link KeyCodec#tag tag})
 * are skipped. The cursor is the last user key of the keyspace examined, and a scan resumes just
 * after its stored key, in the range that holds its token; when the last key examined was another
 * keyspace's, the cursor is the position where the keyspace's keys of that token begin or end
 * ({@link ScanCursor#from}), so that it never names another keyspace's key. A call ends when the
 * page is full, the ring is done, or after {@link #SCAN_STEPS_MAX} steps once a key was examined (a
 * long run of tombstones or of another keyspace's keys then yields a short page and a cursor past
 * them).
 *
 * <p>Stored keys carry the keyspace's tag ({@link KeyCodec}), so the same user key in two keyspaces
 * is two objects (docs/decisions/009-keyspace-in-stored-keys.md).
 *
 * <p>Keyspaces: every request goes to the keyspace its options name ({@code default} when none);
 * one the node's metadata does not hold fails NO_SUCH_KEYSPACE naming it (UNAVAILABLE while the
 * node has not joined and cannot tell). Changing keyspaces goes through the {@link KeyspaceAdmin}
 * given at construction (the metadata log's, in a cluster on Raft).
 *
 * <p>Causal keyspaces ({@code conflicts: causal}, docs/design/causal.md): {@link #writeCausal}
 * sends the operation to a dot replica ({@link ReplicationService#writeCausal}) and answers the
 * key's state there; {@link #readCausal} decodes the reconciled (joined) cell into siblings, a
 * counter or a set with its context. The plain API stays usable: {@link #get} answers a register's
 * winner (highest HLC; absent if that is a delete), a counter's value in decimal (as Redis INCR
 * keys read), and WRONG_TYPE for a set; {@link #write} is a blind causal put or delete, and one
 * that depends on the present value (NX, XX, returning the previous value) reads the key first and
 * writes with the read's context, so it supersedes exactly what it saw. Causal values carry no
 * expiry: a put or touch that sets one is refused (INVALID_REQUEST); KEEPTTL and PERSIST have
 * nothing to keep or remove. Scans show registers' winners and counters' values and skip sets.
 *
 * <p>Failures: {@link KvException} with the coordinator's message: UNAVAILABLE when nothing was
 * attempted, TIMEOUT when a write may or may not have applied, INVALID_REQUEST for an impossible
 * level or a key or value over its bound, WRONG_TYPE and CONFLICT for causal writes the dot replica
 * refused.
 *
 * <p>Thread-safe.
 */
public final class ClusterKeyValueService implements KeyValueService {
  /** The keyspace of requests that name none. */
  static final String DEFAULT_KEYSPACE = Keyspace.DEFAULT_NAME;

  /** Steps (range pages) one scan call takes at most, once it has examined a key. */
  static final int SCAN_STEPS_MAX = 64;

  /** Cells one range page asks each replica for at most (tombstones included). */
  static final int SCAN_PAGE_CELLS_MAX = 1_024;

  private final ReplicationService replication;
  private final Supplier<EngineStats> engineStats;
  private final int keyBytesMax;
  private final int valueBytesMax;
  private final KeyStripes stripes = new KeyStripes();
  private final KeyspaceAdmin admin;

  /**
   * A service whose keyspaces cannot be changed through it (they are listed from the metadata).
   *
   * @param replication this node's coordinator
   * @param engine this node's storage, for {@link #stats()}
   * @param keyBytesMax the largest user key ({@code limits.key_bytes_max})
   * @param valueBytesMax the largest value ({@code limits.value_bytes_max})
   */
  public ClusterKeyValueService(
      ReplicationService replication, StorageEngine engine, int keyBytesMax, int valueBytesMax) {
    this(replication, engine, keyBytesMax, valueBytesMax, null);
  }

  /**
   * @param admin how keyspaces are changed (the cluster's metadata log); null: refused, with the
   *     keyspaces listed from the replication service's metadata
   */
  public ClusterKeyValueService(
      ReplicationService replication,
      StorageEngine engine,
      int keyBytesMax,
      int valueBytesMax,
      KeyspaceAdmin admin) {
    this.replication = replication;
    this.engineStats = engine::stats;
    this.keyBytesMax = keyBytesMax;
    this.valueBytesMax = valueBytesMax;
    this.admin = admin != null ? admin : new ListingOnly();
  }

  // ---------------------------------------------------------------- keyspaces

  /**
   * The keyspace a request names, as this node's metadata has it.
   *
   * @param name its name
   * @param keyspace its definition; null for {@code default} before the node knows the metadata
   *     (the replication service then answers as it always has: UNAVAILABLE until joined)
   */
  private record Target(String name, Keyspace keyspace) {
    boolean causal() {
      return keyspace != null && keyspace.causal();
    }
  }

  /** The stored key of {@code key} in {@code keyspace}: token, the keyspace's tag, the key. */
  private static byte[] stored(String keyspace, byte[] key) {
    return KeyCodec.encode(KeyCodec.tag(keyspace), key);
  }

  /**
   * The keyspace {@code requested} (null: {@code default}).
   *
   * @throws KvException NO_SUCH_KEYSPACE naming it if the metadata does not hold it; UNAVAILABLE if
   *     the node has not joined and cannot tell
   */
  private Target target(String requested) {
    String name = requested == null ? DEFAULT_KEYSPACE : requested;
    ClusterView view = replication.view();
    ClusterMetadata metadata = view.metadata();
    Optional<Keyspace> keyspace = metadata.keyspace(name);
    if (keyspace.isPresent()) {
      return new Target(name, keyspace.get());
    }
    if (name.equals(DEFAULT_KEYSPACE)) {
      return new Target(name, null);
    }
    if (!view.started() || metadata.ring().isEmpty()) {
      throw new KvException(
          KvException.Kind.UNAVAILABLE,
          "this node has not joined the cluster yet, so it cannot tell whether keyspace '"
              + name
              + "' exists; nothing was attempted");
    }
    throw new KvException(
        KvException.Kind.NO_SUCH_KEYSPACE,
        "no keyspace '"
            + name
            + "' at metadata epoch "
            + metadata.epoch()
            + " (keyspaces: "
            + String.join(", ", metadata.keyspaces().keySet())
            + ")");
  }

  /** Keyspaces listed from the metadata; changes refused (no metadata log behind this service). */
  private final class ListingOnly implements KeyspaceAdmin {
    private static final String REFUSAL =
        "keyspaces can be changed only in a cluster with cluster.metadata: raft; this node's"
            + " metadata cannot take keyspace changes";

    @Override
    public List<Keyspace> keyspaces() {
      return List.copyOf(replication.view().metadata().keyspaces().values());
    }

    @Override
    public CompletableFuture<Keyspace> put(Keyspace keyspace) {
      return CompletableFuture.failedFuture(KvException.invalid(REFUSAL));
    }

    @Override
    public CompletableFuture<Void> drop(String name) {
      return CompletableFuture.failedFuture(KvException.invalid(REFUSAL));
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public CompletableFuture<Versioned> get(byte[] key, ReadOptions options) {
    KvException invalid = checkKey(key);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    Target target;
    try {
      target = target(options.keyspace());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Cell> read =
        replication.read(target.name(), stored(target.name(), key), options.consistency());
    return target.causal() ? read.thenApply(this::winner) : read.thenApply(this::live);
  }

  /**
   * What a plain read of a causal keyspace answers: a register's winner (absent if it is a delete)
   * with the register's context, a counter's value in decimal; WRONG_TYPE for a set.
   */
  private Versioned winner(Cell cell) {
    if (!CausalCells.isCausal(cell)) {
      return live(cell); // nothing, or a last-write-wins cell written before (or a tombstone)
    }
    try {
      return switch (CausalCells.type(cell)) {
        case REGISTER -> {
          DvvSet register = CausalCells.register(cell);
          Optional<Sibling> winner = register.winner();
          if (winner.isEmpty() || winner.get().isTombstone()) {
            yield Versioned.absent();
          }
          yield new Versioned(
              winner.get().value(),
              winner.get().timestamp(),
              Cell.NO_EXPIRY,
              CausalCodec.encodeContext(register.context()));
        }
        case COUNTER ->
            Versioned.of(
                PnCounter.format(CausalCells.counter(cell).exactValue())
                    .getBytes(StandardCharsets.US_ASCII),
                cell.timestamp(),
                Cell.NO_EXPIRY);
        case SET ->
            throw new KvException(
                KvException.Kind.WRONG_TYPE,
                "WRONGTYPE Operation against a key holding the wrong kind of value (the key is a"
                    + " set; read it with a set read)");
        case CONTEXT, OPERATION -> throw damaged(cell, "holds a context or operation");
      };
    } catch (CausalFormatException e) {
      throw damaged(cell, e.getMessage());
    }
  }

  private static KvException damaged(Cell cell, String detail) {
    return new KvException(
        KvException.Kind.FAILED, "the key's stored causal object cannot be decoded: " + detail);
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
    Target target;
    try {
      target = target(options.keyspace());
      // Before any stamp: this write must win over every write the client has been told of.
      replication.observeSession(options.sessionTimestamp());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (target.causal()) {
      return writeCausalPlain(key, mutation, options, target.name());
    }
    String keyspace = target.name();
    boolean needsCurrent =
        options.returnPrevious()
            || options.condition() != WriteOptions.Condition.ALWAYS
            || mutation instanceof Mutation.Touch
            || (mutation instanceof Mutation.Put put && put.expiry() instanceof Expiry.Keep);
    // Alone in the cluster, every write of a key is serialised, as on a node without the cluster:
    // the writes are local and quick, conditional writes stay atomic against plain ones, and the
    // replication service stores them in this order without a last-write-wins read.
    if (!needsCurrent && stripes.idle(key) && !replication.isAlone(keyspace)) {
      return writeBlind(keyspace, key, mutation, options);
    }
    CompletableFuture<WriteOutcome> serialised =
        stripes.serialise(
            key,
            needsCurrent
                ? () -> readModifyWrite(keyspace, key, mutation, options)
                : () -> writeBlind(keyspace, key, mutation, options));
    return serialised != null ? serialised : stripeFull();
  }

  private static <T> CompletableFuture<T> stripeFull() {
    return CompletableFuture.failedFuture(
        new KvException(
            KvException.Kind.UNAVAILABLE,
            KeyStripes.QUEUED_PER_STRIPE_MAX
                + " conditional writes are already queued on this key's stripe of this"
                + " coordinator; nothing was attempted"));
  }

  /** A put or delete that does not depend on the present value. */
  private CompletableFuture<WriteOutcome> writeBlind(
      String keyspace, byte[] key, Mutation mutation, WriteOptions options) {
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
        .write(keyspace, stored(keyspace, key), cell, options.consistency())
        .thenApply(written -> new WriteOutcome(true, null, timestamp));
  }

  /** Reads the key at the request's level, evaluates the condition, then writes. */
  private CompletableFuture<WriteOutcome> readModifyWrite(
      String keyspace, byte[] key, Mutation mutation, WriteOptions options) {
    byte[] stored = stored(keyspace, key);
    return replication
        .read(keyspace, stored, readLevel(options))
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
                  .write(keyspace, stored, next, options.consistency())
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
    Target target;
    try {
      target = target(options.keyspace());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    int tag = KeyCodec.tag(target.name());
    byte[] from;
    if (cursor.fromPosition() != null) {
      from = cursor.fromPosition();
    } else if (cursor.afterKey() != null) {
      from = successor(KeyCodec.encode(tag, cursor.afterKey()));
    } else {
      from = KeyCodec.tokenPrefix(Token.MIN);
    }
    ScanWalk walk = new ScanWalk(target.name(), tag, from, limit, options.consistency());
    walk.drive();
    return walk.result;
  }

  /** One scan call: range pages in token order until the page is full. */
  private final class ScanWalk {
    final CompletableFuture<ScanPage> result = new CompletableFuture<>();
    final List<ScanPage.Entry> entries = new ArrayList<>();
    final String keyspace;
    final int tag;
    final int limit;
    final ConsistencyLevel level;
    byte[] position;
    // Where the next call resumes: after the last key of this keyspace examined, or from a
    // position past the last key of another keyspace examined; null while nothing was examined.
    ScanCursor resume;
    int steps;

    ScanWalk(String keyspace, int tag, byte[] from, int limit, ConsistencyLevel level) {
      this.keyspace = keyspace;
      this.tag = tag;
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
        if (entries.size() >= limit || (steps >= SCAN_STEPS_MAX && resume != null)) {
          result.complete(new ScanPage(entries, resume));
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
          .scan(keyspace, token, position, to, remaining, level)
          .thenApply(page -> new Step(page, to));
    }

    void take(Step step) {
      steps++;
      long now = replication.clock().wallMillis();
      for (KeyedCell keyed : step.page().cells()) {
        int keyTag = KeyCodec.tagOf(keyed.key());
        if (keyTag != tag) {
          // Another keyspace's key: skipped like a tombstone. Keys of one token sort by (tag, user
          // key), so this keyspace's keys of that token are all after it (a smaller tag) or all
          // before it (a larger one, unsigned); the cursor names where they begin or what follows
          // them, so that it never carries another keyspace's key.
          Token token = KeyCodec.tokenOf(keyed.key());
          resume =
              ScanCursor.from(
                  Integer.compareUnsigned(keyTag, tag) < 0
                      ? KeyCodec.tagPrefix(token, tag)
                      : KeyCodec.tagPrefix(token, tag + 1));
          continue;
        }
        byte[] userKey = KeyCodec.decodeUserKey(keyed.key());
        resume = ScanCursor.after(userKey);
        Cell cell = keyed.cell();
        if (CausalCells.isCausal(cell)) {
          Versioned shown = scanned(cell);
          if (shown.isPresent()) {
            entries.add(new ScanPage.Entry(userKey, shown));
          }
        } else if (cell.isLive(now)) {
          entries.add(
              new ScanPage.Entry(
                  userKey, Versioned.of(cell.value(), cell.timestamp(), cell.expiresAtMillis())));
        }
      }
      position = step.page().next() != null ? step.page().next() : step.rangeEnd();
    }
  }

  private record Step(RangeScanCoordination.Page page, byte[] rangeEnd) {}

  /** A causal cell as a scan shows it: a register's winner, a counter's value; a set is skipped. */
  private Versioned scanned(Cell cell) {
    try {
      if (CausalCells.type(cell) == CausalType.SET) {
        return Versioned.absent();
      }
    } catch (CausalFormatException e) {
      throw damaged(cell, e.getMessage());
    }
    return winner(cell);
  }

  // ---------------------------------------------------------------- the rest

  // ---------------------------------------------------------------- causal keyspaces

  @Override
  public CompletableFuture<CausalValue> readCausal(byte[] key, ReadOptions options) {
    KvException invalid = checkKey(key);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    Target target;
    try {
      target = target(options.keyspace());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Cell> read =
        replication.read(target.name(), stored(target.name(), key), options.consistency());
    if (!target.causal()) {
      return read.thenApply(cell -> CausalValue.lastWriteWins(live(cell)));
    }
    return read.thenApply(
        cell -> {
          CausalValue value = causalValue(cell);
          if (value instanceof CausalValue.Register register) {
            replication.metrics().causalSiblingsRead(register.siblings().size());
          }
          return value;
        });
  }

  @Override
  public CompletableFuture<CausalWriteOutcome> writeCausal(
      byte[] key, CausalWrite write, WriteOptions options) {
    KvException invalid = checkKey(key);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    CausalOperation operation;
    Target target;
    try {
      target = target(options.keyspace());
      if (!target.causal()) {
        throw KvException.invalid(
            "keyspace '"
                + target.name()
                + "' is conflicts: lww; causal writes (contexts, counters, sets) need a keyspace"
                + " with conflicts: causal");
      }
      operation = operation(write, options.idempotencyKey());
      replication.observeSession(options.sessionTimestamp());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    return replication
        .writeCausal(target.name(), stored(target.name(), key), operation, options.consistency())
        .thenApply(
            applied ->
                new CausalWriteOutcome(
                    causalValue(applied.cell()), applied.changedMembers(), applied.duplicate()));
  }

  /**
   * The operation a front end's write asks for, checked at the edge: a value or member over its
   * bound, a damaged context (INVALID_REQUEST naming "context"), an idempotency key outside 1 to 64
   * bytes, an empty member list.
   */
  private CausalOperation operation(CausalWrite write, byte[] idempotencyKey) {
    if (idempotencyKey != null
        && (idempotencyKey.length < 1
            || idempotencyKey.length > PnCounter.IDEMPOTENCY_KEY_BYTES_MAX)) {
      throw KvException.invalid(
          "idempotency key of "
              + idempotencyKey.length
              + " bytes: it must be 1 to "
              + PnCounter.IDEMPOTENCY_KEY_BYTES_MAX
              + " bytes");
    }
    return switch (write) {
      case CausalWrite.Put put -> {
        KvException tooLarge = checkValue(put.value());
        if (tooLarge != null) {
          throw tooLarge;
        }
        yield new CausalOperation.Put(context(put.context()), put.value());
      }
      case CausalWrite.Delete delete -> new CausalOperation.Delete(context(delete.context()));
      // Only counters can tell a retry (docs/design/causal.md, "Counters"): the key goes with them.
      case CausalWrite.Increment increment ->
          new CausalOperation.Increment(increment.delta(), idempotencyKey);
      case CausalWrite.IncrementFloat increment -> {
        try {
          yield new CausalOperation.IncrementDecimal(increment.delta(), idempotencyKey);
        } catch (IllegalArgumentException e) {
          throw KvException.invalid(e.getMessage());
        }
      }
      case CausalWrite.SetAdd add -> new CausalOperation.SetAdd(members(add.members()));
      case CausalWrite.SetRemove remove ->
          new CausalOperation.SetRemove(members(remove.members()), context(remove.context()));
    };
  }

  private List<byte[]> members(List<byte[]> members) {
    if (members.isEmpty()) {
      throw KvException.invalid("members must name at least one member, was empty");
    }
    for (byte[] member : members) {
      if (member.length > valueBytesMax) {
        throw KvException.invalid(
            "member of " + member.length + " bytes exceeds value_bytes_max " + valueBytesMax);
      }
    }
    return members;
  }

  /** A client's context: null or empty for a blind write; damaged bytes are refused. */
  private static VersionVector context(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      return null;
    }
    try {
      return CausalCodec.decodeContext(encoded);
    } catch (CausalFormatException e) {
      throw KvException.invalid(
          "context is not a causal context this cluster issued (damaged or truncated: "
              + e.getMessage()
              + "); send the context of a read unchanged, or none for a blind write");
    }
  }

  /**
   * What a causal cell holds, with its context: a register's siblings newest first (absent with the
   * register's context when all are deletes), a counter's value, a set's members in byte order. A
   * cell that is not causal reads as last-write-wins.
   */
  private CausalValue causalValue(Cell cell) {
    if (!CausalCells.isCausal(cell)) {
      return CausalValue.lastWriteWins(live(cell));
    }
    try {
      return switch (CausalCells.type(cell)) {
        case REGISTER -> {
          DvvSet register = CausalCells.register(cell);
          byte[] context = CausalCodec.encodeContext(register.context());
          if (register.isDeleted()) {
            yield new CausalValue.Absent(context);
          }
          List<Sibling> siblings = new ArrayList<>(register.siblings());
          siblings.sort(Sibling.WINNER_ORDER.reversed());
          List<CausalValue.Sibling> shown = new ArrayList<>(siblings.size());
          for (Sibling sibling : siblings) {
            shown.add(new CausalValue.Sibling(sibling.value(), sibling.timestamp()));
          }
          yield new CausalValue.Register(context, shown);
        }
        case COUNTER -> {
          PnCounter counter = CausalCells.counter(cell);
          yield new CausalValue.Counter(new byte[0], counter.value(), counter.exactValue());
        }
        case SET -> {
          OrSet set = CausalCells.set(cell);
          yield new CausalValue.Set(CausalCodec.encodeContext(set.context()), set.members());
        }
        case CONTEXT, OPERATION -> throw damaged(cell, "holds a context or operation");
      };
    } catch (CausalFormatException e) {
      throw damaged(cell, e.getMessage());
    }
  }

  /**
   * A plain write to a causal keyspace: a blind causal put or delete; one that depends on the
   * present value reads the key first and writes with the read's context (serialised per key on
   * this coordinator, as in last-write-wins keyspaces). Expiries are refused: causal values carry
   * none (docs/design/causal.md, "APIs").
   */
  private CompletableFuture<WriteOutcome> writeCausalPlain(
      byte[] key, Mutation mutation, WriteOptions options, String keyspace) {
    Expiry expiry =
        switch (mutation) {
          case Mutation.Put put -> put.expiry();
          case Mutation.Touch touch -> touch.expiry();
          case Mutation.Delete delete -> Expiry.none();
        };
    if (expiry instanceof Expiry.At) {
      return CompletableFuture.failedFuture(
          KvException.invalid(
              "expiry: keyspace '"
                  + keyspace
                  + "' is conflicts: causal, whose values carry no expiry; write without one, or"
                  + " use a keyspace with conflicts: lww for expiring keys"));
    }
    boolean needsCurrent =
        options.returnPrevious()
            || options.condition() != WriteOptions.Condition.ALWAYS
            || mutation instanceof Mutation.Touch;
    if (!needsCurrent) {
      return causalBlind(keyspace, key, mutation, options, null);
    }
    CompletableFuture<WriteOutcome> serialised =
        stripes.serialise(key, () -> causalReadModifyWrite(keyspace, key, mutation, options));
    return serialised != null ? serialised : stripeFull();
  }

  private CompletableFuture<WriteOutcome> causalBlind(
      String keyspace, byte[] key, Mutation mutation, WriteOptions options, VersionVector context) {
    CausalOperation operation =
        switch (mutation) {
          case Mutation.Put put -> new CausalOperation.Put(context, put.value());
          case Mutation.Delete delete -> new CausalOperation.Delete(context);
          case Mutation.Touch touch -> throw new AssertionError("a touch needs the present value");
        };
    return replication
        .writeCausal(keyspace, stored(keyspace, key), operation, options.consistency())
        .thenApply(applied -> new WriteOutcome(true, null, applied.cell().timestamp()));
  }

  private CompletableFuture<WriteOutcome> causalReadModifyWrite(
      String keyspace, byte[] key, Mutation mutation, WriteOptions options) {
    return replication
        .read(keyspace, stored(keyspace, key), readLevel(options))
        .thenCompose(
            cell -> {
              Versioned current = winner(cell);
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
              if (mutation instanceof Mutation.Touch) {
                // No expiry to keep or remove (one to set was refused): the value stays as it is.
                return CompletableFuture.completedFuture(
                    new WriteOutcome(true, previous, current.timestamp()));
              }
              // The read's whole context, not only the winner's: the write supersedes what it saw.
              VersionVector context = null;
              if (CausalCells.isCausal(cell)) {
                try {
                  if (CausalCells.type(cell) == CausalType.REGISTER) {
                    context = CausalCells.register(cell).context();
                  }
                } catch (CausalFormatException e) {
                  throw damaged(cell, e.getMessage());
                }
              }
              return causalBlind(keyspace, key, mutation, options, context)
                  .thenApply(written -> new WriteOutcome(true, previous, written.timestamp()));
            });
  }

  /** The level of the read before a conditional write: the write's (ONE for a write at ANY). */
  private static ConsistencyLevel readLevel(WriteOptions options) {
    return options.consistency() == ConsistencyLevel.ANY
        ? ConsistencyLevel.ONE
        : options.consistency();
  }

  @Override
  public KeyspaceAdmin keyspaces() {
    return admin;
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
