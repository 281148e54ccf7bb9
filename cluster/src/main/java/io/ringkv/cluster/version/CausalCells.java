package io.ringkv.cluster.version;

import io.ringkv.storage.Cell;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Causal objects as storage {@link Cell}s, and the two things a replica does with them: apply a
 * causal operation at the dot replica ({@link #apply}), and merge two cells of a key anywhere
 * ({@link #merge}: replicas, read repair, hints, reads).
 *
 * <p>A causal cell holds an encoded object ({@link CausalCodec}) as its value, the one-byte version
 * blob {@link #MARKER} (an LWW cell's is empty), no expiry, and as timestamp the highest HLC of the
 * object's writes. Because the cell says what it is, reads and repairs need no mode flag.
 *
 * <p>The merge is a join over all cells, LWW and causal: cells are ranked (LWW 0, then the causal
 * type code: register 1, counter 2, set 3); the higher rank wins outright, equal ranks join (LWW by
 * {@link Lww#winner}, causal objects by their own join). That ordinal sum of semilattices is still
 * commutative, associative and idempotent. The only loss it accepts: two concurrent first writes of
 * a key with different types (say INCR and SADD through two dot replicas) keep the higher type's
 * object (docs/design/causal.md).
 *
 * <p>Stateless and thread-safe; pure.
 */
public final class CausalCells {
  private CausalCells() {}

  /** The version blob of every causal cell. */
  private static final byte[] MARKER_BYTES = {CausalFormat.MAGIC};

  /** The version blob of a causal cell (a copy). */
  public static byte[] marker() {
    return MARKER_BYTES.clone();
  }

  /** Why a causal operation was refused. */
  public enum Refusal {
    /** The key holds an object of another type (Redis' WRONGTYPE). */
    WRONGTYPE,
    /** The write would leave more siblings than the cap. */
    TOO_MANY_SIBLINGS,
    /**
     * The counter would leave its range (a long, or the decimal digit bound), or an integer
     * increment met a value with a fraction; the message starts with Redis' wording.
     */
    OVERFLOW,
    /** The key holds a last-write-wins value (the keyspace changed mode, or a non-causal write). */
    NOT_CAUSAL,
    /** The stored object cannot be decoded. */
    DAMAGED,
    /** The object would grow past its byte bound. */
    TOO_LARGE
  }

  /**
   * The default bound on a causal object's encoded bytes: the largest value a node accepts, so that
   * a causal cell fits wherever a value does (frames, hint segments). An update that would pass it
   * is refused ({@link Refusal#TOO_LARGE}).
   */
  public static final int OBJECT_BYTES_MAX_DEFAULT = 1 << 20;

  /** What {@link #apply} did. */
  public sealed interface Result {
    /**
     * The operation was taken.
     *
     * @param cell the key's new cell (equal to the stored one if nothing changed)
     * @param changed whether the cell must be stored
     * @param dot the dot given to a register write, if one was
     * @param duplicate an increment whose idempotency key was seen: not applied again
     */
    record Applied(Cell cell, boolean changed, Optional<Dot> dot, boolean duplicate)
        implements Result {}

    /**
     * Refused; nothing changed.
     *
     * @param message for the client: names the key's type, the cap, or the overflow
     */
    record Refused(Refusal reason, String message) implements Result {}
  }

  /** True if {@code cell} holds a causal object. */
  public static boolean isCausal(Cell cell) {
    return cell != null && !cell.isTombstone() && Arrays.equals(cell.version(), MARKER_BYTES);
  }

  /** The cell of register {@code clock}. */
  public static Cell registerCell(DvvSet clock) {
    return causalCell(CausalCodec.encodeRegister(clock), clock.maxTimestamp());
  }

  /** The cell of {@code counter}, last written at {@code timestamp}. */
  public static Cell counterCell(PnCounter counter, long timestamp) {
    return causalCell(CausalCodec.encodeCounter(counter), timestamp);
  }

  /** The cell of {@code set}, last written at {@code timestamp}. */
  public static Cell setCell(OrSet set, long timestamp) {
    return causalCell(CausalCodec.encodeSet(set), timestamp);
  }

  private static Cell causalCell(byte[] encoded, long timestamp) {
    return Cell.value(encoded, timestamp).withVersion(marker());
  }

  /** The type of a causal cell's object. */
  public static CausalType type(Cell cell) throws CausalFormatException {
    return decode(cell, CausalCodec::type);
  }

  public static DvvSet register(Cell cell) throws CausalFormatException {
    return decode(cell, CausalCodec::decodeRegister);
  }

  public static PnCounter counter(Cell cell) throws CausalFormatException {
    return decode(cell, CausalCodec::decodeCounter);
  }

  public static OrSet set(Cell cell) throws CausalFormatException {
    return decode(cell, CausalCodec::decodeSet);
  }

  /** One of {@link CausalCodec}'s decoders of an object's bytes. */
  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] encoded) throws CausalFormatException;
  }

  /** What {@code decoder} makes of {@code cell}'s value, once the cell is known to be causal. */
  private static <T> T decode(Cell cell, Decoder<T> decoder) throws CausalFormatException {
    if (!isCausal(cell)) {
      throw new CausalFormatException("not a causal cell: " + cell);
    }
    return decoder.decode(cell.value());
  }

  /**
   * Applies {@code operation} to the key's stored cell ({@code stored}, null if none) as {@code
   * actor} at {@code timestamp}: the dot replica's step. An LWW tombstone stored counts as no cell;
   * an LWW value is refused ({@link Refusal#NOT_CAUSAL}).
   */
  public static Result apply(
      Cell stored, CausalOperation operation, Actor actor, long timestamp, int siblingsMax) {
    return apply(stored, operation, actor, timestamp, siblingsMax, OBJECT_BYTES_MAX_DEFAULT);
  }

  /**
   * {@link #apply(Cell, CausalOperation, Actor, long, int)}, refusing ({@link Refusal#TOO_LARGE})
   * an update whose object would pass {@code objectBytesMax} encoded bytes.
   */
  public static Result apply(
      Cell stored,
      CausalOperation operation,
      Actor actor,
      long timestamp,
      int siblingsMax,
      int objectBytesMax) {
    Result result = applyUnbounded(stored, operation, actor, timestamp, siblingsMax);
    if (result instanceof Result.Applied applied
        && applied.changed()
        && applied.cell().value().length > objectBytesMax) {
      return new Result.Refused(
          Refusal.TOO_LARGE,
          "the key's causal object would be "
              + applied.cell().value().length
              + " bytes, above the limit of "
              + objectBytesMax
              + "; resolve its siblings (write with the context of a read) or use another key");
    }
    return result;
  }

  private static Result applyUnbounded(
      Cell stored, CausalOperation operation, Actor actor, long timestamp, int siblingsMax) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(actor, "actor");
    if (stored != null && !isCausal(stored)) {
      if (!stored.isTombstone()) {
        return new Result.Refused(
            Refusal.NOT_CAUSAL,
            "the key holds a last-write-wins value; causal writes need a causal keyspace");
      }
      stored = null;
    }
    try {
      if (stored != null) {
        CausalType type = CausalCodec.type(stored.value());
        if (type != operation.type()) {
          return new Result.Refused(
              Refusal.WRONGTYPE,
              "WRONGTYPE Operation against a key holding the wrong kind of value (the key is a "
                  + type.name().toLowerCase(java.util.Locale.ROOT)
                  + ", the command needs a "
                  + operation.type().name().toLowerCase(java.util.Locale.ROOT)
                  + ")");
        }
      }
      long cellTimestamp = stored == null ? timestamp : Math.max(timestamp, stored.timestamp());
      return switch (operation) {
        case CausalOperation.Put put ->
            applyRegister(stored, put.context(), put.value(), actor, timestamp, siblingsMax);
        case CausalOperation.Delete delete ->
            applyRegister(stored, delete.context(), null, actor, timestamp, siblingsMax);
        case CausalOperation.Increment increment -> {
          PnCounter counter = stored == null ? PnCounter.empty() : counter(stored);
          yield switch (counter.increment(actor, increment.delta(), increment.idempotencyKey())) {
            case PnCounter.Increment.Applied applied ->
                new Result.Applied(
                    counterCell(applied.counter(), cellTimestamp), true, Optional.empty(), false);
            case PnCounter.Increment.Duplicate duplicate ->
                new Result.Applied(
                    stored == null ? counterCell(counter, cellTimestamp) : stored,
                    false,
                    Optional.empty(),
                    true);
            case PnCounter.Increment.Overflow overflow ->
                new Result.Refused(Refusal.OVERFLOW, overflow.message());
          };
        }
        case CausalOperation.IncrementDecimal increment -> {
          PnCounter counter = stored == null ? PnCounter.empty() : counter(stored);
          yield switch (counter.incrementDecimal(
              actor, increment.delta(), increment.idempotencyKey())) {
            case PnCounter.Increment.Applied applied ->
                new Result.Applied(
                    counterCell(applied.counter(), cellTimestamp), true, Optional.empty(), false);
            case PnCounter.Increment.Duplicate duplicate ->
                new Result.Applied(
                    stored == null ? counterCell(counter, cellTimestamp) : stored,
                    false,
                    Optional.empty(),
                    true);
            case PnCounter.Increment.Overflow overflow ->
                new Result.Refused(Refusal.OVERFLOW, overflow.message());
          };
        }
        case CausalOperation.SetAdd add -> {
          OrSet set = stored == null ? OrSet.empty() : set(stored);
          for (byte[] element : add.elements()) {
            set = set.add(actor, element);
          }
          yield new Result.Applied(setCell(set, cellTimestamp), true, Optional.empty(), false);
        }
        case CausalOperation.SetRemove remove -> {
          OrSet before = stored == null ? OrSet.empty() : set(stored);
          OrSet set = before;
          for (byte[] element : remove.elements()) {
            set =
                remove.observed() == null
                    ? set.remove(element)
                    : set.remove(element, remove.observed());
          }
          boolean changed = !set.equals(before);
          yield new Result.Applied(
              changed || stored == null ? setCell(set, cellTimestamp) : stored,
              changed,
              Optional.empty(),
              false);
        }
      };
    } catch (CausalFormatException e) {
      return new Result.Refused(
          Refusal.DAMAGED, "the stored causal object is damaged: " + e.getMessage());
    }
  }

  private static Result applyRegister(
      Cell stored,
      VersionVector context,
      byte[] value,
      Actor actor,
      long timestamp,
      int siblingsMax)
      throws CausalFormatException {
    DvvSet clock = stored == null ? DvvSet.empty() : register(stored);
    return switch (clock.tryUpdate(context, actor, timestamp, value, siblingsMax)) {
      case DvvSet.UpdateResult.Updated updated -> {
        Cell cell = registerCell(updated.clock());
        boolean changed = stored == null || !cell.equals(stored);
        yield new Result.Applied(changed ? cell : stored, changed, updated.dot(), false);
      }
      case DvvSet.UpdateResult.TooManySiblings refused ->
          new Result.Refused(Refusal.TOO_MANY_SIBLINGS, refused.message());
    };
  }

  /**
   * The join of two cells of one key (either may be null): see the class comment. Returns one of
   * the arguments when the join equals it, so callers can tell "nothing new" by identity.
   *
   * @throws IllegalArgumentException if a causal cell cannot be decoded (its CRC failed: storage
   *     and frames have their own checks, so this is damage that got past them)
   */
  public static Cell merge(Cell a, Cell b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    boolean causalA = isCausal(a);
    boolean causalB = isCausal(b);
    if (!causalA && !causalB) {
      return Lww.winner(a, b);
    }
    if (causalA && causalB && Arrays.equals(a.value(), b.value())) {
      // The same object (a redelivery, a replica already up to date): no decode. Only counters and
      // sets keep a timestamp apart from their object; the join's is the greater.
      return a.timestamp() >= b.timestamp() ? a : b;
    }
    try {
      int rankA = causalA ? CausalCodec.type(a.value()).code() : 0;
      int rankB = causalB ? CausalCodec.type(b.value()).code() : 0;
      if (rankA != rankB) {
        return rankA > rankB ? a : b;
      }
      long timestamp = Math.max(a.timestamp(), b.timestamp());
      Cell joined =
          switch (CausalCodec.type(a.value())) {
            case REGISTER -> registerCell(register(a).sync(register(b)));
            case COUNTER -> counterCell(counter(a).merge(counter(b)), timestamp);
            case SET -> setCell(set(a).merge(set(b)), timestamp);
            case CONTEXT, OPERATION ->
                throw new CausalFormatException("a context or an operation is not a cell value");
          };
      if (joined.equals(a)) {
        return a;
      }
      return joined.equals(b) ? b : joined;
    } catch (CausalFormatException e) {
      throw new IllegalArgumentException("cannot merge causal cells: " + e.getMessage(), e);
    }
  }
}
