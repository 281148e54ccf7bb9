package io.ringkv.server.cli;

import picocli.CommandLine.Option;

/** A data command on keys of one keyspace: {@code --keyspace NAME}, else {@code default}. */
abstract class KeyspaceDataCommand extends DataCommand {

  @Option(
      names = "--keyspace",
      paramLabel = "NAME",
      description = "The keyspace (default: default). See ringkv keyspace list.")
  String keyspaceName;

  @Override
  String keyspace() {
    return keyspaceName;
  }
}
