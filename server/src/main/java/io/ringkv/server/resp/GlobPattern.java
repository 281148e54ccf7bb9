package io.ringkv.server.resp;

/**
 * Glob matching with the syntax of Redis' {@code stringmatchlen} (SCAN MATCH, CONFIG GET): {@code
 * *} any run of bytes, {@code ?} any one byte, {@code [abc]}, {@code [^abc]} and {@code [a-z]}
 * sets, {@code \x} the byte x itself. Bytes are compared as bytes (a key need not be text),
 * optionally ignoring ASCII case.
 *
 * <p>Where Redis recurses on every {@code *} (and so caps the nesting to avoid exponential time),
 * this matcher backtracks only to the last {@code *}, which gives the same answers in O(pattern ×
 * subject) time for any pattern. An unclosed {@code [} takes the rest of the pattern as the set, as
 * Redis does.
 *
 * <p>Stateless.
 */
final class GlobPattern {
  private GlobPattern() {}

  static boolean matches(byte[] pattern, byte[] subject, boolean ignoreCase) {
    int p = 0;
    int s = 0;
    int starPattern = -1;
    int starSubject = -1;
    while (s < subject.length) {
      if (p < pattern.length && pattern[p] == '*') {
        while (p < pattern.length && pattern[p] == '*') {
          p++;
        }
        if (p == pattern.length) {
          return true;
        }
        starPattern = p;
        starSubject = s;
        continue;
      }
      int next = p < pattern.length ? matchOne(pattern, p, subject[s], ignoreCase) : -1;
      if (next >= 0) {
        p = next;
        s++;
      } else if (starPattern >= 0) {
        p = starPattern;
        s = ++starSubject;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] == '*') {
      p++;
    }
    return p == pattern.length;
  }

  /**
   * Matches the single-byte element of the pattern at {@code p} (not a star) against {@code b}.
   *
   * @return the index after the element if it matches, else -1
   */
  private static int matchOne(byte[] pattern, int p, byte b, boolean ignoreCase) {
    byte element = pattern[p];
    if (element == '?') {
      return p + 1;
    }
    if (element == '[') {
      return matchSet(pattern, p + 1, b, ignoreCase);
    }
    if (element == '\\' && p + 1 < pattern.length) {
      return same(pattern[p + 1], b, ignoreCase) ? p + 2 : -1;
    }
    return same(element, b, ignoreCase) ? p + 1 : -1;
  }

  private static int matchSet(byte[] pattern, int p, byte b, boolean ignoreCase) {
    boolean negate = p < pattern.length && pattern[p] == '^';
    if (negate) {
      p++;
    }
    boolean matched = false;
    while (p < pattern.length && pattern[p] != ']') {
      if (pattern[p] == '\\' && p + 1 < pattern.length) {
        p++;
        matched |= same(pattern[p], b, ignoreCase);
        p++;
      } else if (p + 2 < pattern.length && pattern[p + 1] == '-') {
        int start = pattern[p] & 0xff;
        int end = pattern[p + 2] & 0xff;
        if (start > end) {
          int swap = start;
          start = end;
          end = swap;
        }
        int value = b & 0xff;
        if (ignoreCase) {
          start = lower(start);
          end = lower(end);
          value = lower(value);
        }
        matched |= value >= start && value <= end;
        p += 3;
      } else {
        matched |= same(pattern[p], b, ignoreCase);
        p++;
      }
    }
    // p is at ']' or, for an unclosed set, at the end of the pattern.
    if (negate) {
      matched = !matched;
    }
    if (!matched) {
      return -1;
    }
    return p < pattern.length ? p + 1 : p;
  }

  private static boolean same(byte a, byte b, boolean ignoreCase) {
    return a == b || (ignoreCase && lower(a & 0xff) == lower(b & 0xff));
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }
}
