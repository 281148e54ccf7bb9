package io.ringkv.server.cli;

import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.Sibling;
import io.ringkv.client.Value;
import io.ringkv.client.Versions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringkv get KEY}: prints a key's value, or with --siblings every concurrent value. */
@Command(
    name = "get",
    description = {
      "Print the value of KEY.",
      "In a causal keyspace concurrent writes are all kept: get prints the newest, --siblings"
          + " prints each (\"(deleted)\" for a concurrent delete), and --json adds the key's"
          + " \"context\" to pass to put or del --context."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:found",
      "1:not found",
      "2:usage error, or the node refused the request (invalid, no such keyspace, a set's key)",
      "3:unavailable, timeout or node failure"
    })
final class GetCommand extends KeyspaceDataCommand {

  @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text.")
  String key;

  @Option(
      names = "--siblings",
      description =
          "Print every sibling, newest first, one per line (escaped), not just the newest.")
  boolean siblings;

  @Override
  int run(RingkvClient ringkv) {
    Versions versions =
        ringkv.getVersions(
            key.getBytes(StandardCharsets.UTF_8),
            ReadOptions.defaults().withConsistency(client.consistency));
    Optional<Value> value = versions.value();
    boolean found = siblings ? !versions.siblings().isEmpty() : value.isPresent();
    PrintWriter out = spec.commandLine().getOut();
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
      DataOutput.putContext(object, versions.causalContext());
      if (siblings || versions.conflicted()) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Sibling sibling : versions.siblings()) {
          Map<String, Object> entry = new LinkedHashMap<>();
          if (sibling.deleted()) {
            entry.put("deleted", true);
          } else {
            DataOutput.putBytes(entry, "value", sibling.bytes());
          }
          entry.put("timestamp", sibling.timestamp());
          list.add(entry);
        }
        object.put("siblings", list);
      }
      DataOutput.printJson(out, object);
    } else if (siblings) {
      for (Sibling sibling : versions.siblings()) {
        out.println(sibling.deleted() ? "(deleted)" : DataOutput.escaped(sibling.bytes()));
      }
    } else if (value.isPresent()) {
      byte[] bytes = value.get().bytes();
      String text = DataOutput.utf8OrNull(bytes);
      if (text == null) {
        error("the value is not UTF-8 text; shown escaped (--json gives it in base64)");
        text = DataOutput.escaped(bytes);
      }
      out.println(text);
      if (versions.conflicted()) {
        error(
            versions.siblings().size()
                + " concurrent values: showing the newest; --siblings shows each");
      }
    }
    if (!found) {
      error("not found: " + DataOutput.escaped(key.getBytes(StandardCharsets.UTF_8)));
      return NEGATIVE;
    }
    return OK;
  }
}
