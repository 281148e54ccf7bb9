package io.ringkv.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code hints} section: hinted handoff, the writes a coordinator keeps on disk for a replica
 * that was down or did not answer, and delivers when the replica is seen up again. Ranges are
 * checked by {@link ConfigSchema}, relations by {@link NodeConfig}; this record only refuses values
 * no configuration could mean.
 *
 * @param enabled whether the node stores hints; without them a missed write waits for read repair
 *     or anti-entropy
 * @param directory where the hint logs live; empty for {@code <node directory>/hints} (see {@link
 *     NodeConfig#hintsDirectory()}); relative paths are relative to the working directory
 * @param windowMillis hints older than this are dropped (not delivered) and counted as repair debt
 * @param maxBytesPerTarget hint bytes kept on disk for one target node; more are dropped and
 *     counted as repair debt
 * @param throttleBytesPerSecond delivery rate per target in bytes per second; 0 for no limit
 */
public record HintsSection(
    boolean enabled,
    Optional<Path> directory,
    long windowMillis,
    long maxBytesPerTarget,
    long throttleBytesPerSecond) {

  public HintsSection {
    Objects.requireNonNull(directory, "directory");
    if (windowMillis <= 0 || maxBytesPerTarget <= 0 || throttleBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "hints.window_millis and hints.max_bytes_per_target must be positive and"
              + " hints.throttle_bytes_per_second not negative, were "
              + windowMillis
              + ", "
              + maxBytesPerTarget
              + " and "
              + throttleBytesPerSecond);
    }
  }
}
