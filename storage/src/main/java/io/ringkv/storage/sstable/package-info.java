/**
 * SSTables: the immutable sorted files of the LSM engine. {@link
 * io.ringkv.storage.sstable.SstableWriter} writes one from internal entries in order, {@link
 * io.ringkv.storage.sstable.SstableReader} serves point lookups and scans from it, and {@link
 * io.ringkv.storage.sstable.BlockCache} keeps recently read blocks of all tables. The file format
 * is described in docs/format/sstable.md; its constants are in {@code SstableFormat}.
 */
package io.ringkv.storage.sstable;
