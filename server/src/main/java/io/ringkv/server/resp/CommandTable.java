package io.ringkv.server.resp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every command this front end answers, found by name in any letter case without allocating: an
 * open-addressing table hashed on the ASCII-lowercased name, probed by comparing bytes. Names not
 * in the table are answered {@code ERR unknown command}; in particular read-modify-write commands
 * that have no merging type behind them (APPEND, SETRANGE, GETSET, ...) are not here and are never
 * faked with a read and a write. Counters and sets (INCR, SADD, ...) are here because the causal
 * keyspaces merge them on the server.
 *
 * <p>Immutable after construction; thread-safe.
 */
final class CommandTable {
  private final List<Command> commands;
  private final Command[] slots;
  private final byte[][] names;
  private final int mask;

  CommandTable(List<Command> commands) {
    this.commands = Collections.unmodifiableList(new ArrayList<>(commands));
    int size = Integer.highestOneBit(Math.max(4, commands.size() * 4) - 1) << 1;
    slots = new Command[size];
    names = new byte[size][];
    mask = size - 1;
    for (Command command : commands) {
      byte[] name = command.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      int slot = hash(name) & mask;
      while (slots[slot] != null) {
        if (equalsIgnoreCase(names[slot], name)) {
          throw new IllegalArgumentException("command " + command.name() + " registered twice");
        }
        slot = (slot + 1) & mask;
      }
      slots[slot] = command;
      names[slot] = name;
    }
  }

  /** The command named {@code name} in any ASCII case, or null. */
  Command lookup(byte[] name) {
    int slot = hash(name) & mask;
    while (slots[slot] != null) {
      if (equalsIgnoreCase(names[slot], name)) {
        return slots[slot];
      }
      slot = (slot + 1) & mask;
    }
    return null;
  }

  /** Every command, in registration order. */
  List<Command> all() {
    return commands;
  }

  int size() {
    return commands.size();
  }

  private static int hash(byte[] name) {
    int h = 0x811c9dc5;
    for (byte b : name) {
      h = (h ^ lower(b)) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  private static int lower(byte b) {
    return b >= 'A' && b <= 'Z' ? b + 32 : b;
  }

  /** {@code lowercase} is already lowercase. */
  private static boolean equalsIgnoreCase(byte[] lowercase, byte[] candidate) {
    if (lowercase.length != candidate.length) {
      return false;
    }
    for (int i = 0; i < lowercase.length; i++) {
      if (lowercase[i] != lower(candidate[i])) {
        return false;
      }
    }
    return true;
  }
}
