package io.ringkv.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** What build this is, read from the resource that Maven filters at build time. */
public final class BuildInfo implements CommandLine.IVersionProvider {

  /** The ringkv version, such as {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    Properties properties = new Properties();
    try (InputStream in =
        BuildInfo.class.getResourceAsStream("/io/ringkv/server/version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the server jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
    return properties.getProperty("version");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "ringkv " + version(),
      "java "
          + Runtime.version()
          + " ("
          + System.getProperty("java.vm.vendor")
          + ", "
          + System.getProperty("java.home")
          + ")"
    };
  }
}
