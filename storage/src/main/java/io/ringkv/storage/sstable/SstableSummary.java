package io.ringkv.storage.sstable;

/**
 * What {@link SstableWriter#finish()} wrote, for the manifest: the file's size, its counts and its
 * key and sequence ranges. The key arrays are the writer's own copies and must not be modified
 * (records compare arrays by reference).
 *
 * @param fileBytes size of the finished file
 * @param entries internal entries in the table
 * @param tombstones entries of kind {@link io.ringkv.storage.format.InternalKey#KIND_TOMBSTONE}
 * @param smallestKey the first internal key
 * @param largestKey the last internal key
 * @param smallestSequence the smallest sequence number of any entry
 * @param largestSequence the largest sequence number of any entry
 */
public record SstableSummary(
    long fileBytes,
    long entries,
    long tombstones,
    byte[] smallestKey,
    byte[] largestKey,
    long smallestSequence,
    long largestSequence) {}
