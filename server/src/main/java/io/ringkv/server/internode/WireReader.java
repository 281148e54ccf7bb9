package io.ringkv.server.internode;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one frame defensively: every read checks that the bytes are there, every
 * count and length is checked against its bound before anything is allocated, and every failure is
 * a {@link DecoderException} naming the frame type, the field, the value and the limit. Not
 * thread-safe: one per frame decoded.
 */
final class WireReader {
  private final ByteBuf buffer;
  private final String frameName;

  WireReader(ByteBuf buffer, String frameName) {
    this.buffer = buffer;
    this.frameName = frameName;
  }

  int uint8(String field) {
    need(1, field);
    return buffer.readUnsignedByte();
  }

  int uint16(String field) {
    need(2, field);
    return buffer.readUnsignedShort();
  }

  int int32(String field) {
    need(4, field);
    return buffer.readInt();
  }

  long int64(String field) {
    need(8, field);
    return buffer.readLong();
  }

  /** An int32 count in [0, max]. */
  int count(String field, int max) {
    int count = int32(field);
    if (count < 0 || count > max) {
      throw error(field + " is " + Integer.toUnsignedLong(count) + ", over the limit of " + max);
    }
    return count;
  }

  /**
   * A byte array with an int32 length in [0, {@code bytesMax}]; the length is checked against the
   * bound and the bytes left before anything is allocated.
   */
  byte[] bytes(String field, int bytesMax) {
    int length = int32(field + " length");
    if (length < 0 || length > bytesMax) {
      throw error(
          field
              + " has "
              + Integer.toUnsignedLong(length)
              + " bytes, over the limit of "
              + bytesMax);
    }
    need(length, field);
    byte[] bytes = new byte[length];
    buffer.readBytes(bytes);
    return bytes;
  }

  /**
   * Checks that {@code count} items of at least {@code itemBytesMin} bytes each can be in the bytes
   * left, before a list is allocated for them.
   */
  void fits(String field, int count, int itemBytesMin) {
    long needed = (long) count * itemBytesMin;
    if (needed > buffer.readableBytes()) {
      throw error(
          field
              + " is "
              + count
              + ": needs at least "
              + needed
              + " bytes, "
              + buffer.readableBytes()
              + " left");
    }
  }

  /** A string with a uint16 byte length, at most {@code charsMax} chars. */
  String string16(String field, int charsMax) {
    return string(field, uint16(field + " length"), charsMax);
  }

  /** A string with an int32 byte length, at most {@code charsMax} chars. */
  String string32(String field, int charsMax) {
    return string(field, int32(field + " length"), charsMax);
  }

  private String string(String field, int byteLength, int charsMax) {
    long bytesMax = (long) charsMax * InternodeFormat.UTF8_BYTES_PER_CHAR_MAX;
    if (byteLength < 0 || byteLength > bytesMax) {
      throw error(
          field
              + " has "
              + Integer.toUnsignedLong(byteLength)
              + " bytes, over the limit of "
              + bytesMax
              + " ("
              + charsMax
              + " chars)");
    }
    need(byteLength, field);
    ByteBuffer bytes = buffer.nioBuffer(buffer.readerIndex(), byteLength);
    String value;
    try {
      value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes)
              .toString();
    } catch (CharacterCodingException e) {
      throw error(field + " is not valid UTF-8");
    }
    buffer.skipBytes(byteLength);
    if (value.length() > charsMax) {
      throw error(field + " has " + value.length() + " chars, over the limit of " + charsMax);
    }
    return value;
  }

  /** Checks that the frame was read to its end. */
  void end() {
    if (buffer.isReadable()) {
      throw error(buffer.readableBytes() + " bytes left over after the last field");
    }
  }

  DecoderException error(String problem) {
    return new DecoderException("malformed " + frameName + " frame: " + problem);
  }

  DecoderException error(String problem, Throwable cause) {
    return new DecoderException("malformed " + frameName + " frame: " + problem, cause);
  }

  private void need(int bytes, String field) {
    if (buffer.readableBytes() < bytes) {
      throw error(
          "truncated at "
              + field
              + ": needs "
              + bytes
              + " bytes, "
              + buffer.readableBytes()
              + " left");
    }
  }
}
