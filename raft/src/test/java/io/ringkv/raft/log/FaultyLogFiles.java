package io.ringkv.raft.log;

import io.ringkv.common.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * {@link LogFiles} in memory with the faults a disk has: bytes not synced are lost in a power cut
 * ({@link #powerLoss}), possibly keeping a torn prefix of them; a sync can be made to fail. Names
 * (create, rename, delete) are modelled as durable at once: this checks the log's handling of file
 * contents, not of directory entries.
 */
final class FaultyLogFiles implements LogFiles {
  private static final class Content {
    byte[] synced = new byte[0];
    byte[] unsynced = new byte[0];

    byte[] all() {
      byte[] all = Arrays.copyOf(synced, synced.length + unsynced.length);
      System.arraycopy(unsynced, 0, all, synced.length, unsynced.length);
      return all;
    }
  }

  private final TreeMap<String, Content> files = new TreeMap<>();
  private boolean failNextSync;
  private boolean failNextRename;
  private boolean failNextDelete;
  long syncs;

  /** The next rename fails, as a crash just before it would leave things. */
  void failNextRename() {
    failNextRename = true;
  }

  /** The next delete fails, as a crash just before it would leave things. */
  void failNextDelete() {
    failNextDelete = true;
  }

  /** The next sync of any file fails with an IOException. */
  void failNextSync() {
    failNextSync = true;
  }

  /** A power cut: each file keeps what was synced, plus a random prefix of the rest. */
  void powerLoss(Rng rng) {
    for (Content content : files.values()) {
      int kept = content.unsynced.length == 0 ? 0 : rng.nextInt(content.unsynced.length + 1);
      byte[] survivor = Arrays.copyOf(content.synced, content.synced.length + kept);
      System.arraycopy(content.unsynced, 0, survivor, content.synced.length, kept);
      content.synced = survivor;
      content.unsynced = new byte[0];
    }
  }

  /** A power cut that keeps exactly the first {@code keptBytes} unsynced bytes of each file. */
  void powerLossKeeping(int keptBytes) {
    for (Content content : files.values()) {
      int kept = Math.min(keptBytes, content.unsynced.length);
      byte[] survivor = Arrays.copyOf(content.synced, content.synced.length + kept);
      System.arraycopy(content.unsynced, 0, survivor, content.synced.length, kept);
      content.synced = survivor;
      content.unsynced = new byte[0];
    }
  }

  /** Bytes of {@code name} written but not synced. */
  int unsyncedBytes(String name) {
    return files.get(name).unsynced.length;
  }

  /** Flips one bit of {@code name} at {@code position}, as a bad sector would. */
  void flipBit(String name, int position) {
    Content content = files.get(name);
    byte[] all = content.all();
    all[position] ^= 1;
    content.synced = all;
    content.unsynced = new byte[0];
  }

  /** Appends raw bytes to {@code name}, synced, as a writer that died mid-record would leave. */
  void appendRaw(String name, byte[] bytes) {
    Content content = files.computeIfAbsent(name, unused -> new Content());
    byte[] all = content.all();
    byte[] grown = Arrays.copyOf(all, all.length + bytes.length);
    System.arraycopy(bytes, 0, grown, all.length, bytes.length);
    content.synced = grown;
    content.unsynced = new byte[0];
  }

  @Override
  public LogFile openForAppend(String name) {
    Content content = files.computeIfAbsent(name, unused -> new Content());
    return new LogFile() {
      @Override
      public void write(ByteBuffer bytes) {
        byte[] added = new byte[bytes.remaining()];
        bytes.get(added);
        byte[] grown = Arrays.copyOf(content.unsynced, content.unsynced.length + added.length);
        System.arraycopy(added, 0, grown, content.unsynced.length, added.length);
        content.unsynced = grown;
      }

      @Override
      public void sync() throws IOException {
        if (failNextSync) {
          failNextSync = false;
          throw new IOException("injected fsync failure");
        }
        syncs++;
        content.synced = content.all();
        content.unsynced = new byte[0];
      }

      @Override
      public long size() {
        return content.synced.length + content.unsynced.length;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    Content content = files.get(name);
    if (content == null) {
      throw new IOException("no file " + name);
    }
    return content.all();
  }

  @Override
  public boolean exists(String name) {
    return files.containsKey(name);
  }

  @Override
  public List<String> list() {
    return new ArrayList<>(files.keySet());
  }

  @Override
  public void truncate(String name, long length) {
    Content content = files.get(name);
    content.synced = Arrays.copyOf(content.all(), (int) length);
    content.unsynced = new byte[0];
  }

  @Override
  public void rename(String from, String to) throws IOException {
    if (failNextRename) {
      failNextRename = false;
      throw new IOException("injected rename failure");
    }
    files.put(to, files.remove(from));
  }

  @Override
  public void delete(String name) throws IOException {
    if (failNextDelete && files.containsKey(name)) {
      failNextDelete = false;
      throw new IOException("injected delete failure");
    }
    files.remove(name);
  }

  @Override
  public void syncDirectory() {}
}
