package io.ringkv.server.resp;

/**
 * Writes the reply for a successful result of a {@link io.ringkv.server.kv.KeyValueService} call.
 * Failures are answered by the connection (see {@link RespConnection}), so renderers see only
 * results. Renderers on the hot path are stored in fields, so that replying allocates nothing.
 */
@FunctionalInterface
interface ReplyRenderer<T> {
  void render(T result, RespWriter out);
}
