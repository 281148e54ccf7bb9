package io.ringkv.server.cli;

import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Value;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ringkv get KEY}: prints a key's value. */
@Command(
    name = "get",
    description = "Print the value of KEY.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:found",
      "1:not found",
      "2:usage error, or the node refused the request as invalid",
      "3:unavailable, timeout or node failure"
    })
final class GetCommand extends DataCommand {

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text.")
  String key;

  @Override
  int run(RingkvClient ringkv) {
    Optional<Value> value =
        ringkv.get(
            key.getBytes(StandardCharsets.UTF_8),
            ReadOptions.defaults().withConsistency(client.consistency));
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("key", key);
      object.put("found", value.isPresent());
      value.ifPresent(
          v -> {
            DataOutput.putBytes(object, "value", v.bytes());
            object.put("timestamp", v.timestamp());
            object.put("expires_at_ms", v.expiresAtMillis());
          });
      DataOutput.printJson(spec.commandLine().getOut(), object);
    } else if (value.isPresent()) {
      byte[] bytes = value.get().bytes();
      String text = DataOutput.utf8OrNull(bytes);
      if (text == null) {
        error("the value is not UTF-8 text; shown escaped (--json gives it in base64)");
        text = DataOutput.escaped(bytes);
      }
      spec.commandLine().getOut().println(text);
    }
    if (value.isEmpty()) {
      error("not found: " + DataOutput.escaped(key.getBytes(StandardCharsets.UTF_8)));
      return NEGATIVE;
    }
    return OK;
  }
}
