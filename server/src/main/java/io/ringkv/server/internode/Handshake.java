package io.ringkv.server.internode;

import static io.ringkv.server.internode.InternodeFormat.PROTOCOL_VERSION_MAX;
import static io.ringkv.server.internode.InternodeFormat.PROTOCOL_VERSION_MIN;

/**
 * The handshake's decisions, apart from the I/O (docs/format/internode.md, "Handshake"): what an
 * acceptor answers to a HELLO, and whether a connector takes the answer. Pure functions.
 *
 * <p>Version rule: each side speaks a contiguous range of versions. The connector offers its range;
 * the acceptor picks the highest version both speak, {@code min(theirMax, ourMax)}, and refuses if
 * that is below {@code max(theirMin, ourMin)}.
 */
final class Handshake {
  private Handshake() {}

  /** The HELLO this node sends. */
  static Frame.Hello hello(String clusterName, String selfId, int listenPort) {
    return new Frame.Hello(
        PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, clusterName, selfId, listenPort);
  }

  /** The acceptor's answer to {@code hello}: a HELLO_ACCEPT or a HELLO_REFUSE. */
  static Frame answer(Frame.Hello hello, String clusterName, String selfId) {
    int version = negotiate(hello.versionMin(), hello.versionMax());
    if (version < 0) {
      return refuse(
          HandshakeRefusal.UNSUPPORTED_VERSION,
          "this node speaks protocol versions "
              + PROTOCOL_VERSION_MIN
              + " to "
              + PROTOCOL_VERSION_MAX
              + ", the connector "
              + hello.versionMin()
              + " to "
              + hello.versionMax());
    }
    if (!hello.clusterName().equals(clusterName)) {
      return refuse(
          HandshakeRefusal.WRONG_CLUSTER,
          "this node belongs to cluster '"
              + clusterName
              + "', the connector to '"
              + hello.clusterName()
              + "'");
    }
    if (hello.nodeId().equals(selfId)) {
      return refuse(
          HandshakeRefusal.NODE_ID_CLASH,
          "the connector claims this node's own id '" + selfId + "'");
    }
    return new Frame.HelloAccept(version, selfId);
  }

  /**
   * Checks an acceptor's yes.
   *
   * @param expectedPeer the node id the connector meant to reach; null for a seed
   * @return null if the connection may be used, else why not
   */
  static String checkAccept(Frame.HelloAccept accept, String selfId, String expectedPeer) {
    if (accept.version() < PROTOCOL_VERSION_MIN || accept.version() > PROTOCOL_VERSION_MAX) {
      return "the acceptor chose protocol version "
          + accept.version()
          + ", outside the offered "
          + PROTOCOL_VERSION_MIN
          + " to "
          + PROTOCOL_VERSION_MAX;
    }
    if (accept.nodeId().equals(selfId)) {
      return "the address leads back to this node ('" + selfId + "')";
    }
    if (expectedPeer != null && !accept.nodeId().equals(expectedPeer)) {
      return "the node at that address is '"
          + accept.nodeId()
          + "', not '"
          + expectedPeer
          + "' (a stale address?)";
    }
    return null;
  }

  /** The version to speak with a connector offering {@code [theirMin, theirMax]}, or -1. */
  static int negotiate(int theirMin, int theirMax) {
    return negotiate(theirMin, theirMax, PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX);
  }

  static int negotiate(int theirMin, int theirMax, int ourMin, int ourMax) {
    int version = Math.min(theirMax, ourMax);
    return version >= Math.max(theirMin, ourMin) ? version : -1;
  }

  private static Frame.HelloRefuse refuse(HandshakeRefusal reason, String detail) {
    return new Frame.HelloRefuse(reason, PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, detail);
  }
}
