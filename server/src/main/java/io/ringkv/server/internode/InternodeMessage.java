package io.ringkv.server.internode;

import io.ringkv.cluster.membership.GossipMessage;
import java.util.Objects;

/**
 * Messages between nodes. Each record has a type code in {@link InternodeFormat} and one branch in
 * {@link InternodeCodec} (encode and decode); adding a message type is a matter of a record here,
 * its code, its codec branch and its section in docs/format/internode.md.
 *
 * <p>Whether a message travels one way, as a request or as a response is said by the frame, not by
 * the message: {@link InternodeTransport#send} sends one way, {@link InternodeTransport#request}
 * sends a request, and the peer's {@link InternodeHandler#onRequest} answer travels back as the
 * response.
 */
public sealed interface InternodeMessage {
  /** A gossip round's message (SYN, ACK or ACK2), one way. */
  record Gossip(GossipMessage message) implements InternodeMessage {
    public Gossip {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A liveness probe, sent as a request; the peer answers {@link EchoReply} with the same value.
   *
   * @param sentNanos the sender's clock when it sent the probe, opaque to the receiver
   */
  record Echo(long sentNanos) implements InternodeMessage {}

  /**
   * The answer to an {@link Echo}.
   *
   * @param sentNanos the value of the echo answered
   */
  record EchoReply(long sentNanos) implements InternodeMessage {}
}
