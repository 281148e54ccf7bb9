package io.ringkv.server.resp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments with the quoting rules of Redis' {@code
 * sdssplitargs}, so that what a person types into {@code redis-cli} or {@code telnet} means the
 * same here: arguments are separated by whitespace; {@code "..."} may hold the escapes {@code \n \r
 * \t \b \a \\ \"} and {@code \xHH}; {@code '...'} takes everything literally except {@code \'}; a
 * closing quote must be followed by whitespace or the end of the line.
 *
 * <p>One difference: a NUL byte outside quotes is an ordinary byte here (Redis' C string would end
 * the line there). Stateless.
 */
final class InlineSplitter {
  private InlineSplitter() {}

  /**
   * The arguments of {@code line} (without its line ending), or null if its quotes are unbalanced.
   */
  static byte[][] split(byte[] line) {
    List<byte[]> arguments = new ArrayList<>();
    int index = 0;
    int length = line.length;
    while (true) {
      while (index < length && isSpace(line[index])) {
        index++;
      }
      if (index >= length) {
        return arguments.toArray(new byte[0][]);
      }
      ByteArrayOutputStream current = new ByteArrayOutputStream();
      boolean inDoubleQuotes = false;
      boolean inSingleQuotes = false;
      boolean done = false;
      while (!done) {
        if (inDoubleQuotes) {
          if (index >= length) {
            return null;
          }
          byte b = line[index];
          if (b == '\\'
              && index + 3 < length
              && line[index + 1] == 'x'
              && isHex(line[index + 2])
              && isHex(line[index + 3])) {
            current.write(hex(line[index + 2]) * 16 + hex(line[index + 3]));
            index += 3;
          } else if (b == '\\' && index + 1 < length) {
            index++;
            current.write(
                switch (line[index]) {
                  case 'n' -> '\n';
                  case 'r' -> '\r';
                  case 't' -> '\t';
                  case 'b' -> '\b';
                  case 'a' -> 7;
                  default -> line[index];
                });
          } else if (b == '"') {
            if (index + 1 < length && !isSpace(line[index + 1])) {
              return null;
            }
            done = true;
          } else {
            current.write(b);
          }
        } else if (inSingleQuotes) {
          if (index >= length) {
            return null;
          }
          byte b = line[index];
          if (b == '\\' && index + 1 < length && line[index + 1] == '\'') {
            index++;
            current.write('\'');
          } else if (b == '\'') {
            if (index + 1 < length && !isSpace(line[index + 1])) {
              return null;
            }
            done = true;
          } else {
            current.write(b);
          }
        } else {
          if (index >= length) {
            done = true;
          } else {
            byte b = line[index];
            switch (b) {
              case ' ', '\n', '\r', '\t' -> done = true;
              case '"' -> inDoubleQuotes = true;
              case '\'' -> inSingleQuotes = true;
              default -> current.write(b);
            }
          }
        }
        if (index < length) {
          index++;
        }
      }
      arguments.add(current.toByteArray());
    }
  }

  /** C's isspace in the C locale. */
  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    return (b | 0x20) - 'a' + 10;
  }
}
