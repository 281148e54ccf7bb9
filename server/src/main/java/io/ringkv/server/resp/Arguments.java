package io.ringkv.server.resp;

import java.nio.charset.StandardCharsets;

/** Reading command arguments the way Redis does: case-insensitive words, strict integers. */
final class Arguments {
  private Arguments() {}

  /** Whether {@code argument} is {@code lowercaseWord} in any ASCII case. */
  static boolean is(byte[] argument, String lowercaseWord) {
    if (argument.length != lowercaseWord.length()) {
      return false;
    }
    for (int i = 0; i < argument.length; i++) {
      byte b = argument[i];
      int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
      if (lower != lowercaseWord.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a signed 64-bit decimal as Redis' {@code string2ll} does: no spaces, no '+', no leading
   * zeros.
   *
   * @throws CommandError {@code ERR value is not an integer or out of range}
   */
  static long parseLong(byte[] argument) {
    int length = argument.length;
    if (length == 0 || length > 20) {
      throw CommandError.notAnInteger();
    }
    if (length == 1 && argument[0] == '0') {
      return 0;
    }
    boolean negative = argument[0] == '-';
    int index = negative ? 1 : 0;
    if (index >= length || argument[index] < '1' || argument[index] > '9') {
      throw CommandError.notAnInteger();
    }
    long value = 0;
    for (; index < length; index++) {
      int digit = argument[index] - '0';
      if (digit < 0 || digit > 9) {
        throw CommandError.notAnInteger();
      }
      // Accumulate negatively: the negative range is one larger.
      if (value < (Long.MIN_VALUE + digit) / 10) {
        throw CommandError.notAnInteger();
      }
      value = value * 10 - digit;
    }
    if (!negative) {
      if (value == Long.MIN_VALUE) {
        throw CommandError.notAnInteger();
      }
      return -value;
    }
    return value;
  }

  /** The argument's bytes as a string of the same code points (ISO-8859-1), for messages. */
  static String text(byte[] argument) {
    return new String(argument, StandardCharsets.ISO_8859_1);
  }

  /** Like {@link #text} but at most {@code max} characters, as Redis quotes arguments. */
  static String text(byte[] argument, int max) {
    return new String(argument, 0, Math.min(argument.length, max), StandardCharsets.ISO_8859_1);
  }

  /** The argument as UTF-8 text (names, levels, patterns given by people). */
  static String utf8(byte[] argument) {
    return new String(argument, StandardCharsets.UTF_8);
  }
}
