package io.ringkv.client;

import java.util.List;

/**
 * One page of a scan.
 *
 * @param entries keys and values in key order
 * @param cursor where the next page starts: pass it to {@link ScanOptions#withCursor}; {@code "0"}
 *     when the scan is complete
 */
public record ScanPage(List<KeyValue> entries, String cursor) {

  public ScanPage {
    entries = List.copyOf(entries);
  }

  /** True if there are no keys after this page. */
  public boolean complete() {
    return ScanOptions.START.equals(cursor);
  }
}
