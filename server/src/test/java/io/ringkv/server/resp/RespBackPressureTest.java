package io.ringkv.server.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that write a whole pipeline before reading any reply (Jedis' Pipeline does) must make
 * progress even when the replies outgrow the socket buffers: the connection keeps reading until its
 * unwritten output reaches RespServer.WRITE_BUFFER_HIGH_BYTES.
 */
class RespBackPressureTest {
  @TempDir Path directory;
  private RespFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = RespFixture.start(directory);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void pipeline_largeRepliesWhileTheClientIsStillWriting() throws Exception {
    byte[] value = new byte[40_000];
    Arrays.fill(value, (byte) 'x');
    // About 20 MB each way: more than the socket buffers hold once the server stops reading, so a
    // server that stopped at Netty's default 1 MiB of unwritten output would never finish (it did,
    // at 16 MB); a client writing much more than WRITE_BUFFER_HIGH_BYTES before reading would.
    int pairs = 500;
    ByteArrayOutputStream requests = new ByteArrayOutputStream();
    for (int i = 0; i < pairs; i++) {
      byte[] key = ("big:" + i).getBytes(StandardCharsets.US_ASCII);
      requests.writeBytes(
          RawRespClient.encode("SET".getBytes(StandardCharsets.US_ASCII), key, value));
      requests.writeBytes(RawRespClient.encode("GET".getBytes(StandardCharsets.US_ASCII), key));
    }
    try (RawRespClient client = new RawRespClient(fixture.address(), 64 << 10)) {
      client.send(requests.toByteArray()); // returns only once the server has read it all
      for (int i = 0; i < pairs; i++) {
        assertThat(client.read()).isEqualTo("OK");
        assertThat(client.read()).isEqualTo(value);
      }
    }
  }
}
