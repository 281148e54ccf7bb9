package io.ringkv.server.kv;

import java.util.List;

/**
 * One page of a scan.
 *
 * @param entries keys with their values, in token order (see {@link KeyValueService#scan})
 * @param next where the next page starts, {@link ScanCursor#END} after the last page
 */
public record ScanPage(List<Entry> entries, ScanCursor next) {
  /** A key and its value. */
  public record Entry(byte[] key, Versioned value) {}

  public ScanPage {
    entries = List.copyOf(entries);
  }
}
