package io.ringkv.server.config;

import java.nio.file.Path;

/**
 * The {@code node} section: who the node is and where it keeps its files.
 *
 * @param id the node's name, unique in its cluster; also the name of its directory
 * @param dataDirectory the directory that holds a directory per node ({@code ./data}); relative
 *     paths are relative to the working directory
 * @param shutdownTimeoutMillis how long a stopping node waits for its front ends to finish
 *     in-flight requests before it syncs and closes the storage anyway
 */
public record NodeSection(String id, Path dataDirectory, long shutdownTimeoutMillis) {
  public NodeSection {
    if (id == null || dataDirectory == null) {
      throw new IllegalArgumentException("id and dataDirectory must not be null");
    }
  }

  /** This node's own directory, {@code <data_directory>/<id>}: {@code ./data/node-1}. */
  public Path directory() {
    return dataDirectory.resolve(id);
  }
}
