package io.ringkv.server.cli;

import io.ringkv.client.NodeAddress;
import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options every data command (get, put, del, scan) shares: where, how and what output. */
final class ClientOptions {
  static final String DEFAULT_HOST = "127.0.0.1:9090";

  @Option(
      names = "--host",
      paramLabel = "HOST:PORT",
      converter = NodeAddressConverter.class,
      description =
          "A node's gRPC address (default "
              + DEFAULT_HOST
              + "). Repeat it to give several nodes: the client fails over between them.")
  List<NodeAddress> hosts = new ArrayList<>();

  @Option(
      names = "--consistency",
      paramLabel = "LEVEL",
      converter = ConsistencyConverter.class,
      description =
          "ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, or ANY (writes"
              + " only). Default: the keyspace's.")
  ConsistencyLevel consistency;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5s",
      description = "Deadline of the request, failover included: 500ms, 5s, 1m (default 5s).")
  Duration timeout;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--json", description = "Print one JSON object per line, for scripts.")
  boolean json;

  List<NodeAddress> hostsOrDefault() {
    return hosts.isEmpty() ? List.of(NodeAddress.parse(DEFAULT_HOST)) : hosts;
  }

  static final class NodeAddressConverter implements CommandLine.ITypeConverter<NodeAddress> {
    @Override
    public NodeAddress convert(String value) {
      try {
        return NodeAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class ConsistencyConverter implements CommandLine.ITypeConverter<ConsistencyLevel> {
    @Override
    public ConsistencyLevel convert(String value) {
      try {
        return ConsistencyLevel.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * {@code 250ms}, {@code 5s}, {@code 2m}, a bare number of seconds, or ISO-8601 ({@code PT5S}).
   */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT);
      Duration duration;
      try {
        if (text.startsWith("pt")) {
          duration = Duration.parse(text.toUpperCase(Locale.ROOT));
        } else if (text.endsWith("ms")) {
          duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        } else if (text.endsWith("s")) {
          duration = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
        } else if (text.endsWith("m")) {
          duration = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
        } else {
          duration = Duration.ofSeconds(Long.parseLong(text));
        }
      } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration; write 500ms, 5s or 1m");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' must be a positive duration");
      }
      return duration;
    }
  }
}
