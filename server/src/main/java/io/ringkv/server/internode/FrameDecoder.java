package io.ringkv.server.internode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Cuts the byte stream into frames at their length prefixes and decodes each into a {@link Frame}.
 * The length is checked before the frame is buffered: a length over the limit fails at once (the
 * bytes are never accumulated), and from then on every byte is discarded until the connection
 * closes. The limit is {@link InternodeFormat#HANDSHAKE_FRAME_BYTES_MAX} until the handshake
 * completes, so that an unauthenticated connection cannot make the node buffer a large frame, and
 * {@link InternodeConfig#frameBytesMax()} after.
 *
 * <p>Not sharable: one per connection, used on its event loop only.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final InternodeCodec codec;
  private final int frameBytesMax;
  private boolean handshaken;
  private boolean failed;

  FrameDecoder(InternodeCodec codec, int frameBytesMax) {
    this.codec = codec;
    this.frameBytesMax = frameBytesMax;
  }

  /** Raises the frame limit from the handshake's to {@code frameBytesMax}. */
  void handshakeCompleted() {
    handshaken = true;
  }

  @Override
  protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < InternodeFormat.LENGTH_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    int limit = handshaken ? frameBytesMax : InternodeFormat.HANDSHAKE_FRAME_BYTES_MAX;
    if (length > limit) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new FrameTooLargeException(length, limit, handshaken);
    }
    if (length < InternodeFormat.HEADER_BYTES_MIN) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new DecoderException(
          "malformed frame: length "
              + length
              + " is below the "
              + InternodeFormat.HEADER_BYTES_MIN
              + " bytes of a header");
    }
    if (in.readableBytes() < InternodeFormat.LENGTH_BYTES + length) {
      return;
    }
    in.skipBytes(InternodeFormat.LENGTH_BYTES);
    ByteBuf frame = in.readSlice((int) length);
    try {
      out.add(codec.decode(frame));
    } catch (DecoderException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }
}
