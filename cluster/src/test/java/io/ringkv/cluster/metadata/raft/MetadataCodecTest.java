package io.ringkv.cluster.metadata.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.ring.TestSeeds;
import io.ringkv.common.Rng;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataCodecTest {

  @Test
  void command_everyKindRoundTrips() {
    for (MetadataCommand command : Commands.everyKind()) {
      assertThat(MetadataCodec.decodeCommand(MetadataCodec.encode(command)))
          .as("%s", command)
          .isEqualTo(command);
    }
  }

  @Test
  void result_everyKindRoundTrips() {
    for (MetadataResult result :
        new MetadataResult[] {
          new MetadataResult.Applied(7),
          new MetadataResult.Unchanged(0),
          new MetadataResult.Rejected(Long.MAX_VALUE, "no member node-9 at epoch 3 — ünïcode")
        }) {
      assertThat(MetadataCodec.decodeResult(MetadataCodec.encode(result))).isEqualTo(result);
    }
  }

  @Test
  void snapshot_roundTripsMembersTokensAndKeyspaces() {
    MetadataStateMachine machine = new MetadataStateMachine();
    long index = 0;
    for (MetadataCommand command : Commands.everyKind()) {
      machine.apply(++index, MetadataCodec.encode(command));
    }
    machine.apply(++index, MetadataCodec.encode(Commands.join(2)));
    ClusterMetadata metadata = machine.metadata();
    assertThat(metadata.members()).hasSize(3);
    assertThat(MetadataCodec.decodeSnapshot(MetadataCodec.encode(metadata))).isEqualTo(metadata);
    assertThat(MetadataCodec.decodeSnapshot(MetadataCodec.encode(ClusterMetadata.empty())))
        .isEqualTo(ClusterMetadata.empty());
  }

  /**
   * A PutKeyspace record as builds before causal mode wrote it (its last keyspace byte the
   * sloppy-quorum flag): still read, as an LWW keyspace, and written again byte for byte.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1})
  void putKeyspace_aRecordFromBeforeCausalModeReadsAsLwwAndEncodesTheSame(int sloppy) {
    byte[] name = "users".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer old = ByteBuffer.allocate(2 + 2 + name.length + 1 + 4 + 3 + 4);
    old.put((byte) 1).put((byte) 6); // version 1, PUT_KEYSPACE
    old.putShort((short) name.length).put(name);
    old.put((byte) 1).putInt(3); // SimpleStrategy, RF 3
    old.put((byte) 4).put((byte) 1).put((byte) sloppy); // QUORUM, ONE, sloppy flag
    byte[] bytes = resealed(old.array());

    MetadataCommand decoded = MetadataCodec.decodeCommand(bytes);

    Keyspace keyspace = ((MetadataCommand.PutKeyspace) decoded).keyspace();
    assertThat(keyspace.conflicts()).isEqualTo(ConflictMode.LWW);
    assertThat(keyspace.sloppyQuorum()).isEqualTo(sloppy == 1);
    assertThat(MetadataCodec.encode(decoded)).isEqualTo(bytes);
  }

  @Test
  void putKeyspace_causalRoundTripsAndUnknownFlagBitsAreRejected() {
    Keyspace causal = Commands.keyspace("carts", 3).withConflicts(ConflictMode.CAUSAL);
    byte[] bytes = MetadataCodec.encode(new MetadataCommand.PutKeyspace(causal));
    assertThat(((MetadataCommand.PutKeyspace) MetadataCodec.decodeCommand(bytes)).keyspace())
        .isEqualTo(causal);
    assertThat(bytes[bytes.length - 5]).as("the flags byte").isEqualTo((byte) 0x02);

    bytes[bytes.length - 5] = 0x06;
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(resealed(bytes)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyspace carts flags 0x6 hold unknown bits (known: 0x3)");
  }

  @Test
  void decode_truncatedIsRejected() {
    byte[] bytes = MetadataCodec.encode(Commands.join(1));
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> MetadataCodec.decodeCommand(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metadata command");
    }
  }

  @Test
  void decode_checksumMismatchIsRejected() {
    byte[] bytes = MetadataCodec.encode(Commands.join(1));
    bytes[5] ^= 0x10;
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CRC mismatch");
  }

  @Test
  void decode_unknownVersionIsRejected() {
    byte[] bytes = MetadataCodec.encode(Commands.join(1));
    bytes[0] = 2;
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(resealed(bytes)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 2 is unknown");
  }

  @Test
  void decode_unknownKindIsRejected() {
    byte[] bytes = MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(1)));
    bytes[1] = 99;
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(resealed(bytes)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kind 99 is unknown");
  }

  @Test
  void decode_trailingBytesAreRejected() {
    byte[] bytes = MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(1)));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    System.arraycopy(bytes, bytes.length - 4, longer, longer.length - 4, 4);
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(resealed(longer)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 bytes after its last field");
  }

  @Test
  void decode_badNameIsRejectedNamingTheField() {
    byte[] bytes = MetadataCodec.encode(new MetadataCommand.Leave(Commands.node(1)));
    bytes[4] = ' '; // the first character of the node id (after version, kind, length)
    assertThatThrownBy(() -> MetadataCodec.decodeCommand(resealed(bytes)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node id ' ode-1'");
  }

  @Test
  void decode_memberCountPastTheLimitIsRejected() {
    byte[] bytes = MetadataCodec.encode(ClusterMetadata.empty());
    ByteBuffer.wrap(bytes).putInt(2 + 8, ClusterMetadata.MEMBERS_MAX + 1);
    assertThatThrownBy(() -> MetadataCodec.decodeSnapshot(resealed(bytes)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count of members must be in [0, 1024], was 1025");
  }

  @Test
  void decode_snapshotOfAnotherKindIsRejected() {
    byte[] bytes = MetadataCodec.encode(Commands.join(1));
    assertThatThrownBy(() -> MetadataCodec.decodeSnapshot(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata snapshot kind 1");
  }

  static java.util.stream.Stream<Long> seeds() {
    return TestSeeds.seeds(0x4D45_5441L, 20);
  }

  /** Any damage, resealed with a fresh CRC so that it reaches the field decoders: only IAE. */
  @ParameterizedTest
  @MethodSource("seeds")
  void decode_randomDamageIsAnOrdinaryError(long seed) {
    Rng rng = new Rng(seed);
    for (int round = 0; round < 200; round++) {
      MetadataCommand command = Commands.random(rng, 6);
      byte[] bytes = MetadataCodec.encode(command);
      int flips = 1 + rng.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int at = rng.nextInt(bytes.length - 4);
        bytes[at] = (byte) rng.nextInt(256);
      }
      byte[] damaged = resealed(bytes);
      try {
        MetadataCommand decoded = MetadataCodec.decodeCommand(damaged);
        assertThat(MetadataCodec.decodeCommand(MetadataCodec.encode(decoded)))
            .as(TestSeeds.replay(seed))
            .isEqualTo(decoded);
      } catch (IllegalArgumentException expected) {
        assertThat(expected.getMessage()).as(TestSeeds.replay(seed)).isNotBlank();
      }
    }
  }

  /** {@code bytes} with its CRC trailer recomputed. */
  static byte[] resealed(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }
}
