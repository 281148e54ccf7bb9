package io.ringkv.storage;

import java.nio.file.Path;

/**
 * Stored bytes failed a check (checksum, length, magic number, ordering). Says which file and at
 * which offset, so that an operator can act on it; the engine never returns data that failed one.
 */
public final class CorruptionException extends StorageException {
  private final Path file;
  private final long offset;

  public CorruptionException(Path file, long offset, String problem) {
    super(file + " at offset " + offset + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  public CorruptionException(Path file, long offset, String problem, Throwable cause) {
    super(file + " at offset " + offset + ": " + problem, cause);
    this.file = file;
    this.offset = offset;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Where in the file the damage was found, or -1 if not known. */
  public long offset() {
    return offset;
  }
}
