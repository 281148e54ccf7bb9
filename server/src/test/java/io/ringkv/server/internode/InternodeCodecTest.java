package io.ringkv.server.internode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.ringkv.cluster.membership.ApplicationState;
import io.ringkv.cluster.membership.EndpointDelta;
import io.ringkv.cluster.membership.EndpointState;
import io.ringkv.cluster.membership.GossipDigest;
import io.ringkv.cluster.membership.GossipMessage;
import io.ringkv.cluster.membership.VersionedValue;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.server.internode.InternodeMessage.Echo;
import io.ringkv.server.internode.InternodeMessage.EchoReply;
import io.ringkv.server.internode.InternodeMessage.Gossip;
import io.ringkv.server.internode.InternodeMessage.Replica;
import io.ringkv.server.internode.InternodeMessage.ReplicaAnswer;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The wire format (docs/format/internode.md): every frame type round-trips, seeded and random, and
 * each corruption shape is a clear {@link DecoderException} naming what is wrong.
 */
class InternodeCodecTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0x1A7E_A0DEL);
  private static final int ROUNDS = 2_000;

  /** Small bounds, so that messages at and over them are cheap to build. */
  private static final WireLimits SMALL = new WireLimits(8, 4, 64);

  private final InternodeCodec codec = new InternodeCodec(SMALL);

  // ---------------------------------------------------------------- round trips

  @Test
  void roundTrip_randomFramesOfEveryType() {
    Random random = new Random(SEED);
    Set<String> kindsSeen = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      long seed = random.nextLong();
      Frame frame = randomFrame(new Random(seed), SMALL);
      kindsSeen.add(kindOf(frame));
      try {
        assertThat(roundTrip(codec, frame)).isEqualTo(frame);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "round trip failed for seed " + seed + " (base seed " + SEED + "): " + frame, e);
      }
    }
    assertThat(kindsSeen)
        .containsExactlyInAnyOrder(
            "HELLO",
            "HELLO_ACCEPT",
            "HELLO_REFUSE",
            "FAILURE",
            "SYN",
            "ACK",
            "ACK2",
            "ECHO",
            "ECHO_REPLY",
            "REPLICA_WRITE",
            "REPLICA_STAND_IN_WRITE",
            "REPLICA_WRITE_BATCH",
            "REPLICA_READ",
            "REPLICA_SCAN",
            "REPLICA_WRITTEN",
            "REPLICA_READ_RESULT",
            "REPLICA_SCAN_RESULT",
            "REPLICA_CAUSAL_UPDATE",
            "REPLICA_CAUSAL_APPLIED",
            "REPLICA_CAUSAL_REFUSED",
            "RAFT_MESSAGES",
            "RAFT_PROPOSE",
            "RAFT_PROPOSE_ANSWER");
  }

  @Test
  void roundTrip_messagesAtEveryBound() {
    String longName = "n".repeat(EndpointState.ENDPOINT_CHARS_MAX - 1);
    List<GossipDigest> digests = new ArrayList<>();
    for (int i = 0; i < SMALL.digestsMax(); i++) {
      digests.add(new GossipDigest(longName + i, Long.MAX_VALUE, Long.MAX_VALUE));
    }
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    for (ApplicationState state : ApplicationState.values()) {
      values.put(state, new VersionedValue("\u6f22".repeat(SMALL.valueCharsMax()), Long.MAX_VALUE));
    }
    List<EndpointDelta> deltas = new ArrayList<>();
    for (int i = 0; i < SMALL.deltasMax(); i++) {
      deltas.add(
          new EndpointDelta(
              new EndpointState(longName + i, Long.MAX_VALUE, Long.MAX_VALUE, values), 0));
    }
    String clusterName = "c".repeat(InternodeFormat.NAME_CHARS_MAX);
    for (InternodeMessage message :
        List.of(
            new Gossip(new GossipMessage.Syn(longName + "a", longName + "b", clusterName, digests)),
            new Gossip(new GossipMessage.Ack(longName + "a", longName + "b", digests, deltas)),
            new Gossip(new GossipMessage.Ack2(longName + "a", longName + "b", deltas)),
            new Echo(Long.MIN_VALUE),
            new EchoReply(Long.MAX_VALUE, Long.MIN_VALUE),
            new InternodeMessage.MetadataFetch(Long.MAX_VALUE),
            new InternodeMessage.MetadataSnapshot(new byte[] {1, 2, 3}),
            new InternodeMessage.MetadataSnapshot(new byte[0]))) {
      Frame frame = Frame.request(Long.MAX_VALUE, message);
      assertThat(roundTrip(codec, frame)).isEqualTo(frame);
    }
  }

  @Test
  void roundTrip_handshakeFramesFitTheHandshakeLimit() {
    String longest = "\u6f22".repeat(InternodeFormat.NAME_CHARS_MAX);
    for (Frame frame :
        List.of(
            new Frame.Hello(0xFFFF, 0xFFFF, longest, longest, 0xFFFF),
            new Frame.HelloAccept(0xFFFF, longest),
            new Frame.HelloRefuse(
                HandshakeRefusal.WRONG_CLUSTER,
                1,
                2,
                "\u6f22".repeat(InternodeFormat.REFUSAL_DETAIL_CHARS_MAX)))) {
      ByteBuf bytes = codec.encode(ByteBufAllocator.DEFAULT, frame);
      try {
        assertThat(bytes.readableBytes() - InternodeFormat.LENGTH_BYTES)
            .isLessThanOrEqualTo(InternodeFormat.HANDSHAKE_FRAME_BYTES_MAX);
      } finally {
        bytes.release();
      }
      assertThat(roundTrip(codec, frame)).isEqualTo(frame);
    }
  }

  @Test
  void encode_cutsLongReasonsToTheirLimit() {
    Frame.Failure failure = new Frame.Failure(7, "x".repeat(5_000));
    assertThat(roundTrip(codec, failure))
        .isEqualTo(new Frame.Failure(7, "x".repeat(InternodeFormat.FAILURE_REASON_CHARS_MAX)));
  }

  @Test
  void applicationStateCodes_areDistinctStableAndRoundTrip() {
    Set<Integer> codes = new HashSet<>();
    for (ApplicationState state : ApplicationState.values()) {
      int code = InternodeCodec.code(state);
      assertThat(code).isBetween(1, 255);
      assertThat(codes.add(code)).as("code %d of %s is unique", code, state).isTrue();
      assertThat(InternodeCodec.applicationState(code)).isEqualTo(state);
    }
    // The codes are part of the format: pinned here and in docs/format/internode.md.
    assertThat(InternodeCodec.code(ApplicationState.STATUS)).isEqualTo(1);
    assertThat(InternodeCodec.code(ApplicationState.LOAD)).isEqualTo(7);
    assertThat(InternodeCodec.applicationState(0)).isNull();
    assertThat(InternodeCodec.applicationState(200)).isNull();
  }

  @Test
  void encode_isBigEndianLengthThenTypeThenFlagsThenRequestId() {
    ByteBuf bytes = codec.encode(ByteBufAllocator.DEFAULT, Frame.request(0x0102, new Echo(0x0A0B)));
    try {
      byte[] array = new byte[bytes.readableBytes()];
      bytes.readBytes(array);
      assertThat(array)
          .containsExactly(
              0,
              0,
              0,
              18, // length: type, flags, request id, sentNanos
              InternodeFormat.TYPE_ECHO,
              InternodeFormat.KIND_REQUEST,
              0,
              0,
              0,
              0,
              0,
              0,
              1,
              2, // request id
              0,
              0,
              0,
              0,
              0,
              0,
              0x0A,
              0x0B); // sentNanos
    } finally {
      bytes.release();
    }
  }

  // ---------------------------------------------------------------- corruption, framing

  @Test
  void frameDecoder_truncatedFrame_waitsForTheRestThenDecodes() {
    byte[] frame = encoded(codec, Frame.oneWay(new Echo(42)));
    EmbeddedChannel channel = decoderChannel(InternodeFormat.HANDSHAKE_FRAME_BYTES_MAX);
    assertThat(channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 3))).isFalse();
    assertThat(channel.writeInbound(Unpooled.wrappedBuffer(frame, 3, frame.length - 4))).isFalse();
    assertThat(channel.writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1))).isTrue();
    assertThat((Object) channel.readInbound()).isEqualTo(Frame.oneWay(new Echo(42)));
    channel.finishAndReleaseAll();
  }

  @Test
  void frameDecoder_oversizeLength_failsBeforeBufferingTheBody() {
    EmbeddedChannel channel = decoderChannel(4_096);
    FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
    decoder.handshakeCompleted();
    ByteBuf header = Unpooled.buffer().writeInt(4_097);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageContaining("4097 bytes")
        .hasMessageContaining("limit of 4096")
        .hasMessageContaining("frameBytesMax");
    // Everything after is discarded: the framing can no longer be trusted.
    assertThat(
            channel.writeInbound(Unpooled.wrappedBuffer(encoded(codec, Frame.oneWay(new Echo(1))))))
        .isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void frameDecoder_beforeTheHandshake_limitsFramesToTheHandshakeSize() {
    EmbeddedChannel channel = decoderChannel(InternodeConfig.DEFAULT_FRAME_BYTES_MAX);
    ByteBuf header = Unpooled.buffer().writeInt(InternodeFormat.HANDSHAKE_FRAME_BYTES_MAX + 1);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageContaining("before the handshake completes");
    channel.finishAndReleaseAll();
  }

  @Test
  void frameDecoder_lengthWithTheTopBitSet_isTooLargeNotNegative() {
    EmbeddedChannel channel = decoderChannel(4_096);
    ByteBuf header = Unpooled.buffer().writeInt(0x8000_0000);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageContaining("2147483648 bytes");
    channel.finishAndReleaseAll();
  }

  @Test
  void frameDecoder_lengthBelowAHeader_isMalformed() {
    EmbeddedChannel channel = decoderChannel(4_096);
    ByteBuf bytes = Unpooled.buffer().writeInt(1).writeByte(InternodeFormat.TYPE_ECHO);
    assertThatThrownBy(() -> channel.writeInbound(bytes))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("length 1 is below the 2 bytes of a header");
    channel.finishAndReleaseAll();
  }

  // ---------------------------------------------------------------- corruption, headers

  @Test
  void decode_truncatedBody_namesTheField() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_ECHO).writeByte(0);
    frame.writeInt(7); // half of sentNanos
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ECHO frame: truncated at sentNanos: needs 8 bytes, 4 left");
  }

  @Test
  void decode_truncatedRequestId() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_ECHO).writeByte(1);
    frame.writeShort(1);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("truncated at requestId");
  }

  @Test
  void decode_unknownType() {
    ByteBuf frame = Unpooled.buffer().writeByte(99).writeByte(0).writeLong(1);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed type-99 frame: unknown message type 99");
  }

  @Test
  void decode_reservedTypeZero() {
    ByteBuf frame = Unpooled.buffer().writeByte(0).writeByte(0);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("unknown message type 0");
  }

  @Test
  void decode_reservedFlagBitsSet() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_ECHO).writeByte(0x40);
    frame.writeLong(1);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("reserved flag bits set: 0x40");
  }

  @Test
  void decode_unknownFrameKind() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_ECHO).writeByte(3);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("unknown frame kind 3");
  }

  @Test
  void decode_requestIdZero() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_ECHO).writeByte(1);
    frame.writeLong(0).writeLong(5);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("requestId must be positive, was 0");
  }

  @Test
  void decode_trailingBytes() {
    ByteBuf frame = Unpooled.wrappedBuffer(body(codec, Frame.oneWay(new Echo(1))));
    ByteBuf longer = Unpooled.buffer().writeBytes(frame).writeByte(0);
    assertThatThrownBy(() -> codec.decode(longer))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ECHO frame: 1 bytes left over after the last field");
  }

  // ---------------------------------------------------------------- corruption, handshake

  @Test
  void decode_badHandshakeMagic() {
    byte[] body = body(codec, Handshake.hello("ringkv", "node-1", 7000));
    body[2] = 'X'; // the first byte of the magic, after type and flags
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("malformed HELLO frame: bad magic 0x584b5649, expected 0x524b5649");
  }

  @Test
  void decode_handshakeFrameAsRequest_isRefused() {
    byte[] body = body(codec, Handshake.hello("ringkv", "node-1", 7000));
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_HELLO).writeByte(1);
    frame.writeLong(3).writeBytes(body, 2, body.length - 2);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("a handshake frame must be one-way, was REQUEST");
  }

  @Test
  void decode_unknownRefusalReason() {
    byte[] body = body(codec, new Frame.HelloRefuse(HandshakeRefusal.WRONG_CLUSTER, 1, 1, "x"));
    body[6] = 77; // the reason byte, after type, flags and magic
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("unknown refusal reason 77");
  }

  @Test
  void handshake_wrongVersion_isRefusedNamingBothRanges() {
    Frame answer =
        Handshake.answer(new Frame.Hello(7, 9, "ringkv", "node-1", 7000), "ringkv", "node-2");
    assertThat(answer).isInstanceOf(Frame.HelloRefuse.class);
    Frame.HelloRefuse refuse = (Frame.HelloRefuse) answer;
    assertThat(refuse.reason()).isEqualTo(HandshakeRefusal.UNSUPPORTED_VERSION);
    assertThat(refuse.detail())
        .isEqualTo("this node speaks protocol versions 1 to 1, the connector 7 to 9");
  }

  @Test
  void handshake_wrongClusterName_isRefused() {
    Frame answer = Handshake.answer(Handshake.hello("other", "node-1", 7000), "ringkv", "node-2");
    assertThat(answer)
        .isEqualTo(
            new Frame.HelloRefuse(
                HandshakeRefusal.WRONG_CLUSTER,
                1,
                1,
                "this node belongs to cluster 'ringkv', the connector to 'other'"));
  }

  @Test
  void handshake_nodeIdClash_isRefused() {
    Frame answer = Handshake.answer(Handshake.hello("ringkv", "node-2", 7000), "ringkv", "node-2");
    assertThat(((Frame.HelloRefuse) answer).reason()).isEqualTo(HandshakeRefusal.NODE_ID_CLASH);
  }

  @Test
  void handshake_accepted_withTheAcceptorsId() {
    assertThat(Handshake.answer(Handshake.hello("ringkv", "node-1", 7000), "ringkv", "node-2"))
        .isEqualTo(new Frame.HelloAccept(1, "node-2"));
  }

  @Test
  void handshake_checkAccept_refusesAnUnexpectedNodeOrItself() {
    assertThat(Handshake.checkAccept(new Frame.HelloAccept(1, "node-3"), "node-1", "node-2"))
        .isEqualTo("the node at that address is 'node-3', not 'node-2' (a stale address?)");
    assertThat(Handshake.checkAccept(new Frame.HelloAccept(1, "node-1"), "node-1", null))
        .contains("leads back to this node");
    assertThat(Handshake.checkAccept(new Frame.HelloAccept(2, "node-2"), "node-1", "node-2"))
        .contains("outside the offered 1 to 1");
    assertThat(Handshake.checkAccept(new Frame.HelloAccept(1, "node-2"), "node-1", null)).isNull();
  }

  @Test
  void negotiate_picksTheHighestCommonVersion() {
    assertThat(Handshake.negotiate(1, 3, 2, 5)).isEqualTo(3);
    assertThat(Handshake.negotiate(2, 5, 1, 3)).isEqualTo(3);
    assertThat(Handshake.negotiate(1, 1, 1, 1)).isEqualTo(1);
    assertThat(Handshake.negotiate(4, 6, 1, 3)).isEqualTo(-1);
    assertThat(Handshake.negotiate(1, 3, 4, 6)).isEqualTo(-1);
    assertThat(Handshake.negotiate(3, 1, 1, 3)).isEqualTo(-1);
  }

  // ---------------------------------------------------------------- corruption, gossip bounds

  private final InternodeCodec roomy = new InternodeCodec(new WireLimits(100, 100, 1_000));

  @Test
  void decode_digestCountOverBound() {
    List<GossipDigest> digests = new ArrayList<>();
    for (int i = 0; i <= SMALL.digestsMax(); i++) {
      digests.add(new GossipDigest("node-" + i, 1, 1));
    }
    byte[] body = body(roomy, gossip(new GossipMessage.Syn("a", "b", "ringkv", digests)));
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed SYN frame: digest count is 9, over the limit of 8");
  }

  @Test
  void decode_hugeDigestCount_failsBeforeAllocating() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_SYN).writeByte(0);
    writeString16(frame, "a");
    writeString16(frame, "b");
    writeString16(frame, "ringkv");
    frame.writeInt(-1); // 4,294,967,295 as unsigned
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed SYN frame: digest count is 4294967295, over the limit of 8");
  }

  @Test
  void decode_requestCountOverBound() {
    List<GossipDigest> requests = new ArrayList<>();
    for (int i = 0; i <= SMALL.digestsMax(); i++) {
      requests.add(new GossipDigest("node-" + i, 1, 0));
    }
    byte[] body = body(roomy, gossip(new GossipMessage.Ack("a", "b", requests, List.of())));
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK frame: request count is 9, over the limit of 8");
  }

  @Test
  void decode_deltaCountOverBound() {
    List<EndpointDelta> deltas = new ArrayList<>();
    for (int i = 0; i <= SMALL.deltasMax(); i++) {
      deltas.add(EndpointDelta.whole(new EndpointState("node-" + i, 1, 1, new TreeMap<>())));
    }
    byte[] body = body(roomy, gossip(new GossipMessage.Ack2("a", "b", deltas)));
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: delta count is 5, over the limit of 4");
  }

  @Test
  void decode_valueOverBound() {
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    values.put(ApplicationState.TOKENS, new VersionedValue("t".repeat(65), 3));
    EndpointDelta delta = EndpointDelta.whole(new EndpointState("node-1", 1, 1, values));
    byte[] body = body(roomy, gossip(new GossipMessage.Ack2("a", "b", List.of(delta))));
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: value of TOKENS has 65 chars, over the limit of 64");
  }

  @Test
  void decode_valueByteLengthOverBound_failsBeforeReading() {
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    values.put(ApplicationState.TOKENS, new VersionedValue("t".repeat(500), 3));
    EndpointDelta delta = EndpointDelta.whole(new EndpointState("node-1", 1, 1, values));
    byte[] body = body(roomy, gossip(new GossipMessage.Ack2("a", "b", List.of(delta))));
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage(
            "malformed ACK2 frame: value of TOKENS has 500 bytes, over the limit of 192 (64 chars)");
  }

  @Test
  void decode_endpointNameOverBound() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_ACK2).writeByte(0);
    writeString16(frame, "n".repeat(EndpointState.ENDPOINT_CHARS_MAX + 1));
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: from has 129 chars, over the limit of 128");
  }

  @Test
  void decode_endpointNameWithWhitespace() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_ACK2).writeByte(0);
    writeString16(frame, "node 1");
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: from must not contain whitespace, was 'node 1'");
  }

  @Test
  void decode_unknownApplicationStateCode() {
    TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
    values.put(ApplicationState.STATUS, new VersionedValue("NORMAL", 3));
    EndpointDelta delta = EndpointDelta.whole(new EndpointState("node-1", 1, 1, values));
    byte[] body = body(codec, gossip(new GossipMessage.Ack2("a", "b", List.of(delta))));
    // The body ends with the value: code(1) length(4) "NORMAL"(6) version(8).
    int codeOffset = body.length - 8 - 6 - 4 - 1;
    assertThat(body[codeOffset]).isEqualTo((byte) InternodeFormat.STATE_STATUS);
    body[codeOffset] = 42;
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(body)))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: unknown application state code 42 for node-1");
  }

  @Test
  void decode_applicationStateTwice() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_ACK2).writeByte(0);
    writeString16(frame, "a");
    writeString16(frame, "b");
    frame.writeInt(1).writeLong(0); // one delta, whole
    writeString16(frame, "node-1");
    frame.writeLong(1).writeLong(1).writeByte(2);
    for (int i = 0; i < 2; i++) {
      frame.writeByte(InternodeFormat.STATE_DC).writeInt(1).writeByte('x').writeLong(2 + i);
    }
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: application state DC twice for node-1");
  }

  @Test
  void decode_invalidUtf8() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_ACK2).writeByte(0);
    frame.writeShort(2).writeByte(0xC3).writeByte(0x28); // a broken two-byte sequence
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed ACK2 frame: from is not valid UTF-8");
  }

  @Test
  void decode_valueTheRecordRefuses_isMalformed() {
    byte[] body = body(codec, gossip(new GossipMessage.Syn("a", "b", "ringkv", List.of())));
    ByteBuf frame = Unpooled.buffer().writeBytes(body, 0, body.length - 4);
    frame.writeInt(1);
    writeString16(frame, "node-1");
    frame.writeLong(-5).writeLong(1); // a negative generation
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed SYN frame: invalid value: generation must be non-negative, was -5");
  }

  @Test
  void decode_synFromItself_isMalformed() {
    ByteBuf frame = Unpooled.buffer().writeByte(InternodeFormat.TYPE_GOSSIP_ACK2).writeByte(0);
    writeString16(frame, "a");
    writeString16(frame, "a");
    frame.writeInt(0);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("from and to must differ");
  }

  @Test
  void encode_overABound_isRefusedSoPeersNeverSeeIt() {
    List<GossipDigest> digests = new ArrayList<>();
    for (int i = 0; i <= SMALL.digestsMax(); i++) {
      digests.add(new GossipDigest("node-" + i, 1, 1));
    }
    Frame frame = gossip(new GossipMessage.Syn("a", "b", "ringkv", digests));
    assertThatThrownBy(() -> codec.encode(ByteBufAllocator.DEFAULT, frame))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SYN digests has 9 entries, over the limit of 8");
  }

  // ---------------------------------------------------------------- replication messages

  @Test
  void roundTrip_replicaMessagesAtTheirBounds() {
    byte[] longestKey = new byte[InternodeFormat.STORED_KEY_BYTES_MAX];
    Cell versioned =
        Cell.value(new byte[1 << 16], Long.MIN_VALUE)
            .withExpiry(Long.MAX_VALUE)
            .withVersion(new byte[InternodeFormat.VERSION_BYTES_MAX]);
    List<KeyedCell> many = new ArrayList<>();
    for (int i = 0; i < InternodeFormat.REPLICA_CELLS_MAX; i++) {
      many.add(new KeyedCell(new byte[] {(byte) i}, Cell.tombstone(i).withExpiry(i + 1)));
    }
    for (InternodeMessage message :
        List.of(
            new Replica(Long.MAX_VALUE, new ReplicaRequest.Write(longestKey, versioned)),
            new Replica(0, new ReplicaRequest.WriteBatch(many)),
            new Replica(
                1,
                new ReplicaRequest.Scan(
                    new byte[0], longestKey, InternodeFormat.REPLICA_CELLS_MAX)),
            new ReplicaAnswer(Long.MAX_VALUE, new ReplicaReply.ScanResult(many, true)),
            new ReplicaAnswer(0, new ReplicaReply.ReadResult(null, 0)))) {
      Frame frame = Frame.response(1, message);
      assertThat(roundTrip(codec, frame)).isEqualTo(frame);
    }
  }

  @Test
  void encode_replicaMessageOverABound_isRefused() {
    byte[] tooLong = new byte[InternodeFormat.STORED_KEY_BYTES_MAX + 1];
    Frame frame = Frame.request(1, new Replica(1, new ReplicaRequest.Read(tooLong, false)));
    assertThatThrownBy(() -> codec.encode(ByteBufAllocator.DEFAULT, frame))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key has 1048589 bytes, over the limit of 1048588");
    Frame negative = Frame.request(1, new Replica(-1, new ReplicaRequest.Read(new byte[1], false)));
    assertThatThrownBy(() -> codec.encode(ByteBufAllocator.DEFAULT, negative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hlc must be >= 0, was -1");
  }

  @Test
  void decode_replicaKeyLengthOverTheBound_isRefusedBeforeAllocating() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_READ, 5).writeByte(0);
    frame.writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage(
            "malformed REPLICA_READ frame: key has 2147483647 bytes, over the limit of 1048588");
  }

  @Test
  void decode_replicaKeyLongerThanTheFrame_isTruncated() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_READ, 5).writeByte(1);
    frame.writeInt(100).writeBytes(new byte[10]);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed REPLICA_READ frame: truncated at key: needs 100 bytes, 10 left");
  }

  @Test
  void decode_negativeHlc() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_READ, -5);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed REPLICA_READ frame: hlc must be >= 0, was -5");
  }

  @Test
  void decode_booleanOtherThanZeroOrOne() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_READ, 5).writeByte(2);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed REPLICA_READ frame: digestOnly must be 0 or 1, was 2");
  }

  @Test
  void decode_reservedCellFlags() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_WRITE, 5);
    frame.writeInt(1).writeByte('k').writeByte(0x80);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed REPLICA_WRITE frame: reserved cell flag bits set: 0x80");
  }

  @Test
  void decode_negativeExpiry() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_WRITE, 5);
    frame.writeInt(1).writeByte('k').writeByte(0).writeLong(1).writeLong(-1);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage("malformed REPLICA_WRITE frame: cell expiresAtMillis must be >= 0, was -1");
  }

  @Test
  void decode_batchCountOverTheBytesLeft_isRefusedBeforeAllocating() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_WRITE_BATCH, 5);
    frame.writeInt(1_000).writeBytes(new byte[100]);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessage(
            "malformed REPLICA_WRITE_BATCH frame: batch cell count is 1000: needs at least 25000"
                + " bytes, 100 left");
    ByteBuf over = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_WRITE_BATCH, 5);
    over.writeInt(InternodeFormat.REPLICA_CELLS_MAX + 1);
    assertThatThrownBy(() -> codec.decode(over))
        .isInstanceOf(DecoderException.class)
        .hasMessage(
            "malformed REPLICA_WRITE_BATCH frame: batch cell count is 65537, over the limit of"
                + " 65536");
  }

  @Test
  void decode_scanLimitZero_isAnInvalidValue() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_SCAN, 5);
    frame.writeInt(0).writeInt(0).writeByte(0);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("invalid value: scan limit must be >= 1, was 0");
  }

  @Test
  void decode_standInWriteWithAnInvalidTarget() {
    ByteBuf frame = replicaRequestHeader(InternodeFormat.TYPE_REPLICA_STAND_IN_WRITE, 5);
    writeString16(frame, "bad/name");
    frame.writeInt(1).writeByte('k');
    frame.writeByte(1).writeLong(1).writeLong(1).writeInt(0);
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("malformed REPLICA_STAND_IN_WRITE frame: invalid value:")
        .hasMessageContaining("bad/name");
  }

  private static ByteBuf replicaRequestHeader(int type, long hlc) {
    return Unpooled.buffer()
        .writeByte(type)
        .writeByte(InternodeFormat.KIND_REQUEST)
        .writeLong(1)
        .writeLong(hlc);
  }

  // ---------------------------------------------------------------- helpers

  static Frame roundTrip(InternodeCodec codec, Frame frame) {
    ByteBuf bytes = codec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      long length = bytes.readUnsignedInt();
      assertThat(length).isEqualTo(bytes.readableBytes());
      return codec.decode(bytes);
    } finally {
      bytes.release();
    }
  }

  /** The whole frame, length prefix included. */
  static byte[] encoded(InternodeCodec codec, Frame frame) {
    ByteBuf bytes = codec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      byte[] array = new byte[bytes.readableBytes()];
      bytes.readBytes(array);
      return array;
    } finally {
      bytes.release();
    }
  }

  /** The frame without its length prefix: what {@link InternodeCodec#decode} takes. */
  static byte[] body(InternodeCodec codec, Frame frame) {
    byte[] whole = encoded(codec, frame);
    byte[] body = new byte[whole.length - InternodeFormat.LENGTH_BYTES];
    System.arraycopy(whole, InternodeFormat.LENGTH_BYTES, body, 0, body.length);
    return body;
  }

  private EmbeddedChannel decoderChannel(int frameBytesMax) {
    return new EmbeddedChannel(new FrameDecoder(codec, frameBytesMax));
  }

  private static Frame gossip(GossipMessage message) {
    return Frame.oneWay(new Gossip(message));
  }

  private static void writeString16(ByteBuf out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length).writeBytes(bytes);
  }

  private static String kindOf(Frame frame) {
    return switch (frame) {
      case Frame.Hello hello -> "HELLO";
      case Frame.HelloAccept accept -> "HELLO_ACCEPT";
      case Frame.HelloRefuse refuse -> "HELLO_REFUSE";
      case Frame.Failure failure -> "FAILURE";
      case Frame.Message message ->
          switch (message.message()) {
            case Gossip gossip ->
                switch (gossip.message()) {
                  case GossipMessage.Syn syn -> "SYN";
                  case GossipMessage.Ack ack -> "ACK";
                  case GossipMessage.Ack2 ack2 -> "ACK2";
                };
            case Echo echo -> "ECHO";
            case EchoReply reply -> "ECHO_REPLY";
            case Replica replica ->
                switch (replica.request()) {
                  case ReplicaRequest.Write write -> "REPLICA_WRITE";
                  case ReplicaRequest.StandInWrite standIn -> "REPLICA_STAND_IN_WRITE";
                  case ReplicaRequest.WriteBatch batch -> "REPLICA_WRITE_BATCH";
                  case ReplicaRequest.Read read -> "REPLICA_READ";
                  case ReplicaRequest.Scan scan -> "REPLICA_SCAN";
                  case ReplicaRequest.CausalUpdate update -> "REPLICA_CAUSAL_UPDATE";
                };
            case ReplicaAnswer answer ->
                switch (answer.reply()) {
                  case ReplicaReply.Written written -> "REPLICA_WRITTEN";
                  case ReplicaReply.ReadResult read -> "REPLICA_READ_RESULT";
                  case ReplicaReply.ScanResult scan -> "REPLICA_SCAN_RESULT";
                  case ReplicaReply.CausalApplied applied -> "REPLICA_CAUSAL_APPLIED";
                  case ReplicaReply.CausalRefused refused -> "REPLICA_CAUSAL_REFUSED";
                };
            case InternodeMessage.RaftMessages raft -> "RAFT_MESSAGES";
            case InternodeMessage.RaftPropose propose -> "RAFT_PROPOSE";
            case InternodeMessage.RaftProposeAnswer answer -> "RAFT_PROPOSE_ANSWER";
            case InternodeMessage.MetadataFetch fetch -> "METADATA_FETCH";
            case InternodeMessage.MetadataSnapshot snapshot -> "METADATA_SNAPSHOT";
          };
    };
  }

  // ---------------------------------------------------------------- random frames

  /** Characters names and values are drawn from: ASCII, two- and three-byte UTF-8, a pair. */
  private static final String[] NAME_PIECES = {
    "a", "z", "0", "-", "_", ".", "\u00e9", "\u00df", "\u6f22", "\u5b57", "\ud83d\ude00"
  };

  static Frame randomFrame(Random random, WireLimits limits) {
    return switch (random.nextInt(9)) {
      case 0 ->
          new Frame.Hello(
              random.nextInt(0x10000),
              random.nextInt(0x10000),
              randomName(random),
              randomName(random),
              random.nextInt(0x10000));
      case 1 -> new Frame.HelloAccept(random.nextInt(0x10000), randomName(random));
      case 2 ->
          new Frame.HelloRefuse(
              HandshakeRefusal.values()[random.nextInt(HandshakeRefusal.values().length)],
              random.nextInt(0x10000),
              random.nextInt(0x10000),
              randomText(random, InternodeFormat.REFUSAL_DETAIL_CHARS_MAX));
      case 3 ->
          new Frame.Failure(
              randomRequestId(random),
              randomText(random, InternodeFormat.FAILURE_REASON_CHARS_MAX));
      default -> {
        InternodeMessage message = randomMessage(random, limits);
        FrameKind kind = FrameKind.values()[random.nextInt(FrameKind.values().length)];
        yield new Frame.Message(kind, kind.hasRequestId() ? randomRequestId(random) : 0, message);
      }
    };
  }

  static InternodeMessage randomMessage(Random random, WireLimits limits) {
    return switch (random.nextInt(10)) {
      case 5 -> RaftWireTest.randomRaftEnvelope(random);
      case 6 -> RaftWireTest.randomRaftProposal(random);
      case 0 -> new Echo(random.nextLong());
      case 1 -> new EchoReply(random.nextLong(), random.nextLong());
      case 2, 3 -> new Replica(random.nextLong() & Long.MAX_VALUE, randomReplicaRequest(random));
      case 4 -> new ReplicaAnswer(random.nextLong() & Long.MAX_VALUE, randomReplicaReply(random));
      default -> new Gossip(randomGossip(random, limits));
    };
  }

  static ReplicaRequest randomReplicaRequest(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> new ReplicaRequest.Write(randomBytes(random, 40), randomCell(random));
      case 5 ->
          new ReplicaRequest.CausalUpdate(
              randomBytes(random, 40),
              switch (random.nextInt(3)) {
                case 0 ->
                    new CausalOperation.Put(
                        random.nextBoolean()
                            ? null
                            : VersionVector.empty()
                                .with(
                                    Actor.of("node-" + random.nextInt(9), random.nextInt(3)),
                                    1 + random.nextInt(100)),
                        randomBytes(random, 30));
                case 1 ->
                    new CausalOperation.Increment(
                        random.nextLong(), random.nextBoolean() ? null : new byte[] {1, 2});
                default -> new CausalOperation.SetAdd(List.of(randomBytes(random, 10)));
              },
              random.nextLong());
      case 1 ->
          new ReplicaRequest.StandInWrite(
              NodeId.of("node-" + random.nextInt(100)),
              randomBytes(random, 40),
              randomCell(random));
      case 2 -> new ReplicaRequest.WriteBatch(randomKeyedCells(random));
      case 3 -> new ReplicaRequest.Read(randomBytes(random, 40), random.nextBoolean());
      default ->
          new ReplicaRequest.Scan(
              randomBytes(random, 20),
              random.nextBoolean() ? null : randomBytes(random, 20),
              1 + random.nextInt(InternodeFormat.REPLICA_CELLS_MAX));
    };
  }

  static ReplicaReply randomReplicaReply(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> new ReplicaReply.Written();
      case 3 ->
          new ReplicaReply.CausalApplied(
              randomCell(random), random.nextBoolean(), random.nextInt(Integer.MAX_VALUE));
      case 4 ->
          new ReplicaReply.CausalRefused(
              CausalCells.Refusal.values()[random.nextInt(CausalCells.Refusal.values().length)],
              randomText(random, InternodeFormat.FAILURE_REASON_CHARS_MAX));
      case 1 ->
          new ReplicaReply.ReadResult(
              random.nextBoolean() ? null : randomCell(random), random.nextLong());
      default -> new ReplicaReply.ScanResult(randomKeyedCells(random), random.nextBoolean());
    };
  }

  private static List<KeyedCell> randomKeyedCells(Random random) {
    List<KeyedCell> cells = new ArrayList<>();
    int count = random.nextInt(6);
    for (int i = 0; i < count; i++) {
      cells.add(new KeyedCell(randomBytes(random, 30), randomCell(random)));
    }
    return cells;
  }

  private static Cell randomCell(Random random) {
    long timestamp = random.nextLong();
    Cell cell =
        random.nextInt(3) == 0
            ? Cell.tombstone(timestamp)
            : Cell.value(randomBytes(random, 100), timestamp);
    if (random.nextBoolean()) {
      cell = cell.withExpiry(random.nextLong() & Long.MAX_VALUE);
    }
    if (random.nextInt(4) == 0) {
      cell = cell.withVersion(randomBytes(random, 16));
    }
    return cell;
  }

  private static byte[] randomBytes(Random random, int lengthMax) {
    byte[] bytes = new byte[random.nextInt(lengthMax + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  static GossipMessage randomGossip(Random random, WireLimits limits) {
    String from = randomName(random);
    String to = from + "-peer";
    if (to.length() > EndpointState.ENDPOINT_CHARS_MAX) {
      to = "peer";
    }
    return switch (random.nextInt(3)) {
      case 0 ->
          new GossipMessage.Syn(
              from, to, randomName(random), randomDigests(random, limits.digestsMax()));
      case 1 ->
          new GossipMessage.Ack(
              from, to, randomDigests(random, limits.digestsMax()), randomDeltas(random, limits));
      default -> new GossipMessage.Ack2(from, to, randomDeltas(random, limits));
    };
  }

  private static List<GossipDigest> randomDigests(Random random, int max) {
    List<GossipDigest> digests = new ArrayList<>();
    int count = random.nextInt(max + 1);
    for (int i = 0; i < count; i++) {
      digests.add(
          new GossipDigest(
              randomName(random), randomNonNegative(random), randomNonNegative(random)));
    }
    return digests;
  }

  private static List<EndpointDelta> randomDeltas(Random random, WireLimits limits) {
    List<EndpointDelta> deltas = new ArrayList<>();
    int count = random.nextInt(limits.deltasMax() + 1);
    for (int i = 0; i < count; i++) {
      long afterVersion = random.nextBoolean() ? 0 : random.nextInt(1_000_000);
      TreeMap<ApplicationState, VersionedValue> values = new TreeMap<>();
      EnumSet<ApplicationState> keys = EnumSet.noneOf(ApplicationState.class);
      for (ApplicationState state : ApplicationState.values()) {
        if (random.nextBoolean()) {
          keys.add(state);
        }
      }
      for (ApplicationState key : keys) {
        values.put(
            key,
            new VersionedValue(
                randomText(random, limits.valueCharsMax()),
                afterVersion + 1 + random.nextInt(1_000_000)));
      }
      deltas.add(
          new EndpointDelta(
              new EndpointState(
                  randomName(random), randomNonNegative(random), randomNonNegative(random), values),
              afterVersion));
    }
    return deltas;
  }

  private static String randomName(Random random) {
    int target = 1 + random.nextInt(random.nextInt(10) == 0 ? 128 : 16);
    StringBuilder name = new StringBuilder();
    while (name.length() < target) {
      String piece = NAME_PIECES[random.nextInt(NAME_PIECES.length)];
      if (name.length() + piece.length() > target) {
        piece = "x";
      }
      name.append(piece);
    }
    return name.toString();
  }

  private static String randomText(Random random, int charsMax) {
    int target = random.nextInt(Math.min(charsMax, 100) + 1);
    StringBuilder text = new StringBuilder();
    while (text.length() < target) {
      String piece = random.nextInt(4) == 0 ? " " : NAME_PIECES[random.nextInt(NAME_PIECES.length)];
      if (text.length() + piece.length() > target) {
        piece = "y";
      }
      text.append(piece);
    }
    return text.toString();
  }

  private static long randomNonNegative(Random random) {
    return random.nextBoolean() ? random.nextInt(1_000) : random.nextLong() & Long.MAX_VALUE;
  }

  private static long randomRequestId(Random random) {
    return 1 + (random.nextLong() & (Long.MAX_VALUE - 1));
  }
}
