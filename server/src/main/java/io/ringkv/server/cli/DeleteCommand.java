package io.ringkv.server.cli;

import io.ringkv.client.DeleteOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ringkv del KEY}: deletes a key. */
@Command(
    name = "del",
    description = {
      "Delete KEY. Deleting a key that has no value is not an error; the output says whether"
          + " there was one (not with --context, which writes without reading)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:deleted, or there was nothing to delete",
      "2:usage error, or the node refused the request as invalid",
      "3:unavailable, timeout or node failure (the delete may or may not have been applied)"
    })
final class DeleteCommand extends KeyspaceDataCommand {

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text.")
  String key;

  @Mixin CausalOptions causal;

  @Override
  void validate() {
    causal.validate(spec.commandLine());
  }

  @Override
  int run(RingkvClient ringkv) {
    DeleteOptions options =
        DeleteOptions.defaults()
            .withConsistency(client.consistency)
            .withIdempotencyKey(causal.idempotencyKey);
    // A delete with a context supersedes what that context saw, without reading the key; the
    // node refuses to combine it with returning the previous value.
    boolean withContext = causal.context != null && causal.context.length > 0;
    options = withContext ? options.withCausalContext(causal.context) : options.returningPrevious();
    WriteResult result = ringkv.delete(key.getBytes(StandardCharsets.UTF_8), options);
    boolean existed = result.previous().isPresent();
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("key", key);
      if (!withContext) {
        object.put("existed", existed);
      }
      object.put("timestamp", result.timestamp());
      DataOutput.putContext(object, result.causalContext());
      DataOutput.printJson(spec.commandLine().getOut(), object);
    } else {
      spec.commandLine().getOut().println(withContext || existed ? "deleted" : "no such key");
    }
    return OK;
  }
}
