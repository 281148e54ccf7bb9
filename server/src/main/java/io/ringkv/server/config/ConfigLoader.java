package io.ringkv.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Loads a {@link NodeConfig} from three sources, each overriding the one before: the YAML file
 * ({@code conf/ringkv.yaml} or {@code --config FILE}), {@code RINGKV_*} environment variables
 * ({@code RINGKV_RESP_PORT=6380} sets {@code resp.port}), and {@code --set key=value} flags ({@code
 * --set resp.port=6380}). Options no source sets keep their defaults ({@link ConfigSchema}).
 *
 * <p>Every problem in every source is collected before anything is reported, and each names the
 * option, the value, where it came from (file and line, variable, or flag) and what is allowed. An
 * unknown option is an error that suggests the nearest known one: a misspelt option silently
 * ignored is a setting the operator believes is in force and is not.
 *
 * <p>The file is read with Jackson's streaming YAML parser rather than bound to classes, so that
 * messages can give the line of each value and so that the option list lives in one place ({@link
 * ConfigSchema}) for the file, the environment and the flags alike.
 *
 * <p>Static helpers; thread-safe.
 */
public final class ConfigLoader {
  /** Where {@code ringkv server} looks for its file when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("conf", "ringkv.yaml");

  /** Prefix of the environment variables that set options. */
  public static final String ENVIRONMENT_PREFIX = "RINGKV_";

  /** A configuration file larger than this is refused rather than parsed. */
  static final long FILE_BYTES_MAX = 1 << 20;

  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigLoader() {}

  /**
   * The file to read: {@code explicit} when given, else {@link #DEFAULT_FILE} if it exists in the
   * working directory, else none (built-in defaults, which equal the shipped file).
   */
  public static Optional<Path> chooseFile(Path explicit) {
    if (explicit != null) {
      return Optional.of(explicit);
    }
    return Files.isRegularFile(DEFAULT_FILE) ? Optional.of(DEFAULT_FILE) : Optional.empty();
  }

  /**
   * Loads and validates a configuration.
   *
   * @param file the YAML file, or null for none
   * @param environment the process environment (injectable for tests); variables not starting with
   *     {@link #ENVIRONMENT_PREFIX}, and the launcher's own, are ignored
   * @param sets {@code key=value} overrides, in order; a later one wins
   * @throws ConfigException listing every problem found
   */
  public static NodeConfig load(Path file, Map<String, String> environment, List<String> sets) {
    Map<String, RawValue> raw = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    if (file != null) {
      readFile(file, raw, problems);
    }
    readEnvironment(environment, raw, problems);
    readSets(sets, raw, problems);

    Map<String, Object> values = ConfigBinder.defaultValues();
    for (Map.Entry<String, RawValue> entry : raw.entrySet()) {
      ConfigOption option = ConfigSchema.require(entry.getKey());
      try {
        values.put(
            option.path(), option.parse(entry.getValue().value(), entry.getValue().source()));
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return ConfigBinder.bind(values);
  }

  /** The defaults with {@code sets} ({@code key=value}) applied; no file, no environment. */
  public static NodeConfig fromSets(String... sets) {
    return load(null, Map.of(), List.of(sets));
  }

  // ------------------------------------------------------------------------------------ file

  /**
   * Reads {@code file} into {@code raw}. A file that is not valid YAML contributes nothing but the
   * syntax error: what was read before the error may be misread, and reporting it would mislead.
   */
  private static void readFile(Path file, Map<String, RawValue> raw, List<String> problems) {
    Map<String, RawValue> fileValues = new LinkedHashMap<>();
    List<String> fileProblems = new ArrayList<>();
    String syntaxError = parseFile(file, fileValues, fileProblems);
    if (syntaxError != null) {
      problems.add(syntaxError);
    } else {
      raw.putAll(fileValues);
      problems.addAll(fileProblems);
    }
  }

  /** Parses {@code file}; returns the syntax error, or null if the file is valid YAML. */
  private static String parseFile(Path file, Map<String, RawValue> raw, List<String> problems) {
    if (!Files.exists(file)) {
      problems.add("config file " + file + " does not exist");
      return null;
    }
    try {
      if (!Files.isRegularFile(file)) {
        problems.add("config file " + file + " is not a regular file");
        return null;
      }
      if (Files.size(file) > FILE_BYTES_MAX) {
        problems.add(
            "config file "
                + file
                + " is larger than "
                + FILE_BYTES_MAX
                + " bytes; is it the right file?");
        return null;
      }
      try (JsonParser parser = YAML.createParser(file.toFile())) {
        JsonToken first = parser.nextToken();
        if (first == null || first == JsonToken.VALUE_NULL || isEmptyText(parser, first)) {
          return null; // an empty file: every option at its default
        }
        if (first != JsonToken.START_OBJECT) {
          problems.add(
              "config file "
                  + file
                  + " must hold a mapping of sections ("
                  + String.join(", ", ConfigSchema.SECTIONS)
                  + "), not a "
                  + (first == JsonToken.START_ARRAY ? "list" : "single value"));
          return null;
        }
        readMapping(parser, "", file, raw, problems);
        return null;
      }
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      // SnakeYAML's message goes on with a quote of the line and a caret; the first line says it.
      String reason = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
      return "config file "
          + file
          + " is not valid YAML"
          + (where == null
              ? ""
              : " at line " + where.getLineNr() + " column " + where.getColumnNr())
          + ": "
          + reason;
    } catch (IOException e) {
      problems.add("cannot read config file " + file + ": " + e.getMessage());
      return null;
    }
  }

  /** YAML gives an empty scalar ({@code key:} with nothing after it) as empty text. */
  private static boolean isEmptyText(JsonParser parser, JsonToken token) throws IOException {
    return token == JsonToken.VALUE_STRING && parser.getText().isEmpty();
  }

  /** Reads the mapping the parser has just entered, whose keys extend {@code prefix}. */
  private static void readMapping(
      JsonParser parser, String prefix, Path file, Map<String, RawValue> raw, List<String> problems)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      String path = prefix.isEmpty() ? name : prefix + '.' + name;
      String source = "in " + file + " line " + parser.currentTokenLocation().getLineNr();
      boolean known = ConfigSchema.find(path).isPresent();
      boolean section = prefix.isEmpty() && ConfigSchema.SECTIONS.contains(name);
      JsonToken token = parser.nextToken();
      switch (token) {
        case START_OBJECT -> {
          if (known) {
            raw.put(path, new RawValue(RawValue.Structure.MAPPING, source));
            parser.skipChildren();
          } else {
            readMapping(parser, path, file, raw, problems);
          }
        }
        case START_ARRAY -> {
          parser.skipChildren();
          if (known) {
            raw.put(path, new RawValue(RawValue.Structure.LIST, source));
          } else if (section) {
            problems.add(sectionNotMapping(path, source));
          } else {
            problems.add(ConfigSchema.unknownOption(path, source));
          }
        }
        default -> {
          Object value = scalar(parser, token);
          if (known) {
            raw.put(path, new RawValue(value, source));
          } else if (section) {
            if (value != null) {
              problems.add(sectionNotMapping(path, source));
            }
          } else {
            problems.add(ConfigSchema.unknownOption(path, source));
          }
        }
      }
    }
  }

  private static String sectionNotMapping(String section, String source) {
    return section
        + " "
        + source
        + " is a section, not a single value: put its options under it, indented ("
        + String.join(", ", ConfigSchema.keysOf(section))
        + ")";
  }

  private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_NULL -> null;
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NUMBER_INT ->
          parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? parser.getText()
              : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      // An empty scalar (`key:` with nothing after it) is YAML's null.
      default -> parser.getText().isEmpty() ? null : parser.getText();
    };
  }

  // ---------------------------------------------------------------- environment and flags

  private static void readEnvironment(
      Map<String, String> environment, Map<String, RawValue> raw, List<String> problems) {
    // Sorted, so that messages come in a stable order.
    for (Map.Entry<String, String> entry : new TreeMap<>(environment).entrySet()) {
      String variable = entry.getKey();
      if (!variable.startsWith(ENVIRONMENT_PREFIX)
          || ConfigSchema.LAUNCHER_VARIABLES.contains(variable)) {
        continue;
      }
      String path = ConfigSchema.pathOfVariable(variable);
      String source = "from environment variable " + variable;
      if (ConfigSchema.find(path).isPresent()) {
        raw.put(path, new RawValue(entry.getValue(), source));
      } else {
        problems.add(ConfigSchema.unknownOption(path, source));
      }
    }
  }

  private static void readSets(
      List<String> sets, Map<String, RawValue> raw, List<String> problems) {
    for (String set : sets) {
      int equals = set.indexOf('=');
      if (equals <= 0) {
        problems.add("--set '" + set + "' is not key=value (such as --set resp.port=6380)");
        continue;
      }
      String path = set.substring(0, equals).trim();
      String source = "from --set";
      if (ConfigSchema.find(path).isPresent()) {
        raw.put(path, new RawValue(set.substring(equals + 1), source));
      } else {
        problems.add(ConfigSchema.unknownOption(path, source));
      }
    }
  }
}
