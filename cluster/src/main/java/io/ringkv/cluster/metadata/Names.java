package io.ringkv.cluster.metadata;

import java.util.regex.Pattern;

/**
 * The one rule for names that travel between nodes and appear in output (node ids, datacenters,
 * racks): 1 to 64 characters of letters, digits, '.', '_' and '-', starting with a letter or digit.
 * Narrow on purpose, so that they need no quoting in logs, metrics labels, YAML or the internode
 * format.
 */
final class Names {
  /** The longest name. */
  static final int NAME_CHARS_MAX = 64;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Names() {}

  /**
   * {@code value} if it is a valid name.
   *
   * @throws IllegalArgumentException naming the field, the value and the rule
   */
  static String check(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must be given");
    }
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value
              + "' must be 1 to "
              + NAME_CHARS_MAX
              + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return value;
  }
}
