package io.ringkv.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Causal contexts as the Redis protocol carries them (docs/api/redis.md, "Causal keyspaces"): the
 * service's opaque context bytes as base64url without padding (RFC 4648 section 5), so that a
 * context is one printable word that redis-cli shows and takes back unquoted. The empty string is
 * "no context": a blind write. Decoding accepts padding, as a client library that pads may send it.
 *
 * <p>Only the base64 layer is checked here; whether the bytes are a context the service wrote (its
 * CRC) is the service's check, whose INVALID_REQUEST names the context.
 *
 * <p>Stateless; thread-safe.
 */
final class CausalContexts {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** How much of a bad context an error reply quotes. */
  private static final int QUOTED_CHARACTERS_MAX = 64;

  private CausalContexts() {}

  /** {@code context} as a bulk string's bytes: base64url, no padding; empty for none. */
  static byte[] encode(byte[] context) {
    if (context == null || context.length == 0) {
      return new byte[0];
    }
    return ENCODER.encode(context);
  }

  /**
   * The context bytes a client sent as {@code argument}, or null for the empty string (a blind
   * write).
   *
   * @throws CommandError naming the command's context argument when it is not base64url
   */
  static byte[] decode(byte[] argument, String command) {
    if (argument.length == 0) {
      return null;
    }
    try {
      return DECODER.decode(argument);
    } catch (IllegalArgumentException e) {
      throw new CommandError(
          "ERR invalid context '"
              + new String(
                  argument,
                  0,
                  Math.min(argument.length, QUOTED_CHARACTERS_MAX),
                  StandardCharsets.ISO_8859_1)
              + (argument.length > QUOTED_CHARACTERS_MAX ? "..." : "")
              + "' in '"
              + command
              + "' command: a context is base64url (A-Z a-z 0-9 - _) as CGET returned it, or \"\""
              + " for a blind write ("
              + e.getMessage()
              + ")");
    }
  }
}
