package io.ringkv.server.cli;

import io.ringkv.client.ConflictMode;
import io.ringkv.client.Keyspace;
import io.ringkv.client.RingkvClient;
import io.ringkv.common.ConsistencyLevel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringkv keyspace list|create|drop}: keyspace administration through the client (the
 * KeyspaceAdmin gRPC service of any node).
 */
@Command(
    name = "keyspace",
    description = "List, create or drop keyspaces.",
    mixinStandardHelpOptions = true,
    subcommands = {
      KeyspaceCommand.ListCommand.class,
      KeyspaceCommand.CreateCommand.class,
      KeyspaceCommand.DropCommand.class
    })
final class KeyspaceCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a subcommand: list, create or drop");
  }

  /** {@code ringkv keyspace list}. */
  @Command(
      name = "list",
      description = {
        "List the keyspaces the node knows: name, replication, read and write levels, conflict"
            + " mode, sloppy quorum.",
        "With --json, one object per keyspace."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:listed", "2:usage error", "3:unavailable, timeout or node failure"})
  static final class ListCommand extends DataCommand {
    @Override
    int run(RingkvClient ringkv) {
      List<Keyspace> keyspaces = ringkv.keyspaces();
      PrintWriter out = spec.commandLine().getOut();
      if (client.json) {
        keyspaces.forEach(keyspace -> DataOutput.printJson(out, json(keyspace)));
        return OK;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "REPLICATION", "READ", "WRITE", "CONFLICTS", "SLOPPY"});
      for (Keyspace keyspace : keyspaces) {
        rows.add(
            new String[] {
              keyspace.name(),
              replication(keyspace),
              String.valueOf(keyspace.readLevel()),
              String.valueOf(keyspace.writeLevel()),
              keyspace.conflicts() == null
                  ? "?"
                  : keyspace.conflicts().name().toLowerCase(Locale.ROOT),
              keyspace.sloppyQuorum() ? "yes" : "no"
            });
      }
      int[] widths = new int[rows.getFirst().length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          line.append(i == 0 ? "" : "  ");
          line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s", row[i]));
        }
        out.println(line);
      }
      return OK;
    }
  }

  /** {@code ringkv keyspace create NAME [options]}. */
  @Command(
      name = "create",
      description = {
        "Create keyspace NAME, or change it if it exists (its conflict mode cannot change).",
        "Unset options keep an existing keyspace's settings, or take the node's defaults for a new"
            + " one: replication factor 3, QUORUM reads and writes, conflicts causal."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:created or changed",
        "2:usage error, or the node refused the definition (the message names the field)",
        "3:unavailable (no metadata leader), timeout or node failure (the change may or may not"
            + " have been applied: list to see)"
      })
  static final class CreateCommand extends DataCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The keyspace's name.")
    String name;

    @Option(
        names = "--replication-factor",
        paramLabel = "N",
        description = "Replicas per key, walking the ring (SimpleStrategy).")
    Integer replicationFactor;

    @Option(
        names = "--datacenter",
        paramLabel = "DC=N",
        description =
            "Replicas in datacenter DC (NetworkTopologyStrategy); repeat for each datacenter."
                + " Not with --replication-factor.")
    Map<String, Integer> datacenters = new TreeMap<>();

    @Option(
        names = "--conflicts",
        paramLabel = "MODE",
        converter = ConflictsConverter.class,
        description = "causal (siblings, counters, sets) or lww (last write wins).")
    ConflictMode conflicts;

    @Option(
        names = "--read-level",
        paramLabel = "LEVEL",
        converter = ClientOptions.ConsistencyConverter.class,
        description = "Default level of reads: ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, ...")
    ConsistencyLevel readLevel;

    @Option(
        names = "--write-level",
        paramLabel = "LEVEL",
        converter = ClientOptions.ConsistencyConverter.class,
        description = "Default level of writes (ANY allowed).")
    ConsistencyLevel writeLevel;

    @Option(
        names = "--sloppy-quorum",
        description = "Let writes count a live stand-in for a down replica (keeping a hint).")
    boolean sloppyQuorum;

    @Override
    void validate() {
      if (replicationFactor != null && !datacenters.isEmpty()) {
        throw usage("give --replication-factor or --datacenter, not both");
      }
      if (replicationFactor != null && replicationFactor < 1) {
        throw usage("--replication-factor must be at least 1, was " + replicationFactor);
      }
      if (readLevel != null && !readLevel.allowsReads()) {
        throw usage("--read-level " + readLevel + " is for writes only");
      }
    }

    @Override
    int run(RingkvClient ringkv) {
      Keyspace wanted =
          new Keyspace(
              name,
              replicationFactor == null ? 0 : replicationFactor,
              datacenters,
              readLevel,
              writeLevel,
              sloppyQuorum,
              conflicts);
      Keyspace applied = ringkv.putKeyspace(wanted);
      if (client.json) {
        DataOutput.printJson(spec.commandLine().getOut(), json(applied));
      } else {
        spec.commandLine().getOut().println("OK " + applied.name() + " " + replication(applied));
      }
      return OK;
    }
  }

  /** {@code ringkv keyspace drop NAME}. */
  @Command(
      name = "drop",
      description = "Drop keyspace NAME and, in time, its data. default cannot be dropped.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:dropped",
        "2:usage error, no such keyspace, or default",
        "3:unavailable, timeout or node failure"
      })
  static final class DropCommand extends DataCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The keyspace's name.")
    String name;

    @Override
    int run(RingkvClient ringkv) {
      ringkv.dropKeyspace(name);
      if (client.json) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("name", name);
        object.put("dropped", true);
        DataOutput.printJson(spec.commandLine().getOut(), object);
      } else {
        spec.commandLine().getOut().println("dropped " + name);
      }
      return OK;
    }
  }

  static String replication(Keyspace keyspace) {
    if (!keyspace.datacenters().isEmpty()) {
      StringBuilder text = new StringBuilder();
      keyspace
          .datacenters()
          .forEach(
              (datacenter, factor) ->
                  text.append(text.isEmpty() ? "" : ",")
                      .append(datacenter)
                      .append('=')
                      .append(factor));
      return text.toString();
    }
    return "rf=" + keyspace.replicationFactor();
  }

  static Map<String, Object> json(Keyspace keyspace) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("name", keyspace.name());
    if (keyspace.datacenters().isEmpty()) {
      object.put("replication_factor", keyspace.replicationFactor());
    } else {
      object.put("datacenters", keyspace.datacenters());
    }
    object.put("read_level", String.valueOf(keyspace.readLevel()));
    object.put("write_level", String.valueOf(keyspace.writeLevel()));
    object.put("sloppy_quorum", keyspace.sloppyQuorum());
    object.put(
        "conflicts",
        keyspace.conflicts() == null ? null : keyspace.conflicts().name().toLowerCase(Locale.ROOT));
    return object;
  }

  static final class ConflictsConverter implements CommandLine.ITypeConverter<ConflictMode> {
    @Override
    public ConflictMode convert(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "causal" -> ConflictMode.CAUSAL;
        case "lww" -> ConflictMode.LWW;
        default ->
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not a conflict mode; choose causal or lww");
      };
    }
  }
}
