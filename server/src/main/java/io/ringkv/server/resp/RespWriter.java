package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Encodes replies into a buffer in the connection's protocol version: RESP2, or RESP3 after {@code
 * HELLO 3}. Where RESP3 has a richer type Redis uses it and so does this writer: null ({@code _}),
 * maps ({@code %}, sent as flat arrays in RESP2), sets ({@code ~}, arrays in RESP2), verbatim
 * strings ({@code =}, bulk strings in RESP2). Integers and lengths are written as ASCII digits
 * without allocating; common replies are pre-encoded.
 *
 * <p>Error lines never contain CR or LF (they are replaced by spaces, as Redis does), and are
 * written as ISO-8859-1 so that argument bytes quoted in a message come back unchanged.
 *
 * <p>Not thread-safe: one per connection, used from its event loop. The target buffer is set by the
 * connection before each use ({@link #target}).
 */
final class RespWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_BULK_RESP2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_ARRAY_RESP2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_RESP3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);

  private final ServerCounters counters;
  private final byte[] digits = new byte[20];
  private ByteBuf target;
  private int protocol = 2;
  private boolean errorWritten;

  /** Keys found and not found by the replies written, not yet added to the counters. */
  private long keyspaceHitsUncounted;

  private long keyspaceMissesUncounted;

  RespWriter(ServerCounters counters) {
    this.counters = counters;
  }

  /** Sets the buffer the next replies go to. */
  RespWriter target(ByteBuf buffer) {
    this.target = buffer;
    return this;
  }

  int protocol() {
    return protocol;
  }

  void protocol(int version) {
    this.protocol = version;
  }

  boolean resp3() {
    return protocol == 3;
  }

  /** Whether an error was written since the last {@link #resetErrorFlag}. */
  boolean errorWritten() {
    return errorWritten;
  }

  void resetErrorFlag() {
    errorWritten = false;
  }

  /** Counts a key a reply found or did not find (INFO keyspace_hits and keyspace_misses). */
  void countLookup(boolean hit) {
    if (hit) {
      keyspaceHitsUncounted++;
    } else {
      keyspaceMissesUncounted++;
    }
  }

  /** Adds the lookups counted since the last call to the counters; see RespConnection. */
  void publishCounters() {
    if (keyspaceHitsUncounted != 0) {
      counters.keyspaceHits(keyspaceHitsUncounted);
      keyspaceHitsUncounted = 0;
    }
    if (keyspaceMissesUncounted != 0) {
      counters.keyspaceMisses(keyspaceMissesUncounted);
      keyspaceMissesUncounted = 0;
    }
  }

  void ok() {
    target.writeBytes(OK);
  }

  /** A simple string ({@code +text}); {@code text} must not contain CR or LF. */
  void simple(String text) {
    target.writeByte('+');
    target.writeCharSequence(text, StandardCharsets.UTF_8);
    target.writeBytes(CRLF);
  }

  /** An error reply; {@code line} starts with its code, e.g. {@code ERR syntax error}. */
  void error(String line) {
    errorWritten = true;
    counters.errorReply();
    target.writeByte('-');
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      target.writeByte(c == '\r' || c == '\n' ? ' ' : c > 0xff ? '?' : c);
    }
    target.writeBytes(CRLF);
  }

  void integer(long value) {
    if (value == 0) {
      target.writeBytes(ZERO);
    } else if (value == 1) {
      target.writeBytes(ONE);
    } else {
      target.writeByte(':');
      writeDecimal(value);
      target.writeBytes(CRLF);
    }
  }

  void bulk(byte[] value) {
    target.writeByte('$');
    writeDecimal(value.length);
    target.writeBytes(CRLF);
    target.writeBytes(value);
    target.writeBytes(CRLF);
  }

  void bulk(String value) {
    bulk(value.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code value} as a bulk string, or null if it is null. */
  void bulkOrNull(byte[] value) {
    if (value == null) {
      nullValue();
    } else {
      bulk(value);
    }
  }

  /** A null (RESP3 {@code _}; RESP2's null bulk string {@code $-1}). */
  void nullValue() {
    target.writeBytes(resp3() ? NULL_RESP3 : NULL_BULK_RESP2);
  }

  /** A null array (RESP3 {@code _}; RESP2 {@code *-1}). */
  void nullArray() {
    target.writeBytes(resp3() ? NULL_RESP3 : NULL_ARRAY_RESP2);
  }

  void arrayHeader(int count) {
    if (count == 0) {
      target.writeBytes(EMPTY_ARRAY);
      return;
    }
    header('*', count);
  }

  /** A map of {@code entries} key-value pairs (RESP2: an array of twice as many elements). */
  void mapHeader(int entries) {
    if (resp3()) {
      header('%', entries);
    } else {
      arrayHeader(entries * 2);
    }
  }

  /** A set of {@code count} elements (RESP2: an array). */
  void setHeader(int count) {
    if (resp3()) {
      header('~', count);
    } else {
      arrayHeader(count);
    }
  }

  /** Text meant for people, e.g. INFO (RESP3 verbatim string of format {@code txt}). */
  void verbatim(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (!resp3()) {
      bulk(bytes);
      return;
    }
    target.writeByte('=');
    writeDecimal(bytes.length + 4L);
    target.writeBytes(CRLF);
    target.writeCharSequence("txt:", StandardCharsets.US_ASCII);
    target.writeBytes(bytes);
    target.writeBytes(CRLF);
  }

  private void header(char type, int count) {
    target.writeByte(type);
    writeDecimal(count);
    target.writeBytes(CRLF);
  }

  /** Writes {@code value} as ASCII decimal without allocating. */
  private void writeDecimal(long value) {
    if (value >= 0 && value < 10) {
      target.writeByte('0' + (int) value);
      return;
    }
    if (value == Long.MIN_VALUE) {
      target.writeCharSequence(Long.toString(value), StandardCharsets.US_ASCII);
      return;
    }
    boolean negative = value < 0;
    long remaining = negative ? -value : value;
    int position = digits.length;
    while (remaining > 0) {
      digits[--position] = (byte) ('0' + remaining % 10);
      remaining /= 10;
    }
    if (negative) {
      target.writeByte('-');
    }
    target.writeBytes(digits, position, digits.length - position);
  }
}
