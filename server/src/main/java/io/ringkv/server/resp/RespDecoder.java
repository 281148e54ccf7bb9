package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Turns bytes into commands: RESP multibulk frames ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and
 * inline lines ({@code GET k\r\n}, split like Redis' {@code sdssplitargs}, see {@link
 * InlineSplitter}). A command is an array of arguments, the command name first.
 *
 * <p>Incremental: {@link #decode} consumes whole parts only (a length line, a whole bulk string
 * with its CRLF, a whole inline line) and remembers where it is inside a multibulk frame, so a
 * command split over many reads is parsed once, not re-parsed from its start on every read, and the
 * result does not depend on where the stream is split.
 *
 * <p>Bounds (LimitsConfig): a bulk string longer than {@code resp_bulk_bytes_max}, a frame with
 * more than {@code resp_arguments_max} arguments and an inline line longer than {@code
 * resp_inline_bytes_max} are protocol errors, as are malformed length lines; each throws {@link
 * RespProtocolException} naming what is wrong and the limit, after which the stream cannot be
 * resynchronised and the caller closes the connection. The argument array grows as bulks arrive
 * rather than being allocated from the announced count, so a header alone cannot make the decoder
 * allocate much.
 *
 * <p>Not thread-safe: one per connection, used from its event loop.
 */
final class RespDecoder {
  /** What {@link #decode} returns for an empty frame ({@code *0}) or a blank inline line. */
  static final byte[][] EMPTY_COMMAND = new byte[0][];

  /** Longest {@code *n} or {@code $n} line accepted: the prefix, a sign, 19 digits and CRLF. */
  static final int LENGTH_LINE_BYTES_MAX = 32;

  /** Arguments allocated up front for a frame, however many its header announces. */
  private static final int INITIAL_ARGUMENTS_CAPACITY = 16;

  private final int bulkBytesMax;
  private final int argumentsMax;
  private final int inlineBytesMax;

  /** The frame being read, or null between commands. */
  private byte[][] arguments;

  private int argumentCount;
  private int argumentIndex;

  /** Length of the bulk string whose header has been read, or -1 when the next part is a header. */
  private int bulkLength = -1;

  RespDecoder(int bulkBytesMax, int argumentsMax, int inlineBytesMax) {
    this.bulkBytesMax = bulkBytesMax;
    this.argumentsMax = argumentsMax;
    this.inlineBytesMax = inlineBytesMax;
  }

  /**
   * Decodes the next command from {@code in}, advancing its reader index past what was consumed.
   *
   * @return the command's arguments; {@link #EMPTY_COMMAND} for an empty command (to be skipped);
   *     null if {@code in} holds no complete command yet (call again with more bytes)
   * @throws RespProtocolException if the stream is not valid RESP or breaks a limit
   */
  byte[][] decode(ByteBuf in) throws RespProtocolException {
    if (arguments == null) {
      if (!in.isReadable()) {
        return null;
      }
      if (in.getByte(in.readerIndex()) != '*') {
        return decodeInline(in);
      }
      long count = readLengthLine(in, "multibulk");
      if (count == INCOMPLETE) {
        return null;
      }
      if (count <= 0) {
        return EMPTY_COMMAND;
      }
      if (count > argumentsMax) {
        throw new RespProtocolException(
            "ERR Protocol error: invalid multibulk length "
                + count
                + ", more than "
                + LimitNames.RESP_ARGUMENTS_MAX
                + " ("
                + argumentsMax
                + ")");
      }
      argumentCount = (int) count;
      argumentIndex = 0;
      arguments = new byte[Math.min(argumentCount, INITIAL_ARGUMENTS_CAPACITY)][];
    }
    while (argumentIndex < argumentCount) {
      if (bulkLength < 0) {
        if (!in.isReadable()) {
          return null;
        }
        byte prefix = in.getByte(in.readerIndex());
        if (prefix != '$') {
          throw new RespProtocolException(
              "ERR Protocol error: expected '$', got '" + printable(prefix) + "'");
        }
        long length = readLengthLine(in, "bulk");
        if (length == INCOMPLETE) {
          return null;
        }
        if (length < 0) {
          throw new RespProtocolException("ERR Protocol error: invalid bulk length");
        }
        if (length > bulkBytesMax) {
          throw new RespProtocolException(
              "ERR Protocol error: invalid bulk length "
                  + length
                  + ", more than "
                  + LimitNames.RESP_BULK_BYTES_MAX
                  + " ("
                  + bulkBytesMax
                  + ")");
        }
        bulkLength = (int) length;
      }
      if (in.readableBytes() < bulkLength + 2) {
        return null;
      }
      byte[] argument = new byte[bulkLength];
      in.readBytes(argument);
      if (in.readByte() != '\r' || in.readByte() != '\n') {
        throw new RespProtocolException(
            "ERR Protocol error: expected CRLF after a bulk string of " + bulkLength + " bytes");
      }
      if (argumentIndex == arguments.length) {
        arguments = Arrays.copyOf(arguments, Math.min(argumentCount, arguments.length * 2));
      }
      arguments[argumentIndex++] = argument;
      bulkLength = -1;
    }
    byte[][] command = arguments;
    arguments = null;
    return command;
  }

  private static final long INCOMPLETE = Long.MIN_VALUE;

  /**
   * Reads a {@code *n} or {@code $n} line at the reader index (whose prefix the caller checked).
   *
   * @return the number, or {@link #INCOMPLETE} if the line's end has not arrived (nothing consumed)
   */
  private static long readLengthLine(ByteBuf in, String what) throws RespProtocolException {
    int start = in.readerIndex();
    int searched = Math.min(in.readableBytes(), LENGTH_LINE_BYTES_MAX);
    int newline = in.forEachByte(start, searched, ByteProcessor.FIND_LF);
    if (newline < 0) {
      if (searched >= LENGTH_LINE_BYTES_MAX) {
        throw new RespProtocolException("ERR Protocol error: invalid " + what + " length");
      }
      return INCOMPLETE;
    }
    int end = newline - 1; // the CR
    if (end <= start || in.getByte(end) != '\r') {
      throw new RespProtocolException(
          "ERR Protocol error: " + what + " length line must end with CRLF");
    }
    long value = parseLength(in, start + 1, end);
    if (value == INCOMPLETE) {
      throw new RespProtocolException("ERR Protocol error: invalid " + what + " length");
    }
    in.readerIndex(newline + 1);
    return value;
  }

  /** Parses a decimal in [from, to) like Redis' string2ll; {@link #INCOMPLETE} if invalid. */
  private static long parseLength(ByteBuf in, int from, int to) {
    if (from >= to) {
      return INCOMPLETE;
    }
    boolean negative = in.getByte(from) == '-';
    int index = negative ? from + 1 : from;
    if (index >= to || to - index > 19) {
      return INCOMPLETE;
    }
    long value = 0;
    for (; index < to; index++) {
      byte digit = in.getByte(index);
      if (digit < '0' || digit > '9') {
        return INCOMPLETE;
      }
      value = value * 10 + (digit - '0');
      if (value < 0) {
        return INCOMPLETE;
      }
    }
    return negative ? -value : value;
  }

  private byte[][] decodeInline(ByteBuf in) throws RespProtocolException {
    int start = in.readerIndex();
    int searched = (int) Math.min(in.readableBytes(), inlineBytesMax + 1L);
    int newline = in.forEachByte(start, searched, ByteProcessor.FIND_LF);
    if (newline < 0) {
      if (in.readableBytes() > inlineBytesMax) {
        throw new RespProtocolException(
            "ERR Protocol error: too big inline request, more than "
                + LimitNames.RESP_INLINE_BYTES_MAX
                + " ("
                + inlineBytesMax
                + " bytes)");
      }
      return null;
    }
    int end = newline > start && in.getByte(newline - 1) == '\r' ? newline - 1 : newline;
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    in.readerIndex(newline + 1);
    byte[][] command = InlineSplitter.split(line);
    if (command == null) {
      throw new RespProtocolException("ERR Protocol error: unbalanced quotes in request");
    }
    if (command.length > argumentsMax) {
      throw new RespProtocolException(
          "ERR Protocol error: too many arguments in inline request, more than "
              + LimitNames.RESP_ARGUMENTS_MAX
              + " ("
              + argumentsMax
              + ")");
    }
    return command;
  }

  private static char printable(byte b) {
    return b >= 0x20 && b < 0x7f ? (char) b : '?';
  }
}
