package io.ringkv.server.cli;

import io.ringkv.client.DeleteOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ringkv del KEY}: deletes a key. */
@Command(
    name = "del",
    description = {
      "Delete KEY. Deleting a key that has no value is not an error; the output says whether"
          + " there was one."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:deleted, or there was nothing to delete",
      "2:usage error, or the node refused the request as invalid",
      "3:unavailable, timeout or node failure (the delete may or may not have been applied)"
    })
final class DeleteCommand extends DataCommand {

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text.")
  String key;

  @Override
  int run(RingkvClient ringkv) {
    WriteResult result =
        ringkv.delete(
            key.getBytes(StandardCharsets.UTF_8),
            DeleteOptions.defaults().withConsistency(client.consistency).returningPrevious());
    boolean existed = result.previous().isPresent();
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("key", key);
      object.put("existed", existed);
      object.put("timestamp", result.timestamp());
      DataOutput.printJson(spec.commandLine().getOut(), object);
    } else {
      spec.commandLine().getOut().println(existed ? "deleted" : "no such key");
    }
    return OK;
  }
}
