package io.ringkv.storage;

import java.io.IOException;

/**
 * An operating error of the engine that the caller must handle (STYLE.md §3): an I/O failure,
 * corruption, an engine that refuses writes after a failed fsync, or a write refused at the edge.
 * Programmer errors (a broken invariant) are {@link AssertionError}s or unchecked exceptions.
 */
public class StorageException extends IOException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
