package io.ringkv.server.node;

import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.storage.CellIterator;
import io.ringkv.storage.KeyRange;
import io.ringkv.storage.ScanMode;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The layout of the stored keys in a node's engine, recorded in a {@value #FILE_NAME} file in the
 * node's data directory, beside the engine's directory (docs/decisions/009-keyspace-in-stored-
 * keys.md).
 *
 * <p>Why: the stored key's layout ({@link KeyCodec}) is not visible in the engine's own files, and
 * a node reading keys of another layout would misread every key (a user key's first four bytes
 * taken for a keyspace tag). The layouts so far:
 *
 * <ul>
 *   <li>1: token, then user key. Never recorded: an engine holding data and no layout file is it.
 *   <li>2: token, keyspace tag, then user key ({@link #CURRENT}).
 * </ul>
 *
 * <p>On start, after the engine is open: a recorded layout other than {@link #CURRENT} is refused;
 * no file and an empty engine (a new node) records {@link #CURRENT}; no file and an engine holding
 * any cell (tombstones included) is layout 1 and is refused. A refusal names the directory, the
 * layout found, the one needed and what to do. There is no conversion: the project is pre-1.0.
 *
 * <p>Not thread-safe: called once, by the node's start.
 */
final class StoredKeyLayout {
  /** The file holding the layout, in the node's data directory. */
  static final String FILE_NAME = "layout";

  /** The layout this build reads and writes. */
  static final int CURRENT = 2;

  /** The layout of data directories written before the layout was recorded. */
  static final int UNRECORDED = 1;

  /** The largest layout file read; a real one is one short line. */
  private static final int FILE_BYTES_MAX = 256;

  private static final String PREFIX = "stored-keys ";

  private StoredKeyLayout() {}

  /**
   * Checks (and, for a new node, records) the layout of {@code engine}, opened from {@code
   * directory}.
   *
   * @throws NodeStartException STORAGE_FAILED for a directory of another layout or a layout file
   *     that cannot be read or written
   */
  static void check(Path directory, StorageEngine engine) throws NodeStartException {
    Path file = directory.resolve(FILE_NAME);
    int found;
    if (Files.exists(file)) {
      found = read(file);
    } else if (holdsData(directory, engine)) {
      found = UNRECORDED;
    } else {
      write(file);
      return;
    }
    if (found != CURRENT) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "data directory "
              + directory
              + " holds stored keys of layout "
              + found
              + (found == UNRECORDED
                  ? " (token then user key, from before keyspaces had tags)"
                  : "")
              + ", and this version needs layout "
              + CURRENT
              + " (token, keyspace tag, user key); there is no conversion: start the node on an"
              + " empty data directory (move this one away, or delete it if its data is not"
              + " needed) and let repair or a reload refill it",
          null);
    }
  }

  private static boolean holdsData(Path directory, StorageEngine engine) throws NodeStartException {
    try (CellIterator cells = engine.scan(new KeyRange(null, null), ScanMode.ALL)) {
      return cells.hasNext();
    } catch (StorageException | CellIterator.UncheckedStorageException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot read the storage in "
              + directory
              + " to tell its stored-key layout: "
              + e.getMessage(),
          e);
    }
  }

  private static int read(Path file) throws NodeStartException {
    String text;
    try {
      if (Files.size(file) > FILE_BYTES_MAX) {
        throw new IOException(
            "it is over " + FILE_BYTES_MAX + " bytes, " + Files.size(file) + " bytes");
      }
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot read the stored-key layout file " + file + ": " + e.getMessage(),
          e);
    }
    try {
      if (!text.startsWith(PREFIX)) {
        throw new NumberFormatException("no '" + PREFIX.strip() + "'");
      }
      return Integer.parseInt(text.substring(PREFIX.length()).strip());
    } catch (NumberFormatException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "the stored-key layout file "
              + file
              + " is damaged: it holds '"
              + text
              + "', expected '"
              + PREFIX
              + CURRENT
              + "'",
          e);
    }
  }

  /** Writes the file durably: a temporary file, fsynced, renamed over. */
  private static void write(Path file) throws NodeStartException {
    Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        channel.write(
            java.nio.ByteBuffer.wrap((PREFIX + CURRENT + "\n").getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          NodeStartException.Kind.STORAGE_FAILED,
          "cannot record the stored-key layout in " + file + ": " + e.getMessage(),
          e);
    }
  }
}
