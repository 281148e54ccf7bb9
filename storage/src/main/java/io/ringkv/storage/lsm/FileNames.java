package io.ringkv.storage.lsm;

import java.nio.file.Path;

/**
 * The names of an engine's files. Every file but CURRENT and LOCK carries a number from one
 * counter, so names never repeat and order of creation is order of number.
 *
 * <pre>
 * 000042.log        a write-ahead log segment
 * 000043.sst        a sorted table
 * MANIFEST-000044   the log of version edits (which tables are live)
 * CURRENT           the name of the manifest in use, replaced by rename
 * LOCK              held while an engine has the directory open
 * *.tmp             a file being written, deleted at open if found
 * </pre>
 */
final class FileNames {
  static final String CURRENT = "CURRENT";
  static final String LOCK = "LOCK";
  static final String MANIFEST_PREFIX = "MANIFEST-";
  static final String LOG_SUFFIX = ".log";
  static final String TABLE_SUFFIX = ".sst";
  static final String TEMP_SUFFIX = ".tmp";

  /** What kind of engine file a name is. */
  enum Kind {
    LOG,
    TABLE,
    MANIFEST,
    CURRENT,
    LOCK,
    TEMP,
    OTHER
  }

  /** A parsed file name: its kind and, for numbered files, its number (else -1). */
  record Parsed(Kind kind, long number) {}

  private FileNames() {}

  static Path log(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, LOG_SUFFIX));
  }

  static Path table(Path dir, long number) {
    return dir.resolve(String.format("%06d%s", number, TABLE_SUFFIX));
  }

  static Path manifest(Path dir, long number) {
    return dir.resolve(String.format("%s%06d", MANIFEST_PREFIX, number));
  }

  static Parsed parse(Path file) {
    String name = file.getFileName().toString();
    if (name.equals(CURRENT)) {
      return new Parsed(Kind.CURRENT, -1);
    }
    if (name.equals(LOCK)) {
      return new Parsed(Kind.LOCK, -1);
    }
    if (name.endsWith(TEMP_SUFFIX)) {
      return new Parsed(Kind.TEMP, -1);
    }
    if (name.startsWith(MANIFEST_PREFIX)) {
      long number = number(name.substring(MANIFEST_PREFIX.length()));
      return new Parsed(number < 0 ? Kind.OTHER : Kind.MANIFEST, number);
    }
    if (name.endsWith(LOG_SUFFIX)) {
      long number = number(name.substring(0, name.length() - LOG_SUFFIX.length()));
      return new Parsed(number < 0 ? Kind.OTHER : Kind.LOG, number);
    }
    if (name.endsWith(TABLE_SUFFIX)) {
      long number = number(name.substring(0, name.length() - TABLE_SUFFIX.length()));
      return new Parsed(number < 0 ? Kind.OTHER : Kind.TABLE, number);
    }
    return new Parsed(Kind.OTHER, -1);
  }

  private static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 18) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(digits);
  }
}
