package io.ringkv.storage;

import io.ringkv.storage.rocks.RocksEngine;

/**
 * Opens the engine that {@link EngineOptions#engine()} names: the one entry point the server, the
 * benchmarks and the tools use, so that switching engines is a configuration change. Static helpers
 * only; thread-safe.
 */
public final class StorageEngines {
  private StorageEngines() {}

  /**
   * Validates {@code options} and opens the engine they name in their directory.
   *
   * @throws IllegalArgumentException if the options are invalid (the message names the field, the
   *     value and what is allowed)
   * @throws StorageException if the engine cannot open its directory
   */
  public static StorageEngine open(EngineOptions options) throws StorageException {
    options.validate();
    return switch (options.engine()) {
      case EngineOptions.ENGINE_ROCKSDB -> RocksEngine.open(options);
      case EngineOptions.ENGINE_LSM -> io.ringkv.storage.lsm.LsmEngine.open(options);
      default ->
          // validate() admits only the names above; a new name must be added here too.
          throw new AssertionError("no engine named " + options.engine());
    };
  }
}
