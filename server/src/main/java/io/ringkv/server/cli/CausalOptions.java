package io.ringkv.server.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of a write that follows a read in a causal keyspace (put, del): the read's context,
 * and an idempotency key that makes a retry of an indeterminate write safe.
 */
final class CausalOptions {
  /** Longest idempotency key, in UTF-8 bytes (the node's bound). */
  static final int IDEMPOTENCY_KEY_BYTES_MAX = 64;

  @Option(
      names = "--context",
      paramLabel = "CONTEXT",
      description =
          "Causal keyspaces: the context of the read this write follows (the \"context\" of"
              + " ringkv get --json, base64url); the write replaces exactly what that read saw."
              + " Without it the write is blind.")
  String contextText;

  /** The decoded {@code --context}, null when not given; set by {@link #validate}. */
  byte[] context;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description =
          "1 to "
              + IDEMPOTENCY_KEY_BYTES_MAX
              + " bytes naming this write: rerunning the command with the same key after a"
              + " timeout is safe, and the client may retry it on another node.")
  String idempotencyKey;

  /** Decodes the context and checks the idempotency key before any connection is made. */
  void validate(CommandLine commandLine) {
    if (contextText != null) {
      try {
        context = Base64.getUrlDecoder().decode(contextText.trim());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            commandLine,
            "--context '"
                + contextText
                + "' is not a context: expected base64url, as ringkv get --json prints it");
      }
    }
    if (idempotencyKey != null) {
      int bytes = idempotencyKey.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < 1 || bytes > IDEMPOTENCY_KEY_BYTES_MAX) {
        throw new CommandLine.ParameterException(
            commandLine,
            "--idempotency-key must be 1 to "
                + IDEMPOTENCY_KEY_BYTES_MAX
                + " bytes of UTF-8, was "
                + bytes);
      }
    }
  }

  byte[] contextOrEmpty() {
    return context == null ? new byte[0] : context;
  }
}
