package io.ringkv.server.internode;

/** Why an acceptor refused a handshake, with its code on the wire. */
enum HandshakeRefusal {
  /** The connector belongs to another cluster. */
  WRONG_CLUSTER(InternodeFormat.REFUSAL_WRONG_CLUSTER),
  /** No protocol version both sides speak. */
  UNSUPPORTED_VERSION(InternodeFormat.REFUSAL_UNSUPPORTED_VERSION),
  /** The connector claims the acceptor's own node id. */
  NODE_ID_CLASH(InternodeFormat.REFUSAL_NODE_ID_CLASH);

  final int code;

  HandshakeRefusal(int code) {
    this.code = code;
  }

  /** The refusal with this code, or null for an unknown code. */
  static HandshakeRefusal ofCode(int code) {
    for (HandshakeRefusal refusal : values()) {
      if (refusal.code == code) {
        return refusal;
      }
    }
    return null;
  }
}
