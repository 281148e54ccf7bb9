package io.ringkv.raft.log;

import java.io.IOException;
import java.util.List;

/**
 * The only way {@link DurableLog} reaches files: one flat directory of named files, kept this small
 * so that tests and the simulator can put a fault-injecting implementation under it (torn writes,
 * unsynced data lost in a power cut, failed syncs). {@link NioLogFiles} is the real one.
 *
 * <p>Durability model the log relies on: bytes written to a file survive a crash only after {@link
 * LogFile#sync()}; a rename is atomic; a created, renamed or deleted name survives a crash only
 * after {@link #syncDirectory()}.
 */
public interface LogFiles {
  /** Opens {@code name} for appending at its end, creating it empty if missing. */
  LogFile openForAppend(String name) throws IOException;

  /** The whole content of {@code name}. */
  byte[] readAll(String name) throws IOException;

  boolean exists(String name);

  /** The names in the directory, sorted. */
  List<String> list() throws IOException;

  /** Cuts {@code name} to {@code length} bytes and syncs it (used to drop a torn tail). */
  void truncate(String name, long length) throws IOException;

  /** Atomically renames {@code from} to {@code to}, replacing {@code to}. */
  void rename(String from, String to) throws IOException;

  /** Deletes {@code name} if it exists. */
  void delete(String name) throws IOException;

  /** Makes creations, renames and deletions durable. */
  void syncDirectory() throws IOException;
}
