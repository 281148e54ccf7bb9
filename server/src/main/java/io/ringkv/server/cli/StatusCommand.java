package io.ringkv.server.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringkv.server.cluster.ClusterStatusReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringkv status}: prints the ring as one node sees it, like Cassandra's {@code nodetool
 * status}: per datacenter, one line per node with Up/Down and Normal/Joining/Leaving, address,
 * load, tokens, owned fraction, rack and generation, and the node's metadata epoch. Asks the node's
 * HTTP front end ({@code GET /v1/cluster/status}).
 */
@Command(
    name = "status",
    description = "Print the cluster's nodes as one node sees them (like nodetool status).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed",
      "2:usage error",
      "3:the node could not be reached or answered an error"
    })
final class StatusCommand implements Callable<Integer> {
  static final String DEFAULT_HTTP = "127.0.0.1:8080";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      defaultValue = DEFAULT_HTTP,
      description = "The HTTP address of the node to ask (default ${DEFAULT-VALUE}).")
  String http;

  @Option(names = "--json", description = "Print the node's answer as JSON, for scripts.")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = ClientOptions.DurationConverter.class,
      defaultValue = "5s",
      description = "How long to wait for the answer (default 5s).")
  Duration timeout;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String body;
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://" + http + "/v1/cluster/status"))
                  .timeout(timeout)
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      body = response.body();
      if (response.statusCode() != 200) {
        err.println("ringkv status: " + http + " answered " + response.statusCode() + ": " + body);
        return 3;
      }
    } catch (IllegalArgumentException e) {
      err.println("ringkv status: --http " + http + " is not a HOST:PORT address");
      return 2;
    } catch (IOException e) {
      err.println("ringkv status: cannot reach the node at " + http + ": " + e);
      return 3;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 3;
    }
    if (json) {
      out.println(body);
      out.flush();
      return 0;
    }
    ClusterStatusReport report;
    try {
      report =
          new ObjectMapper()
              .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
              .readValue(body, ClusterStatusReport.class);
    } catch (IOException e) {
      err.println("ringkv status: the node's answer is not a status report: " + e.getMessage());
      return 3;
    }
    out.print(render(report));
    out.flush();
    return 0;
  }

  /** The report as {@code nodetool status} would print it. */
  static String render(ClusterStatusReport report) {
    StringBuilder text = new StringBuilder();
    text.append("Cluster ")
        .append(report.clusterName())
        .append(", as seen by ")
        .append(report.node())
        .append(" (metadata epoch ")
        .append(report.epoch())
        .append(
            report.joinPhase().equals("JOINED")
                ? ""
                : ", " + report.node() + " is joining: " + report.joinPhase())
        .append(")\n");
    ClusterStatusReport.MetadataStatus metadata = report.metadata();
    if (metadata != null) {
      text.append("Metadata on ")
          .append(metadata.mode())
          .append(": leader ")
          .append(metadata.leader().isEmpty() ? "unknown" : metadata.leader())
          .append(", term ")
          .append(metadata.term())
          .append(", voters ")
          .append(String.join(" ", metadata.voters()))
          .append(
              metadata.learners().isEmpty()
                  ? ""
                  : ", learners " + String.join(" ", metadata.learners()))
          .append(" (")
          .append(report.node())
          .append(" is ")
          .append(metadata.role())
          .append(" at index ")
          .append(metadata.applied())
          .append(")\n");
    }
    TreeMap<String, List<ClusterStatusReport.NodeLine>> byDatacenter = new TreeMap<>();
    for (ClusterStatusReport.NodeLine line : report.nodes()) {
      byDatacenter.computeIfAbsent(line.datacenter(), dc -> new java.util.ArrayList<>()).add(line);
    }
    String format = "%-3s %-12s %-22s %-10s %6s %8s %10s  %-8s %12s %6s%n";
    for (var entry : byDatacenter.entrySet()) {
      String title = "Datacenter: " + entry.getKey();
      text.append('\n').append(title).append('\n').append("=".repeat(title.length())).append('\n');
      text.append("Status=Up/Down\n|/ State=Normal/Leaving/Joining\n");
      text.append(
          String.format(
              Locale.ROOT,
              format,
              "--",
              "Node",
              "Address",
              "Load",
              "Tokens",
              "Owns",
              "Owns (eff)",
              "Rack",
              "Generation",
              "Epoch"));
      for (ClusterStatusReport.NodeLine line : entry.getValue()) {
        String code = (line.state().equals("UP") ? "U" : "D") + line.status().charAt(0);
        String address =
            line.host().isEmpty()
                ? "?"
                : (line.host().contains(":") ? "[" + line.host() + "]" : line.host())
                    + ":"
                    + line.internodePort();
        text.append(
            String.format(
                Locale.ROOT,
                format,
                code,
                line.id() + (line.self() ? "*" : ""),
                address,
                line.loadBytes() < 0 ? "?" : bytes(line.loadBytes()),
                line.tokens(),
                percent(line.owns()),
                percent(line.ownsEffective()),
                line.rack(),
                line.generation(),
                line.epochSeen() < 0 ? "?" : Long.toString(line.epochSeen())));
      }
    }
    text.append("\n* the node answering. Owns: primary ranges, summing to 100%; Owns (eff):")
        .append(" ranges held in the default keyspace.\n");
    if (!report.keyspaces().isEmpty()) {
      text.append('\n');
      for (ClusterStatusReport.KeyspaceLine keyspace : report.keyspaces()) {
        text.append("Keyspace ")
            .append(keyspace.name())
            .append(": ")
            .append(keyspace.replication())
            .append(", read ")
            .append(keyspace.readLevel())
            .append(", write ")
            .append(keyspace.writeLevel())
            .append(keyspace.sloppyQuorum() ? ", sloppy quorum" : "")
            .append(", conflicts ")
            .append(keyspace.conflicts())
            .append('\n');
      }
    }
    ClusterStatusReport.HintStatus hints = report.hints();
    if (hints != null) {
      text.append(
          String.format(
              Locale.ROOT,
              "%nHints held by %s: %s pending for %d node(s); %d stored, %d delivered since it"
                  + " started.%nRepair debt: %d write(s) a replica missed for good (%d past the"
                  + " hint window, %d over the hint bound or with hints off).%n",
              report.node(),
              bytes(hints.pendingBytes()),
              hints.pendingTargets(),
              hints.stored(),
              hints.delivered(),
              hints.repairDebt(),
              hints.droppedExpired(),
              hints.droppedFull()));
    }
    return text.toString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  private static String bytes(long value) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double amount = value;
    int unit = 0;
    while (amount >= 1024 && unit < units.length - 1) {
      amount /= 1024;
      unit++;
    }
    return unit == 0 ? value + " B" : String.format(Locale.ROOT, "%.1f %s", amount, units[unit]);
  }
}
