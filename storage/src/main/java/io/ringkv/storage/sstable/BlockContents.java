package io.ringkv.storage.sstable;

/**
 * The uncompressed contents of a block read from a file whose checksum passed: {@code bytes[0,
 * length)} (the array may be longer, e.g. still holding the trailer of an uncompressed block).
 */
record BlockContents(byte[] bytes, int length) {}
