package io.ringkv.client;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates a scan page by page (see {@link ScanIterable}). {@link #hasNext()} and {@link #next()}
 * throw {@link RingkvException} when a page cannot be fetched.
 *
 * <p>{@link #cursor()} is where to resume: it advances each time the last entry of a page is
 * returned, so resuming from it never skips an entry this iterator has not returned (it may repeat
 * some of the current page). With {@link ScanOptions#limit()} the iteration ends on a page
 * boundary, so the cursor is exact.
 *
 * <p>Not thread-safe.
 */
public final class ScanIterator implements Iterator<KeyValue> {
  private final RingkvClient client;
  private final ScanOptions options;
  private String fetchCursor;
  private String resumeCursor;
  private long remaining;
  private List<KeyValue> page = List.of();
  private String pageCursor;
  private int position;
  private boolean lastPageFetched;

  ScanIterator(RingkvClient client, ScanOptions options) {
    this.client = client;
    this.options = options;
    this.fetchCursor = options.cursor();
    this.resumeCursor = options.cursor();
    this.remaining = options.limit() == 0 ? Long.MAX_VALUE : options.limit();
  }

  @Override
  public boolean hasNext() {
    while (position == page.size()) {
      if (lastPageFetched || remaining == 0) {
        return false;
      }
      fetch();
    }
    return true;
  }

  @Override
  public KeyValue next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the scan has no more entries");
    }
    KeyValue entry = page.get(position++);
    remaining--;
    if (position == page.size()) {
      resumeCursor = pageCursor;
    }
    return entry;
  }

  /** Where to resume this scan ({@link ScanOptions#START} once it is complete). */
  public String cursor() {
    return resumeCursor;
  }

  /** True once the scan has returned every key there is (not merely reached its limit). */
  public boolean complete() {
    return ScanOptions.START.equals(resumeCursor) && lastPageFetched && position == page.size();
  }

  private void fetch() {
    long wanted = Math.min(remaining, options.pageSize());
    ScanPage fetched =
        client.scanPage(
            options.withCursor(fetchCursor).withLimit(wanted).withPageSize((int) wanted));
    page = fetched.entries();
    position = 0;
    pageCursor = fetched.cursor();
    fetchCursor = fetched.cursor();
    lastPageFetched = fetched.complete();
    if (page.isEmpty()) {
      if (!lastPageFetched) {
        // Only a scan's last page may be empty; asking again would loop for ever.
        throw new RingkvException(
            RingkvException.Kind.FAILED,
            "the node returned an empty scan page with cursor " + pageCursor,
            false,
            null,
            null,
            null);
      }
      resumeCursor = pageCursor;
    }
  }
}
