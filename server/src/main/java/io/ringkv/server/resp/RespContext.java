package io.ringkv.server.resp;

import io.ringkv.common.Clock;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.metrics.NodeMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of one {@link RespServer} shares: the service, the clock, the limits, the
 * counters, the command table and the registry of live sessions (for CLIENT LIST and INFO).
 *
 * <p>Thread-safe: immutable references, plus concurrent counters and registry.
 */
final class RespContext {
  final KeyValueService service;
  final Clock clock;
  final ListenerConfig listener;
  final LimitsConfig limits;
  final NodeMetrics metrics;
  final RespServerInfo info;
  final ServerCounters counters = new ServerCounters();
  final ConcurrentHashMap<Long, ClientSession> sessions = new ConcurrentHashMap<>();
  final CommandTable commands;
  private final AtomicLong nextClientId = new AtomicLong();
  private final byte[] password;
  private volatile int boundPort;
  private volatile String multiplexingApi = "none";

  RespContext(
      ListenerConfig listener,
      LimitsConfig limits,
      KeyValueService service,
      NodeMetrics metrics,
      RespServerInfo info,
      Clock clock,
      String requirePassword) {
    this.listener = listener;
    this.limits = limits;
    this.service = service;
    this.metrics = metrics;
    this.info = info;
    this.clock = clock;
    this.password =
        requirePassword == null || requirePassword.isEmpty()
            ? null
            : requirePassword.getBytes(StandardCharsets.UTF_8);
    this.commands =
        new CommandTable(
            concat(
                new ConnectionCommands(this).commands(),
                new StringCommands(this).commands(),
                new KeyCommands(this).commands(),
                new RegisterCommands(this).commands(),
                new CounterCommands(this).commands(),
                new SetCommands(this).commands(),
                new ServerCommands(this).commands(),
                List.of(new CommandIntrospection(this).command())));
  }

  @SafeVarargs
  private static List<Command> concat(List<Command>... lists) {
    List<Command> all = new java.util.ArrayList<>();
    for (List<Command> list : lists) {
      all.addAll(list);
    }
    return all;
  }

  long nextClientId() {
    return nextClientId.incrementAndGet();
  }

  /** Whether clients must authenticate (a password is configured). */
  boolean passwordRequired() {
    return password != null;
  }

  /** Compares in time independent of where the first difference is. */
  boolean passwordMatches(byte[] candidate) {
    return password != null && MessageDigest.isEqual(password, candidate);
  }

  int boundPort() {
    return boundPort;
  }

  void bound(int port, String api) {
    this.boundPort = port;
    this.multiplexingApi = api;
  }

  String multiplexingApi() {
    return multiplexingApi;
  }

  /**
   * {@code key} if it is within key_bytes_max.
   *
   * @throws CommandError naming the limit
   */
  byte[] checkKey(byte[] key) {
    if (key.length > limits.keyBytesMax()) {
      throw new CommandError(
          "ERR key of "
              + key.length
              + " bytes exceeds "
              + LimitNames.KEY_BYTES_MAX
              + " ("
              + limits.keyBytesMax()
              + ")");
    }
    return key;
  }

  /**
   * {@code value} if it is within value_bytes_max.
   *
   * @throws CommandError naming the limit
   */
  byte[] checkValue(byte[] value) {
    if (value.length > limits.valueBytesMax()) {
      throw new CommandError(
          "ERR value of "
              + value.length
              + " bytes exceeds "
              + LimitNames.VALUE_BYTES_MAX
              + " ("
              + limits.valueBytesMax()
              + ")");
    }
    return value;
  }
}
