package io.ringkv.storage.lsm;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.format.Varint;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One change to the set of live tables, as a manifest record: tables added and deleted per level,
 * and the counters that must survive a restart (next file number, last sequence, oldest log still
 * needed). The manifest is a log of these; replaying it in order rebuilds the current {@link
 * Version}. Format in docs/format/manifest.md. Not thread-safe; built by one thread, then applied.
 */
final class VersionEdit {
  static final int TAG_LOG_NUMBER = 1;
  static final int TAG_NEXT_FILE_NUMBER = 2;
  static final int TAG_LAST_SEQUENCE = 3;
  static final int TAG_DELETED_FILE = 4;
  static final int TAG_ADDED_FILE = 5;

  /** A table removed from a level. */
  record Deleted(int level, long number) {}

  /** A table added to a level. */
  record Added(int level, FileMeta file) {}

  long logNumber = -1;
  long nextFileNumber = -1;
  long lastSequence = -1;
  final List<Deleted> deleted = new ArrayList<>();
  final List<Added> added = new ArrayList<>();

  VersionEdit delete(int level, long number) {
    deleted.add(new Deleted(level, number));
    return this;
  }

  VersionEdit add(int level, FileMeta file) {
    added.add(new Added(level, file));
    return this;
  }

  byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(encodedSizeUpperBound());
    if (logNumber >= 0) {
      out.put((byte) TAG_LOG_NUMBER);
      Varint.write(out, logNumber);
    }
    if (nextFileNumber >= 0) {
      out.put((byte) TAG_NEXT_FILE_NUMBER);
      Varint.write(out, nextFileNumber);
    }
    if (lastSequence >= 0) {
      out.put((byte) TAG_LAST_SEQUENCE);
      Varint.write(out, lastSequence);
    }
    for (Deleted d : deleted) {
      out.put((byte) TAG_DELETED_FILE);
      Varint.write(out, d.level());
      Varint.write(out, d.number());
    }
    for (Added a : added) {
      FileMeta f = a.file();
      out.put((byte) TAG_ADDED_FILE);
      Varint.write(out, a.level());
      Varint.write(out, f.number());
      Varint.write(out, f.fileBytes());
      Varint.write(out, f.smallestKey().length);
      out.put(f.smallestKey());
      Varint.write(out, f.largestKey().length);
      out.put(f.largestKey());
      Varint.write(out, f.entries());
      Varint.write(out, f.tombstones());
      Varint.write(out, f.smallestSequence());
      Varint.write(out, f.largestSequence());
    }
    byte[] bytes = new byte[out.position()];
    out.flip().get(bytes);
    return bytes;
  }

  private int encodedSizeUpperBound() {
    int n = 3 * (1 + Varint.LONG_BYTES_MAX) + deleted.size() * (1 + 2 * Varint.LONG_BYTES_MAX);
    for (Added a : added) {
      n +=
          1
              + 9 * Varint.LONG_BYTES_MAX
              + a.file().smallestKey().length
              + a.file().largestKey().length;
    }
    return n;
  }

  static VersionEdit decode(byte[] payload, Path manifest, long offset, int levelsMax)
      throws CorruptionException {
    VersionEdit edit = new VersionEdit();
    ByteBuffer in = ByteBuffer.wrap(payload);
    try {
      while (in.hasRemaining()) {
        int tag = in.get() & 0xFF;
        switch (tag) {
          case TAG_LOG_NUMBER -> edit.logNumber = Varint.read(in);
          case TAG_NEXT_FILE_NUMBER -> edit.nextFileNumber = Varint.read(in);
          case TAG_LAST_SEQUENCE -> edit.lastSequence = Varint.read(in);
          case TAG_DELETED_FILE -> edit.delete(level(in, levelsMax), Varint.read(in));
          case TAG_ADDED_FILE -> {
            int level = level(in, levelsMax);
            long number = Varint.read(in);
            long fileBytes = Varint.read(in);
            byte[] smallest = bytes(in);
            byte[] largest = bytes(in);
            edit.add(
                level,
                new FileMeta(
                    number,
                    fileBytes,
                    smallest,
                    largest,
                    Varint.read(in),
                    Varint.read(in),
                    Varint.read(in),
                    Varint.read(in)));
          }
          default -> throw new IllegalArgumentException("unknown tag " + tag);
        }
      }
    } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
      throw new CorruptionException(
          manifest, offset, "bad version edit in manifest: " + e.getMessage(), e);
    }
    return edit;
  }

  private static int level(ByteBuffer in, int levelsMax) {
    int level = Varint.readInt(in);
    if (level >= levelsMax) {
      throw new IllegalArgumentException("level " + level + " >= levels_max " + levelsMax);
    }
    return level;
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = Varint.readInt(in);
    if (length > in.remaining()) {
      throw new IllegalArgumentException("key length " + length + " runs past the record");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}
