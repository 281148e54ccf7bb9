package io.ringkv.server.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.ringkv.proto.v1.ScanEntry;
import io.ringkv.proto.v1.ScanResponse;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Streams one Scan call: fetches pages from the {@code KeyValueService} one at a time, cuts each
 * into messages of at most {@code pageSize} entries and {@code messageBytesMax} bytes, and sends
 * them only while the client keeps up.
 *
 * <p>Flow control is the point: a scan of the whole database must hold at most one page in memory,
 * however slow the client. The next page is fetched only when every message of the previous one has
 * been sent, and a message is sent only while the call {@linkplain
 * ServerCallStreamObserver#isReady() is ready}; gRPC's on-ready callback resumes the stream when
 * the client has read enough.
 *
 * <p>Invariants: messages go out in key order, each carrying the cursor after its last entry; the
 * last message of the call carries the cursor to resume from ("0" at the end of the keys) and is
 * the only one that may be empty; at most {@code limit} entries are sent in all.
 *
 * <p>Thread-safety: three threads may drive it — the handler thread that starts it, gRPC's on-ready
 * and on-cancel callbacks, and whichever thread completes a page future. State changes happen under
 * this object's lock, and a trampoline ({@code draining}, {@code rerun}) makes sure only one thread
 * at a time talks to the call and that a page completing synchronously inside {@link #drain} does
 * not recurse.
 */
final class ScanStreamer {
  /** Told once how the call ended. */
  interface Completion {
    void finished(boolean error);
  }

  /** Bytes a message spends on an entry besides its key, value and context: tags and varints. */
  private static final int ENTRY_OVERHEAD_BYTES = 64;

  private final ServerCallStreamObserver<ScanResponse> call;
  private final KeyValueService service;
  private final ReadOptions options;
  private final int pageSize;
  private final int messageBytesMax;
  private final Completion completion;

  private ScanCursor cursor;
  private long remaining;
  private final ArrayDeque<ScanResponse> pending = new ArrayDeque<>();
  private boolean fetching;
  private boolean exhausted;
  private Throwable failure;
  private boolean cancelled;
  private boolean finished;
  private boolean draining;
  private boolean rerun;

  /**
   * @param limit most entries to send in all ({@link Long#MAX_VALUE} for no limit)
   * @param pageSize most entries in one message, and in one page fetched from the service
   * @param messageBytesMax a message is cut before it would grow past this (one entry always goes)
   */
  ScanStreamer(
      ServerCallStreamObserver<ScanResponse> call,
      KeyValueService service,
      ScanCursor cursor,
      long limit,
      int pageSize,
      ReadOptions options,
      int messageBytesMax,
      Completion completion) {
    this.call = call;
    this.service = service;
    this.cursor = cursor;
    this.remaining = limit;
    this.pageSize = pageSize;
    this.options = options;
    this.messageBytesMax = messageBytesMax;
    this.completion = completion;
  }

  /** Installs the call's handlers and sends what it can; call from the gRPC handler method. */
  void start() {
    call.setOnCancelHandler(this::onCancel);
    call.setOnReadyHandler(this::drain);
    drain();
  }

  private void onCancel() {
    synchronized (this) {
      cancelled = true;
    }
    drain();
  }

  private void drain() {
    synchronized (this) {
      if (draining) {
        rerun = true;
        return;
      }
      draining = true;
    }
    while (true) {
      step();
      synchronized (this) {
        if (!rerun) {
          draining = false;
          return;
        }
        rerun = false;
      }
    }
  }

  /** Sends, completes or fetches, as far as the call lets it. Only the draining thread runs it. */
  private synchronized void step() {
    if (finished) {
      return;
    }
    if (cancelled) {
      finish(true);
      return;
    }
    if (failure != null) {
      call.onError(GrpcErrors.fromService(failure, false));
      finish(true);
      return;
    }
    while (!pending.isEmpty()) {
      if (!call.isReady()) {
        return; // The on-ready handler resumes.
      }
      call.onNext(pending.poll());
    }
    if (exhausted) {
      call.onCompleted();
      finish(false);
      return;
    }
    if (fetching) {
      return; // The page's completion resumes.
    }
    fetching = true;
    int fetchSize = (int) Math.min(pageSize, remaining);
    try {
      service.scan(cursor, fetchSize, options).whenComplete(this::onPage);
    } catch (RuntimeException e) {
      onPage(null, e);
    }
  }

  private void onPage(ScanPage page, Throwable error) {
    synchronized (this) {
      fetching = false;
      if (error != null) {
        failure = error;
      } else {
        accept(page);
      }
    }
    drain();
  }

  /** Cuts a page into messages and decides whether the scan is over. Holds the lock. */
  private void accept(ScanPage page) {
    List<ScanPage.Entry> entries = page.entries();
    remaining -= entries.size();
    boolean lastPage = page.next().end() || remaining <= 0;
    String finalCursor = page.next().end() ? ScanCursor.START.toToken() : page.next().toToken();
    ScanResponse.Builder message = ScanResponse.newBuilder();
    long messageBytes = 0;
    byte[] lastKey = null;
    for (ScanPage.Entry entry : entries) {
      long entryBytes =
          entry.key().length
              + (long) entry.value().value().length
              + entry.value().context().length
              + ENTRY_OVERHEAD_BYTES;
      if (message.getEntriesCount() > 0 && messageBytes + entryBytes > messageBytesMax) {
        pending.add(message.setCursor(ScanCursor.after(lastKey).toToken()).build());
        message = ScanResponse.newBuilder();
        messageBytes = 0;
      }
      message.addEntries(
          ScanEntry.newBuilder()
              .setKey(UnsafeByteOperations.unsafeWrap(entry.key()))
              .setValue(KvGrpcService.value(entry.value())));
      messageBytes += entryBytes;
      lastKey = entry.key();
    }
    if (message.getEntriesCount() > 0 || lastPage) {
      // The page's last message resumes where the page does (after its last key, or "0").
      pending.add(message.setCursor(finalCursor).build());
    }
    cursor = page.next();
    exhausted = lastPage;
  }

  private void finish(boolean error) {
    finished = true;
    pending.clear();
    completion.finished(error);
  }
}
