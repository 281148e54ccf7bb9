package io.ringkv.server.internode;

import io.netty.handler.codec.DecoderException;

/** A received frame's length is over the connection's limit; the connection is closed. */
final class FrameTooLargeException extends DecoderException {
  private static final long serialVersionUID = 1L;

  private final long frameBytes;

  FrameTooLargeException(long frameBytes, int frameBytesMax, boolean handshaken) {
    super(
        "frame of "
            + frameBytes
            + " bytes is over the limit of "
            + frameBytesMax
            + (handshaken ? " (frameBytesMax)" : " (before the handshake completes)"));
    this.frameBytes = frameBytes;
  }

  long frameBytes() {
    return frameBytes;
  }
}
