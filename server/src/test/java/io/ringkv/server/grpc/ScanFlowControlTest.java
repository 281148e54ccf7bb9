package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ringkv.common.ManualClock;
import io.ringkv.proto.v1.KVGrpc;
import io.ringkv.proto.v1.ScanRequest;
import io.ringkv.proto.v1.ScanResponse;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan sends only as fast as its client reads: the server fetches a page from the service only
 * when the previous one has gone out and the call is ready. The client here reads one message at a
 * time, and at each step the pages the service was asked for stay within a few of the messages read
 * — what the HTTP/2 flow-control window (fixed at 1 MiB here) and one pending page allow. Without
 * flow control the server would fetch every page at once.
 */
class ScanFlowControlTest {
  private static final int KEYS = 3_000;
  private static final int VALUE_BYTES = 4 << 10;
  private static final int PAGE_SIZE = 100;

  private static final int FLOW_CONTROL_WINDOW_BYTES = 1 << 20;

  /**
   * Pages ahead of the reader: the 1 MiB window holds under three 400 KiB messages; add one message
   * queued in the server's transport, one page pending in the streamer and one being fetched, and
   * some slack.
   */
  private static final int PAGES_AHEAD_MAX = 8;

  @TempDir Path directory;

  private GrpcTestNode node;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    node.close();
  }

  @Test
  void scan_fetchesPagesOnlyAsTheClientReads() throws Exception {
    AtomicReference<ServiceWrappers.Recording> recording = new AtomicReference<>();
    node =
        GrpcTestNode.start(
            directory,
            new ManualClock(0, 1_700_000_000_000L),
            LimitsConfig.defaults(),
            service -> {
              recording.set(new ServiceWrappers.Recording(service));
              return recording.get();
            });
    byte[] value = new byte[VALUE_BYTES];
    for (int i = 0; i < KEYS; i++) {
      node.service()
          .write(
              String.format("key-%05d", i).getBytes(StandardCharsets.UTF_8),
              Mutation.put(value),
              WriteOptions.defaults())
          .join();
    }
    // A fixed window: by default grpc-java grows it with the measured bandwidth-delay product (up
    // to 8 MiB), which would make how far the server may run ahead depend on timing.
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", node.port())
            .usePlaintext()
            .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
            .build();

    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    AtomicReference<ClientCallStreamObserver<ScanRequest>> call = new AtomicReference<>();
    KVGrpc.newStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .scan(
            ScanRequest.newBuilder().setPageSize(PAGE_SIZE).build(),
            new ClientResponseObserver<ScanRequest, ScanResponse>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<ScanRequest> requestStream) {
                call.set(requestStream);
                requestStream.disableAutoRequestWithInitial(1);
              }

              @Override
              public void onNext(ScanResponse response) {
                received.add(response);
              }

              @Override
              public void onError(Throwable t) {
                received.add(t);
              }

              @Override
              public void onCompleted() {
                received.add("completed");
              }
            });

    List<ByteString> keys = new ArrayList<>();
    int messagesRead = 0;
    while (true) {
      Object next = received.poll(30, TimeUnit.SECONDS);
      assertThat(next).as("the next message within 30 s").isNotNull();
      if (next.equals("completed")) {
        break;
      }
      assertThat(next).isInstanceOf(ScanResponse.class);
      messagesRead++;
      ((ScanResponse) next).getEntriesList().forEach(e -> keys.add(e.getKey()));
      assertThat(recording.get().count("scan"))
          .as("pages fetched after %d messages read", messagesRead)
          .isLessThanOrEqualTo(messagesRead + PAGES_AHEAD_MAX);
      call.get().request(1);
    }
    assertThat(keys).hasSize(KEYS).doesNotHaveDuplicates();
    assertThat(recording.get().count("scan")).isEqualTo(KEYS / PAGE_SIZE);
  }
}
