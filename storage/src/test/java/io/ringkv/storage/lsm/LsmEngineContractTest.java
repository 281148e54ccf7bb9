package io.ringkv.storage.lsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngineContract;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageException;
import org.junit.jupiter.api.Test;

/** The engine contract on {@link LsmEngine}, on the real file system. */
class LsmEngineContractTest extends StorageEngineContract {

  @Override
  protected String engineName() {
    return EngineOptions.ENGINE_LSM;
  }

  @Override
  protected StorageEngine open(EngineOptions options) throws StorageException {
    return LsmEngine.open(options);
  }

  @Test
  void storageEngines_opensTheLsmEngineItIsNamed() throws StorageException {
    try (StorageEngine opened =
        StorageEngines.open(options(temporaryDirectory.resolve("through-storage-engines")))) {
      assertThat(opened).isInstanceOf(LsmEngine.class);
    }
  }

  @Test
  void open_refusesASecondEngineOnTheSameDirectory() {
    assertThatThrownBy(() -> LsmEngine.open(engineOptions))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("locked");
  }
}
