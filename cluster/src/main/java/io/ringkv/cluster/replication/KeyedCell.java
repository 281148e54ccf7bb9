package io.ringkv.cluster.replication;

import io.ringkv.storage.Cell;
import java.util.Objects;

/**
 * A stored key (token-prefixed, {@link io.ringkv.cluster.ring.KeyCodec}) and its cell.
 *
 * @param key the stored key
 * @param cell the cell
 */
public record KeyedCell(byte[] key, Cell cell) {
  public KeyedCell {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cell, "cell");
  }
}
