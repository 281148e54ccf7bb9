package io.ringkv.server.cli;

import io.ringkv.client.NodeAddress;
import io.ringkv.client.RingkvClient;
import io.ringkv.client.RingkvException;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * What the data commands (get, put, del, scan) share: a client built from {@link ClientOptions},
 * and one mapping from outcomes to exit codes, so that scripts can rely on them:
 *
 * <ul>
 *   <li>{@value #OK}: done;
 *   <li>{@value #NEGATIVE}: the answer is no (get: not found; put: its condition did not hold);
 *   <li>{@value #USAGE}: bad arguments, or a request the node refused (invalid, such as a key over
 *       the node's limit; a key of another type; no such keyspace; a conflict such as the sibling
 *       cap): nothing was attempted or written;
 *   <li>{@value #FAILURE}: no node could serve, a timeout, or a node failure (a write may or may
 *       not have been applied then; the message says so).
 * </ul>
 *
 * Messages for codes other than 0 go to standard error.
 */
abstract class DataCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int NEGATIVE = 1;
  static final int USAGE = CommandLine.ExitCode.USAGE;
  static final int FAILURE = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ClientOptions client;

  /** Runs the command with a connected client and returns its exit code. */
  abstract int run(RingkvClient ringkv) throws Exception;

  /**
   * Checks the arguments before any connection is made.
   *
   * @throws CommandLine.ParameterException for a usage error (exit code {@value #USAGE})
   */
  void validate() {}

  @Override
  public final Integer call() throws Exception {
    validate();
    RingkvClient.Builder builder =
        RingkvClient.builder().timeout(client.timeout).defaultKeyspace(keyspace());
    for (NodeAddress node : client.hostsOrDefault()) {
      builder.addNode(node);
    }
    try (RingkvClient ringkv = builder.build()) {
      return run(ringkv);
    } catch (RingkvException e) {
      error(e.getMessage());
      return switch (e.kind()) {
        case INVALID_REQUEST, WRONG_TYPE, CONFLICT, NO_SUCH_KEYSPACE -> USAGE;
        case UNAVAILABLE, TIMEOUT, FAILED -> FAILURE;
      };
    } catch (IllegalArgumentException e) {
      // Options the client refuses (ANY for a read, say): the user's to fix.
      error(e.getMessage());
      return USAGE;
    }
  }

  /** The keyspace the command's calls use; null for the node's default. */
  String keyspace() {
    return null;
  }

  void error(String message) {
    spec.commandLine().getErr().println("ringkv " + spec.name() + ": " + message);
  }

  CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
