package io.ringkv.server.cli;

import io.ringkv.client.IncrementOptions;
import io.ringkv.client.IncrementResult;
import io.ringkv.client.RingkvClient;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv incr KEY [BY]}: adds to a counter of a causal keyspace and prints its value. */
@Command(
    name = "incr",
    description = {
      "Add BY (default 1; negative subtracts) to the counter KEY and print its new value.",
      "Counters live in causal keyspaces (--keyspace) and merge on the server: concurrent"
          + " increments all count."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:incremented (or, with --idempotency-key, found already applied)",
      "2:usage error, or the node refused the request (not a causal keyspace, KEY holds another"
          + " type, overflow)",
      "3:unavailable, timeout or node failure (the increment may or may not have been applied;"
          + " rerun with the same --idempotency-key to make sure it counts once)"
    })
final class IncrCommand extends KeyspaceDataCommand {

  @Parameters(index = "0", paramLabel = "KEY", description = "The counter's key, as UTF-8 text.")
  String key;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "BY",
      defaultValue = "1",
      description = "What to add, a 64-bit integer (default 1).")
  long by;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description =
          "1 to 64 bytes naming this increment: rerunning with the same key counts it once.")
  String idempotencyKey;

  @Override
  void validate() {
    if (idempotencyKey != null) {
      int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < 1 || bytes > CausalOptions.IDEMPOTENCY_KEY_BYTES_MAX) {
        throw usage(
            "--idempotency-key must be 1 to "
                + CausalOptions.IDEMPOTENCY_KEY_BYTES_MAX
                + " bytes of UTF-8, was "
                + bytes);
      }
    }
  }

  @Override
  int run(RingkvClient ringkv) {
    IncrementResult result =
        ringkv.increment(
            key.getBytes(StandardCharsets.UTF_8),
            by,
            IncrementOptions.defaults()
                .withConsistency(client.consistency)
                .withIdempotencyKey(idempotencyKey));
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("key", key);
      object.put("value", result.value());
      object.put("duplicate", result.duplicate());
      DataOutput.printJson(spec.commandLine().getOut(), object);
    } else {
      spec.commandLine().getOut().println(result.value());
    }
    return OK;
  }
}
