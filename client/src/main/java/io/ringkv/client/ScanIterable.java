package io.ringkv.client;

import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A scan as an {@link Iterable}: each {@link #iterator()} walks the keys from the options' cursor,
 * fetching one page (one server call, with its own deadline and failover) whenever the previous one
 * is used up, so memory holds at most one page. Nothing is left open between pages: abandoning an
 * iterator midway costs nothing.
 *
 * <p>Thread-safe to share; each iterator belongs to one thread.
 */
public final class ScanIterable implements Iterable<KeyValue> {
  private final RingkvClient client;
  private final ScanOptions options;

  ScanIterable(RingkvClient client, ScanOptions options) {
    this.client = client;
    this.options = options;
  }

  @Override
  public ScanIterator iterator() {
    return new ScanIterator(client, options);
  }

  /** The entries as a sequential stream, fetched lazily page by page. */
  public Stream<KeyValue> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            iterator(), Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }
}
