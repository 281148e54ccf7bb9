package io.ringkv.cluster.version;

import io.ringkv.cluster.metadata.NodeId;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes causal objects: the cell value of a causal key on a replica (a register, a
 * counter or a set) and the causal context a client carries. The layout is in
 * docs/format/causal.md; the constants in {@link CausalFormat}.
 *
 * <p>The encoding is canonical: actors, elements and dots are written in their order and the
 * decoder refuses any other order, so equal objects have equal bytes and replicas that hold equal
 * objects give equal digests ({@link Lww#digest} of the cell). Every object ends in a CRC32C, so
 * damage (on disk, in a frame, or in a context a client sends back) is reported as a {@link
 * CausalFormatException}, never decoded into a wrong clock. Stateless and thread-safe.
 */
public final class CausalCodec {
  private CausalCodec() {}

  // ---- types ----

  /** The type of an encoded object, from its header only (for WRONGTYPE checks before a decode). */
  public static CausalType type(byte[] encoded) throws CausalFormatException {
    if (encoded.length < CausalFormat.HEADER_BYTES + CausalFormat.TRAILER_BYTES) {
      throw new CausalFormatException(
          "causal object: "
              + encoded.length
              + " bytes, shorter than the "
              + (CausalFormat.HEADER_BYTES + CausalFormat.TRAILER_BYTES)
              + " of a header and a checksum");
    }
    if (encoded[0] != CausalFormat.MAGIC) {
      throw new CausalFormatException(
          String.format(
              java.util.Locale.ROOT,
              "causal object: magic 0x%02x at byte 0, expected 0x%02x",
              encoded[0] & 0xFF,
              CausalFormat.MAGIC & 0xFF));
    }
    CausalType type = CausalType.ofCode(encoded[1]);
    if (type == null) {
      throw new CausalFormatException(
          "causal object: type " + (encoded[1] & 0xFF) + " at byte 1 is unknown (1 to 5)");
    }
    int newest = formatVersion(type);
    if (encoded[2] < 1 || encoded[2] > newest) {
      throw new CausalFormatException(
          "causal object: format version "
              + (encoded[2] & 0xFF)
              + " at byte 2, this node reads "
              + (newest == 1 ? "1" : "1 to " + newest)
              + " for a "
              + type.name().toLowerCase(java.util.Locale.ROOT));
    }
    return type;
  }

  /** The format version written for {@code type}, the newest one read. */
  static byte formatVersion(CausalType type) {
    return type == CausalType.COUNTER
        ? CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL
        : CausalFormat.FORMAT_VERSION;
  }

  // ---- registers ----

  public static byte[] encodeRegister(DvvSet clock) {
    Writer out = new Writer(CausalType.REGISTER);
    var entries = clock.entries();
    out.count(entries.size());
    for (Map.Entry<Actor, DvvSet.Entry> entry : entries.entrySet()) {
      out.actor(entry.getKey());
      out.varint(entry.getValue().counter());
      out.count(entry.getValue().values().size());
      for (DvvSet.Version version : entry.getValue().values()) {
        out.fixed64(version.timestamp());
        if (version.value() == null) {
          out.out.write(CausalFormat.FLAG_TOMBSTONE);
        } else {
          out.out.write(0);
          out.bytes(version.value());
        }
      }
    }
    return out.finish();
  }

  public static DvvSet decodeRegister(byte[] encoded) throws CausalFormatException {
    Reader in = new Reader(encoded, CausalType.REGISTER);
    int actors = in.count("actor count", CausalFormat.ACTORS_MAX);
    TreeMap<Actor, DvvSet.Entry> entries = new TreeMap<>();
    Actor previous = null;
    for (int i = 0; i < actors; i++) {
      Actor actor = in.actor(previous);
      previous = actor;
      long counter = in.varint("entry counter of " + actor);
      int valueCount = in.count("value count of " + actor, Integer.MAX_VALUE);
      if (counter < valueCount || counter < 1) {
        throw in.error(
            "entry counter of " + actor,
            counter,
            "at least its value count " + valueCount + " and 1");
      }
      List<DvvSet.Version> values = new ArrayList<>(valueCount);
      for (int v = 0; v < valueCount; v++) {
        long timestamp = in.fixed64("value timestamp");
        int flags = in.u8("value flags");
        if ((flags & ~CausalFormat.FLAGS_KNOWN) != 0) {
          throw in.error("value flags", flags, "only bit 0 (tombstone)");
        }
        byte[] value = (flags & CausalFormat.FLAG_TOMBSTONE) != 0 ? null : in.bytes("value length");
        values.add(new DvvSet.Version(timestamp, value));
      }
      entries.put(actor, new DvvSet.Entry(counter, values));
    }
    in.end();
    return DvvSet.of(entries);
  }

  // ---- contexts ----

  /** The context a client carries: opaque bytes, checked on the way back in. */
  public static byte[] encodeContext(VersionVector context) {
    Writer out = new Writer(CausalType.CONTEXT);
    writeVector(out, context);
    return out.finish();
  }

  public static VersionVector decodeContext(byte[] encoded) throws CausalFormatException {
    Reader in = new Reader(encoded, CausalType.CONTEXT);
    VersionVector vector = readVector(in, new ArrayList<>());
    in.end();
    return vector;
  }

  private static void writeVector(Writer out, VersionVector vector) {
    out.count(vector.counters().size());
    for (Map.Entry<Actor, Long> entry : vector.counters().entrySet()) {
      out.actor(entry.getKey());
      out.varint(entry.getValue());
    }
  }

  private static VersionVector readVector(Reader in, List<Actor> actorsOut)
      throws CausalFormatException {
    int actors = in.count("actor count", CausalFormat.ACTORS_MAX);
    TreeMap<Actor, Long> counters = new TreeMap<>();
    Actor previous = null;
    for (int i = 0; i < actors; i++) {
      Actor actor = in.actor(previous);
      previous = actor;
      long counter = in.varint("counter of " + actor);
      if (counter < 1) {
        throw in.error("counter of " + actor, counter, "at least 1");
      }
      counters.put(actor, counter);
      actorsOut.add(actor);
    }
    return VersionVector.of(counters);
  }

  // ---- counters ----

  /**
   * A counter as version 2, or as version 3 if an entry's decimal net or a keyed increment's
   * decimal delta is not zero: integer counters keep their version 2 bytes.
   */
  public static byte[] encodeCounter(PnCounter counter) {
    boolean decimal = hasDecimals(counter);
    Writer out =
        new Writer(
            CausalType.COUNTER,
            decimal
                ? CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL
                : CausalFormat.COUNTER_FORMAT_VERSION);
    out.count(counter.entries().size());
    for (Map.Entry<Actor, PnCounter.Entry> entry : counter.entries().entrySet()) {
      out.actor(entry.getKey());
      out.varint(entry.getValue().sequence());
      out.varint(zigzag(entry.getValue().net()));
      if (decimal) {
        out.decimal(entry.getValue().decimalNet());
      }
      out.count(entry.getValue().keyed().size());
      for (PnCounter.KeyedIncrement keyed : entry.getValue().keyed()) {
        out.bytes(keyed.idempotencyKey());
        out.varint(zigzag(keyed.delta()));
        if (decimal) {
          out.decimal(keyed.decimalDelta());
        }
      }
    }
    return out.finish();
  }

  private static boolean hasDecimals(PnCounter counter) {
    for (PnCounter.Entry entry : counter.entries().values()) {
      if (entry.decimalNet().signum() != 0) {
        return true;
      }
      for (PnCounter.KeyedIncrement keyed : entry.keyed()) {
        if (keyed.decimalDelta().signum() != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The most idempotency keys an entry of counter format version 1 held. */
  static final int KEYS_ONLY_WINDOW = 64;

  public static PnCounter decodeCounter(byte[] encoded) throws CausalFormatException {
    Reader in = new Reader(encoded, CausalType.COUNTER);
    int actors = in.count("actor count", CausalFormat.ACTORS_MAX);
    TreeMap<Actor, PnCounter.Entry> entries = new TreeMap<>();
    Actor previous = null;
    for (int i = 0; i < actors; i++) {
      Actor actor = in.actor(previous);
      previous = actor;
      long sequence = in.varint("sequence of " + actor);
      if (sequence < 1) {
        throw in.error("sequence of " + actor, sequence, "at least 1");
      }
      long net = unzigzag(in.varint("net of " + actor));
      boolean decimal = in.version() == CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL;
      BigDecimal decimalNet = decimal ? in.decimal("decimal net of " + actor) : BigDecimal.ZERO;
      boolean keysOnly = in.version() == CausalFormat.COUNTER_FORMAT_VERSION_KEYS_ONLY;
      int keyedCount =
          keysOnly
              ? in.count("idempotency key count of " + actor, KEYS_ONLY_WINDOW)
              : in.count("keyed increment count of " + actor, Integer.MAX_VALUE);
      if (keyedCount > sequence) {
        throw in.error(
            "keyed increment count of " + actor, keyedCount, "at most its sequence " + sequence);
      }
      List<PnCounter.KeyedIncrement> keyed = new ArrayList<>(keyedCount);
      for (int k = 0; k < keyedCount; k++) {
        byte[] key = in.bytes("idempotency key length");
        if (key.length == 0 || key.length > PnCounter.IDEMPOTENCY_KEY_BYTES_MAX) {
          throw in.error(
              "idempotency key length", key.length, "1 to " + PnCounter.IDEMPOTENCY_KEY_BYTES_MAX);
        }
        // Version 1 kept no delta: its keys still stop a retry, and count as version 1 counted.
        long delta = keysOnly ? 0 : unzigzag(in.varint("keyed increment delta of " + actor));
        BigDecimal decimalDelta =
            decimal ? in.decimal("keyed increment decimal delta of " + actor) : BigDecimal.ZERO;
        keyed.add(new PnCounter.KeyedIncrement(key, delta, decimalDelta));
      }
      entries.put(actor, new PnCounter.Entry(sequence, net, keyed, decimalNet));
    }
    in.end();
    PnCounter counter = PnCounter.of(entries);
    if (in.version() == CausalFormat.COUNTER_FORMAT_VERSION_DECIMAL && !hasDecimals(counter)) {
      // Not canonical: the same counter is written as version 2.
      throw in.error("format version", in.version(), "2 for a counter without decimals");
    }
    return counter;
  }

  // ---- sets ----

  public static byte[] encodeSet(OrSet set) {
    Writer out = new Writer(CausalType.SET);
    writeVector(out, set.context());
    List<Actor> actors = new ArrayList<>(set.context().counters().keySet());
    List<Map.Entry<byte[], NavigableSet<Dot>>> elements = set.dots();
    out.count(elements.size());
    for (Map.Entry<byte[], NavigableSet<Dot>> element : elements) {
      out.bytes(element.getKey());
      out.count(element.getValue().size());
      for (Dot dot : element.getValue()) {
        out.varint(actors.indexOf(dot.actor()));
        out.varint(dot.counter());
      }
    }
    return out.finish();
  }

  public static OrSet decodeSet(byte[] encoded) throws CausalFormatException {
    Reader in = new Reader(encoded, CausalType.SET);
    List<Actor> actors = new ArrayList<>();
    VersionVector context = readVector(in, actors);
    int elementCount = in.count("element count", Integer.MAX_VALUE);
    Map<byte[], List<Dot>> elements = new LinkedHashMap<>();
    byte[] previous = null;
    for (int e = 0; e < elementCount; e++) {
      byte[] element = in.bytes("element length");
      if (previous != null && Arrays.compareUnsigned(previous, element) >= 0) {
        throw in.error("element order", e, "elements in strictly increasing byte order");
      }
      previous = element;
      int dotCount = in.count("dot count", actors.size());
      if (dotCount < 1) {
        throw in.error("dot count", dotCount, "at least 1");
      }
      List<Dot> dots = new ArrayList<>(dotCount);
      Dot previousDot = null;
      for (int d = 0; d < dotCount; d++) {
        long actorIndex = in.varint("dot actor index");
        if (actorIndex >= actors.size()) {
          throw in.error("dot actor index", actorIndex, "below the actor count " + actors.size());
        }
        Actor actor = actors.get((int) actorIndex);
        long counter = in.varint("dot counter");
        if (counter < 1 || counter > context.get(actor)) {
          throw in.error("dot counter of " + actor, counter, "1 to " + context.get(actor));
        }
        Dot dot = new Dot(actor, counter);
        if (previousDot != null && previousDot.compareTo(dot) >= 0) {
          throw in.error("dot order", dot.toString(), "dots in strictly increasing order");
        }
        previousDot = dot;
        dots.add(dot);
      }
      elements.put(element, dots);
    }
    in.end();
    return OrSet.of(context, elements);
  }

  // ---- operations ----

  /** A causal operation as the coordinator sends it to the dot replica. */
  public static byte[] encodeOperation(CausalOperation operation) {
    Writer out = new Writer(CausalType.OPERATION);
    switch (operation) {
      case CausalOperation.Put put -> {
        out.out.write(CausalFormat.OPERATION_PUT);
        writeOptionalVector(out, put.context());
        out.bytes(put.value());
      }
      case CausalOperation.Delete delete -> {
        out.out.write(CausalFormat.OPERATION_DELETE);
        writeOptionalVector(out, delete.context());
      }
      case CausalOperation.Increment increment -> {
        out.out.write(CausalFormat.OPERATION_INCREMENT);
        out.varint(zigzag(increment.delta()));
        out.out.write(increment.idempotencyKey() == null ? 0 : 1);
        if (increment.idempotencyKey() != null) {
          out.bytes(increment.idempotencyKey());
        }
      }
      case CausalOperation.IncrementDecimal increment -> {
        out.out.write(CausalFormat.OPERATION_INCREMENT_DECIMAL);
        out.decimal(increment.delta());
        out.out.write(increment.idempotencyKey() == null ? 0 : 1);
        if (increment.idempotencyKey() != null) {
          out.bytes(increment.idempotencyKey());
        }
      }
      case CausalOperation.SetAdd add -> {
        out.out.write(CausalFormat.OPERATION_SET_ADD);
        out.count(add.elements().size());
        add.elements().forEach(out::bytes);
      }
      case CausalOperation.SetRemove remove -> {
        out.out.write(CausalFormat.OPERATION_SET_REMOVE);
        out.count(remove.elements().size());
        remove.elements().forEach(out::bytes);
        writeOptionalVector(out, remove.observed());
      }
    }
    return out.finish();
  }

  public static CausalOperation decodeOperation(byte[] encoded) throws CausalFormatException {
    Reader in = new Reader(encoded, CausalType.OPERATION);
    int kind = in.u8("operation kind");
    CausalOperation operation =
        switch (kind) {
          case CausalFormat.OPERATION_PUT -> {
            VersionVector context = readOptionalVector(in);
            yield new CausalOperation.Put(context, in.bytes("value length"));
          }
          case CausalFormat.OPERATION_DELETE -> new CausalOperation.Delete(readOptionalVector(in));
          case CausalFormat.OPERATION_INCREMENT -> {
            long delta = unzigzag(in.varint("delta"));
            yield new CausalOperation.Increment(delta, readOptionalKey(in));
          }
          case CausalFormat.OPERATION_INCREMENT_DECIMAL -> {
            BigDecimal delta = in.decimal("decimal delta");
            yield new CausalOperation.IncrementDecimal(delta, readOptionalKey(in));
          }
          case CausalFormat.OPERATION_SET_ADD -> new CausalOperation.SetAdd(readElements(in));
          case CausalFormat.OPERATION_SET_REMOVE -> {
            List<byte[]> elements = readElements(in);
            yield new CausalOperation.SetRemove(elements, readOptionalVector(in));
          }
          default -> throw in.error("operation kind", kind, "1 to 6");
        };
    in.end();
    return operation;
  }

  private static byte[] readOptionalKey(Reader in) throws CausalFormatException {
    if (!in.flag("has idempotency key")) {
      return null;
    }
    byte[] key = in.bytes("idempotency key length");
    if (key.length == 0 || key.length > PnCounter.IDEMPOTENCY_KEY_BYTES_MAX) {
      throw in.error(
          "idempotency key length", key.length, "1 to " + PnCounter.IDEMPOTENCY_KEY_BYTES_MAX);
    }
    return key;
  }

  private static void writeOptionalVector(Writer out, VersionVector vector) {
    out.out.write(vector == null ? 0 : 1);
    if (vector != null) {
      writeVector(out, vector);
    }
  }

  private static VersionVector readOptionalVector(Reader in) throws CausalFormatException {
    return in.flag("has context") ? readVector(in, new ArrayList<>()) : null;
  }

  private static List<byte[]> readElements(Reader in) throws CausalFormatException {
    int count = in.count("element count", Integer.MAX_VALUE);
    if (count < 1) {
      throw in.error("element count", count, "at least 1");
    }
    List<byte[]> elements = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      elements.add(in.bytes("element length"));
    }
    return elements;
  }

  // ---- primitives ----

  private static long zigzag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unzigzag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  private static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    Writer(CausalType type) {
      this(
          type,
          type == CausalType.COUNTER ? CausalFormat.COUNTER_FORMAT_VERSION : formatVersion(type));
    }

    Writer(CausalType type, byte version) {
      out.write(CausalFormat.MAGIC);
      out.write(type.code());
      out.write(version);
    }

    /** A canonical decimal: its scale, then its unscaled value, two's complement, minimal. */
    void decimal(BigDecimal value) {
      out.write(value.scale());
      bytes(value.signum() == 0 ? new byte[0] : value.unscaledValue().toByteArray());
    }

    void varint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) (value & 0x7F) | 0x80);
        value >>>= 7;
      }
      out.write((int) value);
    }

    void count(int count) {
      varint(count);
    }

    void fixed64(long value) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (value >>> shift));
      }
    }

    void bytes(byte[] bytes) {
      varint(bytes.length);
      out.writeBytes(bytes);
    }

    void actor(Actor actor) {
      byte[] node = actor.node().value().getBytes(StandardCharsets.UTF_8);
      out.write(node.length);
      out.writeBytes(node);
      varint(actor.incarnation());
    }

    byte[] finish() {
      CRC32C crc = new CRC32C();
      byte[] body = out.toByteArray();
      crc.update(body, 0, body.length);
      long value = crc.getValue();
      byte[] all = Arrays.copyOf(body, body.length + CausalFormat.TRAILER_BYTES);
      for (int i = 0; i < 4; i++) {
        all[body.length + i] = (byte) (value >>> (24 - 8 * i));
      }
      return all;
    }
  }

  private static final class Reader {
    private final byte[] data;
    private final int end;
    private final String what;
    private final int version;
    private int position;

    Reader(byte[] data, CausalType expected) throws CausalFormatException {
      CausalType type = type(data);
      this.what = "causal " + expected.name().toLowerCase(java.util.Locale.ROOT);
      if (type != expected) {
        throw new CausalFormatException(
            what + ": the object is a " + type.name().toLowerCase(java.util.Locale.ROOT));
      }
      this.data = data;
      this.end = data.length - CausalFormat.TRAILER_BYTES;
      CRC32C crc = new CRC32C();
      crc.update(data, 0, end);
      long stored = 0;
      for (int i = 0; i < 4; i++) {
        stored = stored << 8 | (data[end + i] & 0xFF);
      }
      if (stored != crc.getValue()) {
        throw new CausalFormatException(
            String.format(
                java.util.Locale.ROOT,
                "%s: checksum 0x%08x in the last 4 bytes, computed 0x%08x: the object is damaged",
                what,
                stored,
                crc.getValue()));
      }
      this.version = data[2];
      this.position = CausalFormat.HEADER_BYTES;
    }

    /** The object's format version (checked by {@link CausalCodec#type}). */
    int version() {
      return version;
    }

    CausalFormatException error(String field, Object value, String expected) {
      return new CausalFormatException(
          what + ": " + field + " " + value + " near byte " + position + ", expected " + expected);
    }

    private void need(String field, long bytes) throws CausalFormatException {
      if (bytes > end - position) {
        throw new CausalFormatException(
            what
                + ": "
                + field
                + " needs "
                + bytes
                + " bytes at byte "
                + position
                + ", only "
                + (end - position)
                + " left: the object is cut short");
      }
    }

    int u8(String field) throws CausalFormatException {
      need(field, 1);
      return data[position++] & 0xFF;
    }

    boolean flag(String field) throws CausalFormatException {
      int value = u8(field);
      if (value > 1) {
        throw error(field, value, "0 or 1");
      }
      return value == 1;
    }

    long varint(String field) throws CausalFormatException {
      long value = 0;
      for (int i = 0; i < CausalFormat.VARINT_BYTES_MAX; i++) {
        int b = u8(field);
        if (i == CausalFormat.VARINT_BYTES_MAX - 1 && (b & 0xFE) != 0) {
          throw error(field, "(a varint over 64 bits)", "at most 64 bits");
        }
        value |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw error(field, "(a varint over 10 bytes)", "at most 10 bytes");
    }

    /**
     * A count of items, each at least one byte: never more than the bytes left, nor {@code max}.
     */
    int count(String field, int max) throws CausalFormatException {
      long count = varint(field);
      if (count > max || count > end - position) {
        throw error(
            field, count, "at most " + Math.min(max, end - position) + " (limit or bytes left)");
      }
      return (int) count;
    }

    long fixed64(String field) throws CausalFormatException {
      need(field, 8);
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = value << 8 | (data[position++] & 0xFF);
      }
      return value;
    }

    byte[] bytes(String field) throws CausalFormatException {
      long length = varint(field);
      need(field + " " + length, length);
      byte[] bytes = Arrays.copyOfRange(data, position, position + (int) length);
      position += (int) length;
      return bytes;
    }

    /**
     * A decimal as {@link Writer#decimal} writes it, refused unless canonical (zero has scale 0 and
     * no bytes; a fraction ends in a non-zero digit; the unscaled bytes are minimal) and within
     * {@link PnCounter#DECIMAL_SCALE_MAX} and {@link PnCounter#DECIMAL_INTEGER_DIGITS_MAX}.
     */
    BigDecimal decimal(String field) throws CausalFormatException {
      int scale = u8(field + " scale");
      if (scale > PnCounter.DECIMAL_SCALE_MAX) {
        throw error(field + " scale", scale, "0 to " + PnCounter.DECIMAL_SCALE_MAX);
      }
      long length = varint(field + " length");
      if (length > CausalFormat.DECIMAL_UNSCALED_BYTES_MAX) {
        throw error(field + " length", length, "0 to " + CausalFormat.DECIMAL_UNSCALED_BYTES_MAX);
      }
      need(field, length);
      byte[] unscaledBytes = Arrays.copyOfRange(data, position, position + (int) length);
      if (length == 0) {
        if (scale != 0) {
          throw error(field + " scale", scale, "0 for a zero");
        }
        return BigDecimal.ZERO;
      }
      BigInteger unscaled = new BigInteger(unscaledBytes);
      if (unscaled.toByteArray().length != length || unscaled.signum() == 0) {
        throw error(field + " length", length, "the minimal two's complement length");
      }
      BigDecimal value = new BigDecimal(unscaled, scale);
      BigDecimal canonical;
      try {
        canonical = PnCounter.checkDecimal(field, value);
      } catch (IllegalArgumentException e) {
        throw error(
            field, value.toPlainString(), "a decimal within bounds (" + e.getMessage() + ")");
      }
      if (canonical.scale() != scale) {
        throw error(field, value.toPlainString(), "no trailing zeros after the point");
      }
      position += (int) length;
      return canonical;
    }

    Actor actor(Actor previous) throws CausalFormatException {
      int length = u8("node id length");
      if (length < 1 || length > CausalFormat.NODE_ID_BYTES_MAX) {
        throw error("node id length", length, "1 to " + CausalFormat.NODE_ID_BYTES_MAX);
      }
      need("node id", length);
      String node = new String(data, position, length, StandardCharsets.UTF_8);
      position += length;
      long incarnation = varint("incarnation of " + node);
      Actor actor;
      try {
        actor = new Actor(NodeId.of(node), incarnation);
      } catch (IllegalArgumentException e) {
        throw error(
            "actor",
            node + "#" + incarnation,
            "a valid node id and incarnation (" + e.getMessage() + ")");
      }
      if (previous != null && previous.compareTo(actor) >= 0) {
        throw error("actor order", actor, "actors in strictly increasing order after " + previous);
      }
      return actor;
    }

    void end() throws CausalFormatException {
      if (position != end) {
        throw new CausalFormatException(
            what
                + ": "
                + (end - position)
                + " bytes left over at byte "
                + position
                + ", expected none");
      }
    }
  }
}
