package io.ringkv.storage;

/**
 * A write refused at the edge because it breaks a limit or is malformed (null key, key longer than
 * key_bytes_max, ...). Nothing was written; the message names the limit. Callers map it to a client
 * error rather than a server failure.
 */
public final class WriteRefusedException extends StorageException {
  public WriteRefusedException(String message) {
    super(message);
  }
}
