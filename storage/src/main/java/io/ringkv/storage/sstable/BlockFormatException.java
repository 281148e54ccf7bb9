package io.ringkv.storage.sstable;

/**
 * A block's bytes broke a rule of docs/format/sstable.md. Thrown by the block-level code, which
 * knows neither the file nor where the block sits in it; {@link SstableReader} catches it and
 * throws a {@link io.ringkv.storage.CorruptionException} naming both. Unchecked so that the
 * cursor's hot paths need no throws clauses; it never leaves this package. No stack trace: the
 * reader's exception carries the useful one.
 */
final class BlockFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BlockFormatException(String problem) {
    super(problem, null, false, false);
  }
}
