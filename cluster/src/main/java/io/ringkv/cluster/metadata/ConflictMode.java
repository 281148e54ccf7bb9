package io.ringkv.cluster.metadata;

import java.util.Locale;

/**
 * How a keyspace resolves concurrent writes to a key (docs/decisions/007, docs/design/causal.md):
 * only the write path depends on it (which request the coordinator sends); reads, read repair,
 * hints and anti-entropy merge by what each cell says it is.
 */
public enum ConflictMode {
  /** Last write wins on hybrid logical clock timestamps: concurrent writes but one are dropped. */
  LWW,
  /**
   * Dotted version vector sets per key: concurrent writes become siblings, returned with a causal
   * context; counters and sets are CRDTs merged on the server.
   */
  CAUSAL;

  /**
   * The mode of a keyspace created by a user who names none (decision 007: causal by default). The
   * built-in {@code default} keyspace and keyspaces built by the older constructors stay {@link
   * #LWW}, so that nothing that exists changes.
   */
  public static final ConflictMode NEW_KEYSPACE_DEFAULT = CAUSAL;

  /** The name in configuration, JSON and the CLI: {@code lww} or {@code causal}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode named {@code name} ({@code lww} or {@code causal}, any case).
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static ConflictMode parse(String name) {
    if (name != null) {
      for (ConflictMode mode : values()) {
        if (mode.configName().equalsIgnoreCase(name.trim())) {
          return mode;
        }
      }
    }
    throw new IllegalArgumentException(
        "conflicts '" + name + "' is not a conflict mode; choose lww or causal");
  }
}
