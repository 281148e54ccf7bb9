package io.ringkv.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A set's members as {@link RingkvClient#setMembers} reads them.
 *
 * @param members the members in unsigned byte order (the client's own copies)
 * @param causalContext the set's context, for a remove of only what this read saw ({@link
 *     SetOptions#withCausalContext})
 */
public record SetMembers(List<byte[]> members, byte[] causalContext) {
  private static final byte[] EMPTY = new byte[0];

  public SetMembers {
    members = List.copyOf(members);
    causalContext = causalContext == null ? EMPTY : causalContext;
  }

  /** The members decoded as UTF-8. */
  public List<String> utf8() {
    return members.stream().map(member -> new String(member, StandardCharsets.UTF_8)).toList();
  }
}
