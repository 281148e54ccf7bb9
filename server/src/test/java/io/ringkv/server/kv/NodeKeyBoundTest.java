package io.ringkv.server.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.config.ConfigLoader;
import io.ringkv.server.node.Node;
import io.ringkv.server.node.NodeWiring;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's engine leaves room for the 8-byte token prefix of every stored key: a user key of
 * exactly {@code limits.key_bytes_max} bytes is stored and read back.
 */
class NodeKeyBoundTest {
  @TempDir Path dataDirectory;

  @Test
  void write_keyOfExactlyTheUserLimitIsStoredDespiteItsPrefix() throws Exception {
    try (Node node =
        Node.start(
            ConfigLoader.fromSets(
                "node.data_directory=" + dataDirectory, "limits.key_bytes_max=512B"),
            NodeWiring.none())) {
      byte[] key = new byte[512];
      Arrays.fill(key, (byte) 'k');
      WriteOutcome outcome =
          node.service().write(key, Mutation.put(new byte[] {1}), WriteOptions.defaults()).join();
      assertThat(outcome.applied()).isTrue();
      assertThat(node.service().get(key, ReadOptions.defaults()).join().value()).containsExactly(1);
    }
  }
}
