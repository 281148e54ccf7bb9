package io.ringkv.server.resp;

import io.ringkv.common.ConsistencyLevel;

/**
 * What the server knows about one client connection: its id, addresses, name and library (CLIENT
 * SETNAME/SETINFO), protocol version, whether it authenticated, the consistency levels its reads
 * and writes carry (CONSISTENCY; null for the keyspace's default), the keyspace they go to
 * (KEYSPACE; null for {@code default}), and when it last ran a command.
 *
 * <p>Times ({@code createdNanos}, {@code lastCommandNanos}) are {@link System#nanoTime()} readings,
 * the same timer the dispatcher reads for latency, so CLIENT LIST's age and idle need no other
 * clock.
 *
 * <p>Written only by the connection's event loop. CLIENT LIST reads other connections' sessions
 * from other threads without synchronisation; the fields are plain on purpose (no barrier on the
 * hot path) and hold immutable values, so such a reader sees a consistent but possibly slightly
 * stale view, which is all a listing promises.
 */
final class ClientSession {
  final long id;
  final String address;
  final String localAddress;
  final long createdNanos;

  String name = "";
  String libraryName = "";
  String libraryVersion = "";
  int protocol = 2;
  boolean authenticated;
  ConsistencyLevel readConsistency;
  ConsistencyLevel writeConsistency;
  String keyspace;
  String lastCommand = "NULL";
  long lastCommandNanos;

  ClientSession(long id, String address, String localAddress, long createdNanos) {
    this.id = id;
    this.address = address;
    this.localAddress = localAddress;
    this.createdNanos = createdNanos;
    this.lastCommandNanos = createdNanos;
  }

  /** One line of CLIENT LIST / CLIENT INFO, in Redis' field order (the fields ringkv has). */
  String describe(long nowNanos) {
    return "id="
        + id
        + " addr="
        + address
        + " laddr="
        + localAddress
        + " name="
        + name
        + " age="
        + (nowNanos - createdNanos) / 1_000_000_000L
        + " idle="
        + (nowNanos - lastCommandNanos) / 1_000_000_000L
        + " flags=N db=0 cmd="
        + lastCommand
        + " user=default resp="
        + protocol
        + " lib-name="
        + libraryName
        + " lib-ver="
        + libraryVersion
        + " read-consistency="
        + levelName(readConsistency)
        + " write-consistency="
        + levelName(writeConsistency)
        + " keyspace="
        + keyspaceName(keyspace);
  }

  /** A keyspace as KEYSPACE and CLIENT LIST show it: null is {@code default}. */
  static String keyspaceName(String keyspace) {
    return keyspace == null ? io.ringkv.cluster.metadata.Keyspace.DEFAULT_NAME : keyspace;
  }

  /** A level as CONSISTENCY and CLIENT LIST show it: its name, or DEFAULT for the keyspace's. */
  static String levelName(ConsistencyLevel level) {
    return level == null ? "DEFAULT" : level.name();
  }
}
