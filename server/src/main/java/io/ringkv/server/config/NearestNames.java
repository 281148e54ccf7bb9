package io.ringkv.server.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Finds the known names nearest to a misspelt one, for "did you mean" hints. Distance is the
 * optimal string alignment distance (Levenshtein with adjacent transpositions: {@code prot} is one
 * edit from {@code port}), ignoring case. Static helpers only; thread-safe.
 */
final class NearestNames {
  /** At most this many suggestions are offered at once. */
  static final int SUGGESTIONS_MAX = 3;

  private NearestNames() {}

  /**
   * The known names nearest to {@code unknown}, at most {@link #SUGGESTIONS_MAX}, or none when even
   * the nearest is too far to be a plausible typo (more than a third of the name, and more than 2).
   */
  static List<String> nearest(String unknown, Collection<String> known) {
    int limit = Math.max(2, unknown.length() / 3);
    int best = Integer.MAX_VALUE;
    List<String> bestNames = new ArrayList<>();
    for (String name : known) {
      int distance = distance(unknown, name);
      if (distance > limit || distance > best) {
        continue;
      }
      if (distance < best) {
        best = distance;
        bestNames.clear();
      }
      if (bestNames.size() < SUGGESTIONS_MAX) {
        bestNames.add(name);
      }
    }
    return bestNames;
  }

  /** The optimal string alignment distance between {@code a} and {@code b}, ignoring case. */
  static int distance(String a, String b) {
    String s = a.toLowerCase(Locale.ROOT);
    String t = b.toLowerCase(Locale.ROOT);
    int[][] d = new int[s.length() + 1][t.length() + 1];
    for (int i = 0; i <= s.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= t.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= s.length(); i++) {
      for (int j = 1; j <= t.length(); j++) {
        int cost = s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1;
        int value = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && s.charAt(i - 1) == t.charAt(j - 2)
            && s.charAt(i - 2) == t.charAt(j - 1)) {
          value = Math.min(value, d[i - 2][j - 2] + 1);
        }
        d[i][j] = value;
      }
    }
    return d[s.length()][t.length()];
  }

  /** "'a'", "'a' or 'b'", "'a', 'b' or 'c'". */
  static String quotedList(List<String> names) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        text.append(i == names.size() - 1 ? " or " : ", ");
      }
      text.append('\'').append(names.get(i)).append('\'');
    }
    return text.toString();
  }
}
