package io.ringkv.server.internode;

/** How a frame travels, from the low two bits of its flags byte. */
enum FrameKind {
  ONE_WAY(InternodeFormat.KIND_ONE_WAY),
  REQUEST(InternodeFormat.KIND_REQUEST),
  RESPONSE(InternodeFormat.KIND_RESPONSE);

  final int code;

  FrameKind(int code) {
    this.code = code;
  }

  /** True if frames of this kind carry a request id. */
  boolean hasRequestId() {
    return this != ONE_WAY;
  }
}
