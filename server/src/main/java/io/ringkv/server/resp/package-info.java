/**
 * The Redis protocol front end (RESP2 and RESP3): a hand-written decoder and encoder on Netty, the
 * command table, and the commands, each mapped onto {@link io.ringkv.server.kv.KeyValueService}.
 * The command reference is docs/api/redis.md.
 *
 * <p>Structure: {@link io.ringkv.server.resp.RespServer} binds and owns the event loops; one {@link
 * io.ringkv.server.resp.RespConnection} per client decodes commands ({@link
 * io.ringkv.server.resp.RespDecoder}), dispatches them through the {@link
 * io.ringkv.server.resp.CommandTable} and writes replies in order ({@link
 * io.ringkv.server.resp.RespWriter}), flushing once per read batch.
 */
package io.ringkv.server.resp;
