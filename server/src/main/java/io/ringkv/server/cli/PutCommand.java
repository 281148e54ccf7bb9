package io.ringkv.server.cli;

import io.ringkv.client.PutOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.WriteResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv put KEY VALUE}: stores a value, from the command line, a file or stdin. */
@Command(
    name = "put",
    description = {
      "Store VALUE under KEY.",
      "VALUE on the command line is UTF-8 text; use --value-file FILE (or - for standard input)"
          + " for binary values."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stored",
      "1:not stored: --if-absent or --if-present did not hold",
      "2:usage error, or the node refused the request as invalid (too large, say)",
      "3:unavailable, timeout or node failure (the write may or may not have been applied)"
    })
final class PutCommand extends KeyspaceDataCommand {
  /** Largest value read from a file or stdin; the node's own limit is usually far smaller. */
  static final int VALUE_FILE_BYTES_MAX = 64 << 20;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text.")
  String key;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "VALUE",
      description = "The value, as UTF-8 text (or use --value-file).")
  String value;

  @Option(
      names = "--value-file",
      paramLabel = "FILE",
      description = "Read the value's bytes from FILE; - reads standard input.")
  String valueFile;

  @Option(
      names = "--ttl",
      paramLabel = "SECONDS",
      description = "Expire the value this many seconds after the node receives it.")
  Long ttlSeconds;

  @ArgGroup(exclusive = true)
  Condition condition;

  @Mixin CausalOptions causal;

  static final class Condition {
    @Option(names = "--if-absent", description = "Store only if the key has no value (NX).")
    boolean ifAbsent;

    @Option(names = "--if-present", description = "Store only if the key has a value (XX).")
    boolean ifPresent;
  }

  @Override
  void validate() {
    if ((value == null) == (valueFile == null)) {
      throw usage("give the value either as VALUE or with --value-file, exactly one of them");
    }
    if (ttlSeconds != null && ttlSeconds <= 0) {
      throw usage("--ttl must be a positive number of seconds, was " + ttlSeconds);
    }
    causal.validate(spec.commandLine());
  }

  @Override
  int run(RingkvClient ringkv) throws IOException {
    byte[] bytes = value != null ? value.getBytes(StandardCharsets.UTF_8) : readValueFile();
    PutOptions options =
        PutOptions.defaults()
            .withConsistency(client.consistency)
            .withCausalContext(causal.contextOrEmpty())
            .withIdempotencyKey(causal.idempotencyKey);
    if (ttlSeconds != null) {
      options = options.withTtl(Duration.ofSeconds(ttlSeconds));
    }
    if (condition != null && condition.ifAbsent) {
      options = options.ifAbsent();
    } else if (condition != null && condition.ifPresent) {
      options = options.ifPresent();
    }
    WriteResult result = ringkv.put(key.getBytes(StandardCharsets.UTF_8), bytes, options);
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("key", key);
      object.put("applied", result.applied());
      object.put("timestamp", result.timestamp());
      object.put("expires_at_ms", result.expiresAtMillis());
      DataOutput.putContext(object, result.causalContext());
      DataOutput.printJson(spec.commandLine().getOut(), object);
    } else if (result.applied()) {
      spec.commandLine().getOut().println("OK");
    }
    if (!result.applied()) {
      error(
          "not stored: the key "
              + (condition != null && condition.ifAbsent ? "already has a value" : "has no value"));
      return NEGATIVE;
    }
    return OK;
  }

  private byte[] readValueFile() throws IOException {
    if (valueFile.equals("-")) {
      return readBounded(System.in, "standard input");
    }
    Path path = Path.of(valueFile);
    try (InputStream in = Files.newInputStream(path)) {
      return readBounded(in, valueFile);
    } catch (IOException e) {
      throw usage("cannot read --value-file " + valueFile + ": " + e.getMessage());
    }
  }

  private byte[] readBounded(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes(VALUE_FILE_BYTES_MAX + 1);
    if (bytes.length > VALUE_FILE_BYTES_MAX) {
      throw usage("the value in " + source + " exceeds " + VALUE_FILE_BYTES_MAX + " bytes");
    }
    return bytes;
  }
}
