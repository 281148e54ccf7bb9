package io.ringkv.bench;

import java.util.Locale;

/**
 * The workloads of {@link EngineBench}, named and shaped after RocksDB's db_bench. Each runs {@code
 * --num} operations in total, split evenly over {@code --threads}.
 */
enum Workload {
  /** Writes every key once, in ascending order, into a fresh database. */
  FILLSEQ(Database.FRESH, true),
  /**
   * Writes every key once, in random order, into a fresh database that the read workloads then use:
   * after the timed part it is flushed and compacted (untimed) to a steady state, as db_bench users
   * do before running reads with {@code --use_existing_db}. Unlike db_bench, whose fillrandom draws
   * keys with replacement, every key is written exactly once (a random permutation), so that a read
   * of any key is a hit.
   */
  FILLRANDOM(Database.READ, true),
  /**
   * Overwrites keys drawn at random (with replacement) in the filled database, then flushes and
   * compacts it (untimed) so that the reads after it start from a steady state again.
   */
  OVERWRITE(Database.READ, true),
  /** Point reads of keys drawn at random from the filled database: every one is a hit. */
  READRANDOM(Database.READ, false),
  /** Point reads of keys that sort between the stored keys and are never stored: all misses. */
  READMISSING(Database.READ, false),
  /** A scan from a random stored key reading the next {@code --seek-nexts} entries, then closed. */
  SEEKRANDOM(Database.READ, false),
  /** Every stored entry in key order through scans; one operation is one entry. */
  READSEQ(Database.READ, false);

  /** Which database a workload runs on. */
  enum Database {
    /** A new, empty database, deleted after the workload. */
    FRESH,
    /** The one database per engine filled by {@link #FILLRANDOM}, kept between workloads. */
    READ
  }

  final Database database;
  final boolean writes;

  Workload(Database database, boolean writes) {
    this.database = database;
    this.writes = writes;
  }

  /** The db_bench name: {@code fillseq}, {@code readrandom}, ... */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Workload parse(String label) {
    for (Workload workload : values()) {
      if (workload.label().equals(label.trim())) {
        return workload;
      }
    }
    throw new IllegalArgumentException(
        "unknown workload '" + label + "'; known: " + String.join(",", labels()));
  }

  static String[] labels() {
    Workload[] all = values();
    String[] labels = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      labels[i] = all[i].label();
    }
    return labels;
  }
}
