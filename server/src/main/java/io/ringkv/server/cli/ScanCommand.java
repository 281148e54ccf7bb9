package io.ringkv.server.cli;

import io.ringkv.client.KeyValue;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.ScanIterator;
import io.ringkv.client.ScanOptions;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringkv scan}: lists keys and values in key order, page by page. */
@Command(
    name = "scan",
    description = {
      "List keys and their values in key order.",
      "Plain output is one KEY<TAB>VALUE line per key, escaped as redis-cli does (\\t, \\n, \\xHH)."
          + " With --json, one object per key, then {\"cursor\": C, \"complete\": B}: pass C to"
          + " --cursor to continue after --limit."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:listed (possibly nothing)",
      "2:usage error, or the node refused the request as invalid (a bad cursor, say)",
      "3:unavailable, timeout or node failure"
    })
final class ScanCommand extends KeyspaceDataCommand {

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "0",
      description = "List at most N keys, then print the cursor to continue from (0: all).")
  long limit;

  @Option(
      names = "--cursor",
      paramLabel = "C",
      defaultValue = ScanOptions.START,
      description = "Start after the keys a previous scan listed (default 0: the first key).")
  String cursor;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      defaultValue = "" + ScanOptions.PAGE_SIZE_DEFAULT,
      description = "Keys fetched per request, 1 to 1000 (default 100).")
  int pageSize;

  @Override
  void validate() {
    if (limit < 0) {
      throw usage("--limit must not be negative, was " + limit);
    }
    if (pageSize < 1 || pageSize > ScanOptions.PAGE_SIZE_MAX) {
      throw usage("--page-size must be 1 to " + ScanOptions.PAGE_SIZE_MAX + ", was " + pageSize);
    }
  }

  @Override
  int run(RingkvClient ringkv) {
    ScanOptions options =
        ScanOptions.defaults()
            .withCursor(cursor)
            .withLimit(limit)
            .withPageSize(pageSize)
            .withConsistency(client.consistency);
    PrintWriter out = spec.commandLine().getOut();
    ScanIterator entries = ringkv.scan(options).iterator();
    while (entries.hasNext()) {
      KeyValue entry = entries.next();
      if (client.json) {
        Map<String, Object> object = new LinkedHashMap<>();
        DataOutput.putBytes(object, "key", entry.key());
        DataOutput.putBytes(object, "value", entry.value().bytes());
        object.put("timestamp", entry.value().timestamp());
        object.put("expires_at_ms", entry.value().expiresAtMillis());
        DataOutput.printJson(out, object);
      } else {
        out.println(
            DataOutput.escaped(entry.key()) + "\t" + DataOutput.escaped(entry.value().bytes()));
      }
    }
    boolean complete = entries.cursor().equals(ScanOptions.START);
    if (client.json) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("cursor", entries.cursor());
      object.put("complete", complete);
      DataOutput.printJson(out, object);
    } else if (!complete) {
      spec.commandLine()
          .getErr()
          .println("(more keys: continue with --cursor " + entries.cursor() + ")");
    }
    out.flush();
    return OK;
  }
}
