package io.ringkv.server.internode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.Message;
import io.ringkv.raft.Snapshot;
import io.ringkv.server.internode.InternodeMessage.RaftMessages;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Raft messages on the wire (docs/format/internode.md, "Raft messages"): every kind of {@link
 * Message} round-trips inside an envelope with all its fields, entries and snapshot, and the
 * corruption shapes are refused naming the field.
 */
class RaftWireTest {
  private static final long SEED = Long.getLong("ringkv.test.seed", 0x5AF7L);
  private final InternodeCodec codec = new InternodeCodec(WireLimits.defaults());

  @Test
  void roundTrip_everyRaftMessageKind() {
    Random random = new Random(SEED);
    Set<Class<?>> kinds = new HashSet<>();
    for (int round = 0; round < 1_000; round++) {
      long seed = random.nextLong();
      InternodeMessage message =
          switch (round % 3) {
            case 0 -> randomRaftEnvelope(new Random(seed));
            default -> randomRaftProposal(new Random(seed));
          };
      if (message instanceof RaftMessages envelope) {
        envelope.messages().forEach(m -> kinds.add(m.getClass()));
      }
      Frame frame = new Frame.Message(FrameKind.ONE_WAY, 0, message);
      try {
        assertThat(InternodeCodecTest.roundTrip(codec, frame)).isEqualTo(frame);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("round trip failed for seed " + seed + ": " + message, e);
      }
    }
    assertThat(kinds).hasSize(Message.class.getPermittedSubclasses().length);
  }

  @Test
  void decode_unknownRaftMessageKind_namesIt() {
    ByteBuf bytes = encodeBody(new Message.TimeoutNow(1, 2, 3));
    // Body: groupId(8) count(4), then the message's kind byte.
    int kindOffset = 4 + 2 + 8 + 4;
    bytes.setByte(kindOffset, 99);
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("unknown raft message kind 99");
  }

  @Test
  void decode_memberIdZero_isRefused() {
    ByteBuf bytes = encodeBody(new Message.TimeoutNow(1, 2, 3));
    int fromOffset = 4 + 2 + 8 + 4 + 1;
    bytes.setLong(fromOffset, 0);
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("raft from and to must be positive");
  }

  @Test
  void decode_hugeEntryCount_failsBeforeAllocating() {
    ByteBuf bytes = encodeBody(new Message.AppendEntries(1, 2, 3, 4, 5, List.of(), 6));
    int countOffset = 4 + 2 + 8 + 4 + 1 + 24 + 24;
    bytes.setInt(countOffset, 60_000);
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("entry count is 60000: needs at least");
  }

  @Test
  void decode_unknownProposalOutcome_isRefused() {
    ByteBuf bytes =
        codec.encode(
            ByteBufAllocator.DEFAULT,
            new Frame.Message(FrameKind.RESPONSE, 5, RaftProposeAnswer.applied(1, new byte[] {1})));
    bytes.setByte(4 + 2 + 8 + 8, 7);
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("unknown proposal outcome 7");
  }

  @Test
  void envelope_withoutMessages_isRefused() {
    assertThatThrownBy(() -> new RaftMessages(1, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one message");
  }

  // ---------------------------------------------------------------------------------- helpers

  private ByteBuf encodeBody(Message message) {
    return codec.encode(
        ByteBufAllocator.DEFAULT,
        new Frame.Message(FrameKind.ONE_WAY, 0, new RaftMessages(9, List.of(message))));
  }

  private Frame decode(ByteBuf bytes) {
    try {
      bytes.skipBytes(4);
      return codec.decode(bytes);
    } finally {
      bytes.release();
    }
  }

  static RaftMessages randomRaftEnvelope(Random random) {
    List<Message> messages = new ArrayList<>();
    int count = 1 + random.nextInt(5);
    for (int i = 0; i < count; i++) {
      messages.add(randomRaftMessage(random));
    }
    return new RaftMessages(1 + (random.nextLong() & 0xffff), messages);
  }

  static InternodeMessage randomRaftProposal(Random random) {
    long group = random.nextLong();
    return switch (random.nextInt(4)) {
      case 0 -> new RaftPropose(group, bytes(random, 40));
      case 1 -> RaftProposeAnswer.applied(group, bytes(random, 20));
      case 2 -> RaftProposeAnswer.notLeader(group, random.nextBoolean() ? "" : "node-3");
      default -> RaftProposeAnswer.failed(group, "over the limit \u00e9");
    };
  }

  private static Message randomRaftMessage(Random random) {
    long from = 1 + random.nextInt(5);
    long to = 1 + random.nextInt(5);
    long term = random.nextInt(100);
    return switch (random.nextInt(10)) {
      case 0 ->
          new Message.VoteRequest(
              from,
              to,
              term,
              random.nextBoolean(),
              random.nextLong() & Long.MAX_VALUE,
              random.nextInt(50),
              random.nextBoolean());
      case 1 ->
          new Message.VoteResponse(from, to, term, random.nextBoolean(), random.nextBoolean());
      case 2 -> {
        List<Entry> entries = new ArrayList<>();
        long index = 1 + random.nextInt(1000);
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
          entries.add(
              new Entry(
                  index + i,
                  1 + random.nextInt(10),
                  random.nextBoolean() ? EntryType.NORMAL : EntryType.CONFIGURATION,
                  bytes(random, 30)));
        }
        yield new Message.AppendEntries(
            from, to, term, index - 1, random.nextInt(10), entries, random.nextInt(1000));
      }
      case 3 ->
          new Message.AppendResponse(
              from,
              to,
              term,
              random.nextBoolean(),
              random.nextInt(1000),
              random.nextInt(1000),
              random.nextInt(10));
      case 4 ->
          new Message.Heartbeat(
              from, to, term, random.nextInt(1000), random.nextInt(10), random.nextLong());
      case 5 ->
          new Message.HeartbeatResponse(from, to, term, random.nextInt(10), random.nextLong());
      case 6 -> {
        long index = random.nextInt(1000);
        Configuration configuration =
            random.nextBoolean()
                ? Configuration.ofVoters(1, 2, 3)
                : new Configuration(List.of(1L, 2L), List.of(4L));
        yield new Message.InstallSnapshot(
            from,
            to,
            term,
            new Snapshot(
                index, index == 0 ? 0 : 1 + random.nextInt(9), configuration, bytes(random, 50)));
      }
      case 7 -> new Message.TimeoutNow(from, to, term);
      case 8 -> new Message.ReadIndexRequest(from, to, term, random.nextLong());
      default ->
          new Message.ReadIndexResponse(from, to, term, random.nextLong(), random.nextInt(1000));
    };
  }

  private static byte[] bytes(Random random, int max) {
    byte[] bytes = new byte[random.nextInt(max + 1)];
    random.nextBytes(bytes);
    return bytes;
  }
}
