package io.ringkv.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One option of {@code conf/ringkv.yaml}: its dotted path ({@code resp.port}), the values it takes,
 * and its default. Parsing a value checks its type and its range together, so that every rejection
 * has one shape: the option, the value, where the value came from, and what is allowed.
 *
 * <p>Parsed values are {@link Long} (integers, sizes, durations), {@link Boolean}, {@link String}
 * (strings and choices), {@link Path}, or {@link Optional} of {@link String} (secrets). Raw values
 * are what YAML gives (a {@link String}, {@link Long}, {@link Double}, {@link Boolean}, null, or a
 * {@link RawValue.Structure}) or the text of an environment variable or a {@code --set} flag.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigOption {

  /** The family of values an option takes. */
  public enum Kind {
    /** A whole number in [min, max]. */
    INTEGER,
    /** A number of bytes in [min, max], written as a number or with a binary unit (64MiB). */
    SIZE,
    /** A duration in milliseconds in [min, max]. */
    MILLIS,
    /** true or false. */
    BOOLEAN,
    /** Text matching a pattern. */
    STRING,
    /** One of a fixed list of words. */
    CHOICE,
    /** A file system path. */
    PATH,
    /** Optional text that is never echoed back (a password); empty means none. */
    SECRET,
    /** A decimal number in [decimalMin, decimalMax]. */
    DECIMAL
  }

  private static final Pattern SIZE_TEXT =
      Pattern.compile("\\s*(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern INTEGER_TEXT = Pattern.compile("\\s*[+-]?\\d+\\s*");

  private final String path;
  private final Kind kind;
  private final Object defaultValue;
  private final long min;
  private final long max;
  private final List<String> choices;
  private final Pattern pattern;
  private final String patternDescription;
  private final double decimalMin;
  private final double decimalMax;

  private ConfigOption(
      String path,
      Kind kind,
      Object defaultValue,
      long min,
      long max,
      List<String> choices,
      Pattern pattern,
      String patternDescription,
      double decimalMin,
      double decimalMax) {
    this.path = path;
    this.decimalMin = decimalMin;
    this.decimalMax = decimalMax;
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.min = min;
    this.max = max;
    this.choices = choices;
    this.pattern = pattern;
    this.patternDescription = patternDescription;
  }

  static ConfigOption integer(String path, long defaultValue, long min, long max) {
    return new ConfigOption(
        path, Kind.INTEGER, defaultValue, min, max, List.of(), null, null, 0, 0);
  }

  static ConfigOption size(String path, long defaultValue, long min, long max) {
    return new ConfigOption(path, Kind.SIZE, defaultValue, min, max, List.of(), null, null, 0, 0);
  }

  static ConfigOption millis(String path, long defaultValue, long min, long max) {
    return new ConfigOption(path, Kind.MILLIS, defaultValue, min, max, List.of(), null, null, 0, 0);
  }

  static ConfigOption bool(String path, boolean defaultValue) {
    return new ConfigOption(path, Kind.BOOLEAN, defaultValue, 0, 0, List.of(), null, null, 0, 0);
  }

  static ConfigOption string(
      String path, String defaultValue, Pattern pattern, String patternDescription) {
    return new ConfigOption(
        path, Kind.STRING, defaultValue, 0, 0, List.of(), pattern, patternDescription, 0, 0);
  }

  static ConfigOption choice(String path, String defaultValue, List<String> choices) {
    return new ConfigOption(
        path, Kind.CHOICE, defaultValue, 0, 0, List.copyOf(choices), null, null, 0, 0);
  }

  static ConfigOption path(String path, String defaultValue) {
    return new ConfigOption(
        path, Kind.PATH, Path.of(defaultValue), 0, 0, List.of(), null, null, 0, 0);
  }

  static ConfigOption decimal(String path, double defaultValue, double min, double max) {
    return new ConfigOption(
        path, Kind.DECIMAL, defaultValue, 0, 0, List.of(), null, null, min, max);
  }

  static ConfigOption secret(String path) {
    return new ConfigOption(path, Kind.SECRET, Optional.empty(), 0, 0, List.of(), null, null, 0, 0);
  }

  /** The dotted path, such as {@code resp.port}. */
  public String path() {
    return path;
  }

  /** The section, the part of the path before the dot ({@code resp}). */
  public String section() {
    return path.substring(0, path.indexOf('.'));
  }

  /** The key within the section, the part after the dot ({@code port}). */
  public String key() {
    return path.substring(path.indexOf('.') + 1);
  }

  public Kind kind() {
    return kind;
  }

  /** The value used when no source sets the option, in parsed form. */
  public Object defaultValue() {
    return defaultValue;
  }

  /** The environment variable that sets this option: {@code RINGKV_RESP_PORT}. */
  public String environmentVariable() {
    return "RINGKV_" + path.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** What values are allowed, as a phrase: "an integer from 0 to 65535". */
  public String allowed() {
    return switch (kind) {
      case INTEGER -> "an integer " + range(min, max, false);
      case SIZE ->
          "a size in bytes "
              + range(min, max, true)
              + ", written as a number or with a unit (B, KiB, MiB, GiB, TiB), such as 64MiB";
      case MILLIS -> "a duration in milliseconds " + range(min, max, false);
      case BOOLEAN -> "true or false";
      case STRING -> patternDescription;
      case CHOICE -> "one of " + String.join(", ", choices);
      case PATH -> "a file system path";
      case SECRET -> "a text (empty for none)";
      case DECIMAL -> "a number from " + decimalMin + " to " + decimalMax;
    };
  }

  /**
   * Parses and checks {@code raw}.
   *
   * @param raw the value as YAML, the environment or {@code --set} gave it
   * @param source where the value came from, for the message ("in conf/ringkv.yaml line 3")
   * @return the parsed value
   * @throws ConfigException naming the option, the value, the source and what is allowed
   */
  Object parse(Object raw, String source) {
    if (raw instanceof RawValue.Structure structure) {
      throw invalid("a " + structure.description(), source);
    }
    Object parsed =
        switch (kind) {
          case INTEGER, MILLIS -> parseInteger(raw);
          case SIZE -> parseSize(raw);
          case BOOLEAN -> parseBoolean(raw);
          case STRING -> parseString(raw);
          case CHOICE -> parseChoice(raw);
          case PATH -> parsePath(raw);
          case SECRET -> parseSecret(raw);
          case DECIMAL -> parseDecimal(raw);
        };
    if (parsed == null) {
      throw invalid(display(raw), source);
    }
    if (parsed instanceof Long number && (number < min || number > max)) {
      throw invalid(display(raw), source);
    }
    if (parsed instanceof Double number && !(number >= decimalMin && number <= decimalMax)) {
      throw invalid(display(raw), source);
    }
    return parsed;
  }

  private ConfigException invalid(String shown, String source) {
    return new ConfigException(path + " is " + shown + " (" + source + "); allowed: " + allowed());
  }

  /** How a rejected raw value is shown: quoted text, bare numbers, never a secret. */
  private String display(Object raw) {
    if (kind == Kind.SECRET) {
      return "hidden";
    }
    if (raw == null) {
      return "empty";
    }
    if (raw instanceof String text) {
      return "'" + text + "'";
    }
    return String.valueOf(raw);
  }

  private static Long parseInteger(Object raw) {
    if (raw instanceof Long number) {
      return number;
    }
    if (raw instanceof String text && INTEGER_TEXT.matcher(text).matches()) {
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException tooLarge) {
        return null;
      }
    }
    return null;
  }

  private static Double parseDecimal(Object raw) {
    if (raw instanceof Double number) {
      return number;
    }
    if (raw instanceof Long number) {
      return number.doubleValue();
    }
    if (raw instanceof String text && text.trim().matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)")) {
      return Double.parseDouble(text.trim());
    }
    return null;
  }

  private static Long parseSize(Object raw) {
    if (raw instanceof Long number) {
      return number;
    }
    if (!(raw instanceof String text)) {
      return null;
    }
    Matcher matcher = SIZE_TEXT.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
    int shift =
        switch (unit) {
          case "KIB" -> 10;
          case "MIB" -> 20;
          case "GIB" -> 30;
          case "TIB" -> 40;
          default -> 0;
        };
    try {
      long number = Long.parseLong(matcher.group(1));
      if (number > (Long.MAX_VALUE >> shift)) {
        return null;
      }
      return number << shift;
    } catch (NumberFormatException tooLarge) {
      return null;
    }
  }

  private static Boolean parseBoolean(Object raw) {
    if (raw instanceof Boolean bool) {
      return bool;
    }
    if (raw instanceof String text) {
      String word = text.trim().toLowerCase(Locale.ROOT);
      if (word.equals("true")) {
        return true;
      }
      if (word.equals("false")) {
        return false;
      }
    }
    return null;
  }

  /** Any scalar's text: YAML reads {@code id: 7} as a number, but an id is text. */
  private static String scalarText(Object raw) {
    if (raw instanceof String text) {
      return text;
    }
    if (raw instanceof Long || raw instanceof Boolean) {
      return String.valueOf(raw);
    }
    return null;
  }

  private String parseString(Object raw) {
    // YAML reads "key:" with nothing after it as null: the empty text, where the pattern allows it.
    String text = raw == null ? "" : scalarText(raw);
    return text != null && pattern.matcher(text).matches() ? text : null;
  }

  private String parseChoice(Object raw) {
    String text = scalarText(raw);
    if (text == null) {
      return null;
    }
    String word = text.trim().toLowerCase(Locale.ROOT);
    return choices.contains(word) ? word : null;
  }

  private static Path parsePath(Object raw) {
    String text = scalarText(raw);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static Optional<String> parseSecret(Object raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String text = scalarText(raw);
    if (text == null) {
      return null;
    }
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  private static String range(long min, long max, boolean bytes) {
    if (max == Long.MAX_VALUE) {
      return "of at least " + (bytes ? bytes(min) : Long.toString(min));
    }
    return "from "
        + (bytes ? bytes(min) : Long.toString(min))
        + " to "
        + (bytes ? bytes(max) : Long.toString(max));
  }

  /** {@code 65536} as "64 KiB", {@code 1000} as "1000". */
  static String bytes(long value) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (value >= unit && value % unit == 0) {
        return (value >> shifts[i]) + " " + units[i];
      }
    }
    return Long.toString(value);
  }

  @Override
  public String toString() {
    return path;
  }
}
