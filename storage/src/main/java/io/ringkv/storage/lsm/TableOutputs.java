package io.ringkv.storage.lsm;

import io.ringkv.storage.Cell;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.format.CellCodec;
import io.ringkv.storage.format.InternalIterator;
import io.ringkv.storage.format.InternalKey;
import io.ringkv.storage.fs.FileSystem;
import io.ringkv.storage.fs.WritableFile;
import io.ringkv.storage.sstable.SstableOptions;
import io.ringkv.storage.sstable.SstableSummary;
import io.ringkv.storage.sstable.SstableWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Writes a sorted stream of internal entries into new tables, dropping what no reader can ever see
 * again: the shared back half of flushes and compactions.
 *
 * <p>The drop rules (LevelDB's DoCompactionWork, plus a grace period): a version is dropped when a
 * newer version of the same key is visible to every open snapshot; a dead cell (tombstone, or a
 * value past its expiry) is dropped when it is visible to every snapshot, no deeper level may hold
 * an older version of its key (else the older version would come back), and it has been dead for
 * the tombstone grace period (so that the cluster's repair sees it first).
 *
 * <p>Output is cut into files of about {@code targetFileBytes}, only between user keys, so that all
 * versions of a key stay in one table of a level. Numbers of tables being written are held in
 * {@code pendingOutputs} so that obsolete-file collection leaves them alone. One instance per job;
 * not thread-safe.
 */
final class TableOutputs {
  /** What the drop rules need to know. */
  record DropRules(
      long smallestSnapshot,
      long nowMillis,
      long graceMillis,
      Predicate<byte[]> isBaseLevelForUserKey) {

    /** Keeps every version that is not shadowed for all snapshots; never drops dead cells. */
    static DropRules shadowedOnly(long smallestSnapshot) {
      return new DropRules(smallestSnapshot, 0, 0, userKey -> false);
    }
  }

  /** Counters of one job. */
  record Result(List<FileMeta> files, long bytesWritten, long entriesIn, long entriesDropped) {}

  private final FileSystem fs;
  private final Path dir;
  private final SstableOptions tableOptions;
  private final LongSupplier newFileNumber;
  private final Set<Long> pendingOutputs;
  private final RateLimiter rateLimiter;

  TableOutputs(
      FileSystem fs,
      Path dir,
      SstableOptions tableOptions,
      LongSupplier newFileNumber,
      Set<Long> pendingOutputs,
      RateLimiter rateLimiter) {
    this.fs = fs;
    this.dir = dir;
    this.tableOptions = tableOptions;
    this.newFileNumber = newFileNumber;
    this.pendingOutputs = pendingOutputs;
    this.rateLimiter = rateLimiter;
  }

  /**
   * Writes {@code input} (from its first entry) into tables. On failure, deletes what it wrote and
   * rethrows; the caller records nothing.
   */
  Result write(InternalIterator input, DropRules rules, long targetFileBytes)
      throws StorageException {
    List<FileMeta> files = new ArrayList<>();
    List<Long> numbers = new ArrayList<>();
    SstableWriter writer = null;
    long writerNumber = -1;
    long bytesWritten = 0;
    long entriesIn = 0;
    long dropped = 0;
    byte[] currentUserKey = null;
    long lastSequenceForKey = Long.MAX_VALUE;
    try {
      for (input.seekToFirst(); input.isValid(); input.next()) {
        byte[] key = input.key();
        entriesIn++;
        boolean newUserKey =
            currentUserKey == null
                || !java.util.Arrays.equals(
                    key,
                    0,
                    key.length - InternalKey.TRAILER_BYTES,
                    currentUserKey,
                    0,
                    currentUserKey.length);
        if (newUserKey) {
          currentUserKey = InternalKey.userKey(key);
          lastSequenceForKey = Long.MAX_VALUE;
          if (writer != null && writer.estimatedFileBytes() >= targetFileBytes) {
            SstableSummary summary = writer.finish();
            writer = null;
            bytesWritten += summary.fileBytes();
            files.add(meta(writerNumber, summary));
          }
        }
        long sequence = InternalKey.sequence(key);
        boolean drop = false;
        if (lastSequenceForKey <= rules.smallestSnapshot()) {
          drop = true;
        } else if (sequence <= rules.smallestSnapshot()
            && isDeadForGood(input.value(), rules)
            && rules.isBaseLevelForUserKey().test(currentUserKey)) {
          drop = true;
        }
        lastSequenceForKey = sequence;
        if (drop) {
          dropped++;
          continue;
        }
        if (writer == null) {
          writerNumber = newFileNumber.getAsLong();
          pendingOutputs.add(writerNumber);
          numbers.add(writerNumber);
          Path path = FileNames.table(dir, writerNumber);
          writer = new SstableWriter(limited(fs.create(path)), path, tableOptions);
        }
        writer.add(key, input.value());
      }
      if (writer != null) {
        SstableSummary summary = writer.finish();
        writer = null;
        bytesWritten += summary.fileBytes();
        files.add(meta(writerNumber, summary));
      }
      if (!files.isEmpty()) {
        fs.syncDirectory(dir);
      }
      return new Result(files, bytesWritten, entriesIn, dropped);
    } catch (IOException | RuntimeException e) {
      if (writer != null) {
        writer.close();
      }
      for (long number : numbers) {
        try {
          fs.delete(FileNames.table(dir, number));
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        pendingOutputs.remove(number);
      }
      if (e instanceof StorageException storage) {
        throw storage;
      }
      if (e instanceof IOException io) {
        throw new StorageException("cannot write table in " + dir + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Releases the pending-output marks once the files are recorded in (or dropped from) a version.
   */
  void release(Result result) {
    for (FileMeta file : result.files()) {
      pendingOutputs.remove(file.number());
    }
  }

  private static boolean isDeadForGood(byte[] value, DropRules rules) {
    if (rules.graceMillis() < 0) {
      return false;
    }
    long deathMillis = CellCodec.expiresAtMillis(value, 0);
    boolean tombstone = CellCodec.isTombstone(value, 0);
    if (!tombstone && deathMillis == Cell.NO_EXPIRY) {
      return false; // a live value that never expires
    }
    if (deathMillis == Cell.NO_EXPIRY) {
      return false; // a tombstone without a deletion time: keep it, we cannot tell its age
    }
    return rules.nowMillis() - deathMillis >= rules.graceMillis()
        && rules.nowMillis() >= deathMillis;
  }

  private static FileMeta meta(long number, SstableSummary summary) {
    return new FileMeta(
        number,
        summary.fileBytes(),
        summary.smallestKey(),
        summary.largestKey(),
        summary.entries(),
        summary.tombstones(),
        summary.smallestSequence(),
        summary.largestSequence());
  }

  private WritableFile limited(WritableFile file) {
    if (rateLimiter == null) {
      return file;
    }
    return new WritableFile() {
      @Override
      public void write(ByteBuffer source) throws IOException {
        rateLimiter.acquire(source.remaining());
        file.write(source);
      }

      @Override
      public void sync() throws IOException {
        file.sync();
      }

      @Override
      public long size() {
        return file.size();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }
}
