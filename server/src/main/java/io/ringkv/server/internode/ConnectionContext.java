package io.ringkv.server.internode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;

/**
 * What every connection of one transport shares: who this node is, the settings, the codec, the
 * handler, the pending requests and the counters. Immutable; its parts are thread-safe.
 */
record ConnectionContext(
    String selfId,
    String clusterName,
    InternodeConfig config,
    InternodeCodec codec,
    InternodeHandler handler,
    PendingRequests pending,
    TransportCounters counters,
    IntSupplier listenPort,
    BiConsumer<String, InetSocketAddress> learnAddress) {

  /**
   * Encodes a frame, length prefix included, refusing one over {@link
   * InternodeConfig#frameBytesMax()}: the peer would close the connection on receiving it.
   *
   * @throws IllegalArgumentException if the frame is over a bound
   */
  ByteBuf encode(ByteBufAllocator allocator, Frame frame) {
    ByteBuf bytes = codec.encode(allocator, frame);
    int frameBytes = bytes.readableBytes() - InternodeFormat.LENGTH_BYTES;
    if (frameBytes > config.frameBytesMax()) {
      bytes.release();
      throw new IllegalArgumentException(
          "a frame of "
              + frameBytes
              + " bytes is over the limit of "
              + config.frameBytesMax()
              + " (frameBytesMax)");
    }
    return bytes;
  }
}
