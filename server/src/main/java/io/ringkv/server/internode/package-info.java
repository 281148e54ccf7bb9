/**
 * Internode messaging: length-prefixed frames over TCP between ringkv nodes, on Netty. The wire
 * format (frames, handshake, every message field by field) is docs/format/internode.md.
 *
 * <p>Structure: {@link io.ringkv.server.internode.InternodeTransport} is the one public entry point
 * (listen, send, request, handshake with a seed, stats, close), configured by {@link
 * io.ringkv.server.internode.InternodeConfig}, delivering to an {@link
 * io.ringkv.server.internode.InternodeHandler}. Inside: {@link
 * io.ringkv.server.internode.InternodeFormat} (constants) and {@link
 * io.ringkv.server.internode.InternodeCodec} (every encoding and decoding) are the format; {@link
 * io.ringkv.server.internode.InternodeConnection} runs one connection's handshake and dispatch;
 * {@link io.ringkv.server.internode.PeerConnections} holds one peer's bounded queue and connection
 * set; {@link io.ringkv.server.internode.PendingRequests} the requests in flight.
 */
package io.ringkv.server.internode;
