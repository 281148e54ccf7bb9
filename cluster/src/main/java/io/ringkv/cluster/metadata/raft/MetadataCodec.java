package io.ringkv.cluster.metadata.raft;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.ClusterMetadata;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.ReplicationStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.cluster.ring.Token;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the metadata log's records: commands, results and snapshots of the whole
 * metadata (docs/format/metadata-log.md; constants in {@link MetadataFormat}).
 *
 * <p>Decoding treats bytes as untrusted input: a wrong version or kind, a bad CRC, a length past
 * its limit, a truncated or over-long record, or a value that breaks a rule of the metadata (a bad
 * name, a port out of range) is an {@link IllegalArgumentException} naming what was wrong, never
 * another exception. Encoding then decoding gives an equal value.
 *
 * <p>Stateless; thread-safe.
 */
public final class MetadataCodec {
  private MetadataCodec() {}

  // --- commands ---

  /** The bytes of {@code command}, as a log entry's data. */
  public static byte[] encode(MetadataCommand command) {
    Writer writer = new Writer();
    switch (command) {
      case MetadataCommand.Join join -> {
        writer.header(MetadataFormat.JOIN);
        writer.string(join.id().value());
        writer.address(join.address());
        writer.string(join.datacenter());
        writer.string(join.rack());
        writer.out.writeDouble(join.weight());
        writer.out.writeInt(join.tokensPerWeight());
        writer.out.writeInt(join.allocationReplicationFactor());
      }
      case MetadataCommand.SetStatus setStatus -> {
        writer.header(MetadataFormat.SET_STATUS);
        writer.string(setStatus.id().value());
        writer.out.writeByte(MetadataFormat.statusCode(setStatus.status()));
      }
      case MetadataCommand.Leave leave -> {
        writer.header(MetadataFormat.LEAVE);
        writer.string(leave.id().value());
      }
      case MetadataCommand.Remove remove -> {
        writer.header(MetadataFormat.REMOVE);
        writer.string(remove.id().value());
      }
      case MetadataCommand.SetAddress setAddress -> {
        writer.header(MetadataFormat.SET_ADDRESS);
        writer.string(setAddress.id().value());
        writer.address(setAddress.address());
      }
      case MetadataCommand.PutKeyspace put -> {
        writer.header(MetadataFormat.PUT_KEYSPACE);
        writer.keyspace(put.keyspace());
      }
      case MetadataCommand.DropKeyspace drop -> {
        writer.header(MetadataFormat.DROP_KEYSPACE);
        writer.string(drop.name());
      }
    }
    return writer.finish(MetadataFormat.COMMAND_BYTES_MAX, "metadata command");
  }

  /**
   * The command in {@code bytes}.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed command
   */
  public static MetadataCommand decodeCommand(byte[] bytes) {
    Reader reader = new Reader(bytes, MetadataFormat.COMMAND_BYTES_MAX, "metadata command");
    byte kind = reader.kind;
    return reader.read(
        () ->
            switch (kind) {
              case MetadataFormat.JOIN ->
                  new MetadataCommand.Join(
                      reader.nodeId(),
                      reader.address(),
                      reader.string("datacenter"),
                      reader.string("rack"),
                      reader.in.getDouble(),
                      reader.in.getInt(),
                      reader.in.getInt());
              case MetadataFormat.SET_STATUS ->
                  new MetadataCommand.SetStatus(
                      reader.nodeId(), MetadataFormat.status(reader.in.get()));
              case MetadataFormat.LEAVE -> new MetadataCommand.Leave(reader.nodeId());
              case MetadataFormat.REMOVE -> new MetadataCommand.Remove(reader.nodeId());
              case MetadataFormat.SET_ADDRESS ->
                  new MetadataCommand.SetAddress(reader.nodeId(), reader.address());
              case MetadataFormat.PUT_KEYSPACE ->
                  new MetadataCommand.PutKeyspace(reader.keyspace());
              case MetadataFormat.DROP_KEYSPACE ->
                  new MetadataCommand.DropKeyspace(reader.string("keyspace name"));
              default ->
                  throw new IllegalArgumentException(
                      "metadata command kind " + kind + " is unknown");
            });
  }

  // --- results ---

  /** The bytes of {@code result}, as a state machine's answer to the proposer. */
  public static byte[] encode(MetadataResult result) {
    Writer writer = new Writer();
    switch (result) {
      case MetadataResult.Applied applied -> {
        writer.header(MetadataFormat.APPLIED);
        writer.out.writeLong(applied.epoch());
      }
      case MetadataResult.Unchanged unchanged -> {
        writer.header(MetadataFormat.UNCHANGED);
        writer.out.writeLong(unchanged.epoch());
      }
      case MetadataResult.Rejected rejected -> {
        writer.header(MetadataFormat.REJECTED);
        writer.out.writeLong(rejected.epoch());
        writer.string(truncate(rejected.reason()));
      }
    }
    return writer.finish(MetadataFormat.COMMAND_BYTES_MAX, "metadata result");
  }

  /**
   * The result in {@code bytes}.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed result
   */
  public static MetadataResult decodeResult(byte[] bytes) {
    Reader reader = new Reader(bytes, MetadataFormat.COMMAND_BYTES_MAX, "metadata result");
    byte kind = reader.kind;
    return reader.read(
        () ->
            switch (kind) {
              case MetadataFormat.APPLIED -> new MetadataResult.Applied(reader.in.getLong());
              case MetadataFormat.UNCHANGED -> new MetadataResult.Unchanged(reader.in.getLong());
              case MetadataFormat.REJECTED ->
                  new MetadataResult.Rejected(reader.in.getLong(), reader.string("reason"));
              default ->
                  throw new IllegalArgumentException(
                      "metadata result kind " + kind + " is unknown");
            });
  }

  // --- snapshots ---

  /** The bytes of the whole of {@code metadata}: a Raft snapshot's data, or a fetch's answer. */
  public static byte[] encode(ClusterMetadata metadata) {
    Writer writer = new Writer();
    writer.header(MetadataFormat.SNAPSHOT);
    writer.out.writeLong(metadata.epoch());
    writer.out.writeInt(metadata.members().size());
    for (Member member : metadata.members().values()) {
      writer.string(member.id().value());
      writer.address(member.address());
      writer.string(member.datacenter());
      writer.string(member.rack());
      writer.out.writeDouble(member.weight());
      writer.out.writeByte(MetadataFormat.statusCode(member.status()));
      writer.out.writeInt(member.tokens().size());
      for (Token token : member.tokens()) {
        writer.out.writeLong(token.value());
      }
    }
    writer.out.writeInt(metadata.keyspaces().size());
    for (Keyspace keyspace : metadata.keyspaces().values()) {
      writer.keyspace(keyspace);
    }
    return writer.finish(MetadataFormat.SNAPSHOT_BYTES_MAX, "metadata snapshot");
  }

  /**
   * The metadata in {@code bytes}.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed snapshot
   */
  public static ClusterMetadata decodeSnapshot(byte[] bytes) {
    Reader reader = new Reader(bytes, MetadataFormat.SNAPSHOT_BYTES_MAX, "metadata snapshot");
    if (reader.kind != MetadataFormat.SNAPSHOT) {
      throw new IllegalArgumentException(
          "metadata snapshot kind " + reader.kind + " is not " + MetadataFormat.SNAPSHOT);
    }
    return reader.read(
        () -> {
          long epoch = reader.in.getLong();
          int memberCount = reader.count("members", ClusterMetadata.MEMBERS_MAX);
          List<Member> members = new ArrayList<>(memberCount);
          for (int i = 0; i < memberCount; i++) {
            NodeId id = reader.nodeId();
            Address address = reader.address();
            String datacenter = reader.string("datacenter");
            String rack = reader.string("rack");
            double weight = reader.in.getDouble();
            Member.Status status = MetadataFormat.status(reader.in.get());
            int tokenCount = reader.count("tokens of " + id, Member.TOKENS_MAX);
            List<Token> tokens = new ArrayList<>(tokenCount);
            for (int t = 0; t < tokenCount; t++) {
              tokens.add(Token.of(reader.in.getLong()));
            }
            members.add(new Member(id, address, datacenter, rack, tokens, status, weight));
          }
          int keyspaceCount = reader.count("keyspaces", ClusterMetadata.KEYSPACES_MAX);
          List<Keyspace> keyspaces = new ArrayList<>(keyspaceCount);
          for (int i = 0; i < keyspaceCount; i++) {
            keyspaces.add(reader.keyspace());
          }
          return ClusterMetadata.of(epoch, members, keyspaces);
        });
  }

  private static String truncate(String reason) {
    // Reasons are built from bounded names; cut defensively in characters, well under the limit.
    int charsMax = MetadataFormat.STRING_BYTES_MAX / 4;
    return reason.length() <= charsMax ? reason : reason.substring(0, charsMax);
  }

  /** Appends fields to a growing array. */
  private static final class Writer {
    final Output out = new Output();

    void header(byte kind) {
      out.writeByte(MetadataFormat.VERSION);
      out.writeByte(kind);
    }

    void string(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > MetadataFormat.STRING_BYTES_MAX) {
        throw new IllegalArgumentException(
            "string of "
                + utf8.length
                + " bytes is longer than the limit of "
                + MetadataFormat.STRING_BYTES_MAX);
      }
      out.writeShort(utf8.length);
      out.write(utf8, 0, utf8.length);
    }

    void address(Address address) {
      string(address.host());
      out.writeInt(address.internodePort());
      out.writeInt(address.respPort());
      out.writeInt(address.httpPort());
      out.writeInt(address.grpcPort());
    }

    void keyspace(Keyspace keyspace) {
      string(keyspace.name());
      switch (keyspace.replication()) {
        case SimpleStrategy simple -> {
          out.writeByte(MetadataFormat.SIMPLE_STRATEGY);
          out.writeInt(simple.replicationFactor());
        }
        case NetworkTopologyStrategy topology -> {
          out.writeByte(MetadataFormat.NETWORK_TOPOLOGY_STRATEGY);
          out.writeInt(topology.replicationFactors().size());
          for (Map.Entry<String, Integer> entry : topology.replicationFactors().entrySet()) {
            string(entry.getKey());
            out.writeInt(entry.getValue());
          }
        }
      }
      out.writeByte(MetadataFormat.levelCode(keyspace.readLevel()));
      out.writeByte(MetadataFormat.levelCode(keyspace.writeLevel()));
      // One flags byte: an LWW keyspace writes 0 or 1 as before causal mode, so records of LWW
      // keyspaces are byte for byte what older builds wrote and read.
      out.writeByte(
          (keyspace.sloppyQuorum() ? MetadataFormat.KEYSPACE_SLOPPY_QUORUM : 0)
              | (keyspace.causal() ? MetadataFormat.KEYSPACE_CAUSAL : 0));
    }

    byte[] finish(int bytesMax, String what) {
      CRC32C crc = new CRC32C();
      crc.update(out.buffer(), 0, out.size());
      out.writeInt((int) crc.getValue());
      if (out.size() > bytesMax) {
        throw new IllegalArgumentException(
            what + " of " + out.size() + " bytes is longer than the limit of " + bytesMax);
      }
      return out.toByteArray();
    }
  }

  /** A byte array output with big-endian writers and no checked exceptions. */
  private static final class Output extends ByteArrayOutputStream {
    byte[] buffer() {
      return buf;
    }

    void writeByte(int value) {
      write(value);
    }

    void writeShort(int value) {
      write(value >>> 8);
      write(value);
    }

    void writeInt(int value) {
      writeShort(value >>> 16);
      writeShort(value);
    }

    void writeLong(long value) {
      writeInt((int) (value >>> 32));
      writeInt((int) value);
    }

    void writeDouble(double value) {
      writeLong(Double.doubleToRawLongBits(value));
    }
  }

  /** Reads fields from a record whose header and CRC it has checked. */
  private static final class Reader {
    final ByteBuffer in;
    final byte kind;
    private final String what;

    Reader(byte[] bytes, int bytesMax, String what) {
      this.what = what;
      if (bytes == null) {
        throw new IllegalArgumentException(what + " is missing");
      }
      if (bytes.length > bytesMax) {
        throw new IllegalArgumentException(
            what + " of " + bytes.length + " bytes is longer than the limit of " + bytesMax);
      }
      if (bytes.length < MetadataFormat.HEADER_BYTES + MetadataFormat.TRAILER_BYTES) {
        throw new IllegalArgumentException(
            what
                + " of "
                + bytes.length
                + " bytes is shorter than a header and a CRC ("
                + (MetadataFormat.HEADER_BYTES + MetadataFormat.TRAILER_BYTES)
                + " bytes)");
      }
      int bodyEnd = bytes.length - MetadataFormat.TRAILER_BYTES;
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, bodyEnd);
      int stored = ByteBuffer.wrap(bytes, bodyEnd, MetadataFormat.TRAILER_BYTES).getInt();
      if (stored != (int) crc.getValue()) {
        throw new IllegalArgumentException(
            what
                + " CRC mismatch: stored "
                + Integer.toHexString(stored)
                + ", computed "
                + Integer.toHexString((int) crc.getValue()));
      }
      if (bytes[0] != MetadataFormat.VERSION) {
        throw new IllegalArgumentException(
            what
                + " version "
                + bytes[0]
                + " is unknown; this build reads "
                + MetadataFormat.VERSION);
      }
      this.kind = bytes[1];
      this.in =
          ByteBuffer.wrap(
              bytes, MetadataFormat.HEADER_BYTES, bodyEnd - MetadataFormat.HEADER_BYTES);
    }

    /**
     * The value {@code body} reads, with the end of the record checked after it; what the body
     * throws on bad bytes becomes an {@link IllegalArgumentException} naming the record.
     */
    <T> T read(java.util.function.Supplier<T> body) {
      T value = guard(body);
      finish();
      return value;
    }

    private <T> T guard(java.util.function.Supplier<T> body) {
      try {
        return body.get();
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException(what + " is truncated", e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      } catch (NullPointerException e) {
        throw new IllegalArgumentException(what + ": a field is missing: " + e.getMessage(), e);
      }
    }

    private void finish() {
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            what + " has " + in.remaining() + " bytes after its last field");
      }
    }

    int count(String field, int max) {
      int count = in.getInt();
      if (count < 0 || count > max) {
        throw new IllegalArgumentException(
            "count of " + field + " must be in [0, " + max + "], was " + count);
      }
      return count;
    }

    String string(String field) {
      int length = Short.toUnsignedInt(in.getShort());
      if (length > MetadataFormat.STRING_BYTES_MAX) {
        throw new IllegalArgumentException(
            field
                + " of "
                + length
                + " bytes is longer than the limit of "
                + MetadataFormat.STRING_BYTES_MAX);
      }
      byte[] utf8 = new byte[length];
      in.get(utf8);
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(utf8))
            .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(field + " is not valid UTF-8", e);
      }
    }

    NodeId nodeId() {
      return new NodeId(string("node id"));
    }

    Address address() {
      return new Address(string("host"), in.getInt(), in.getInt(), in.getInt(), in.getInt());
    }

    Keyspace keyspace() {
      String name = string("keyspace name");
      byte strategy = in.get();
      ReplicationStrategy replication =
          switch (strategy) {
            case MetadataFormat.SIMPLE_STRATEGY -> new SimpleStrategy(in.getInt());
            case MetadataFormat.NETWORK_TOPOLOGY_STRATEGY -> {
              int count =
                  count("datacenters of keyspace " + name, NetworkTopologyStrategy.DATACENTERS_MAX);
              TreeMap<String, Integer> factors = new TreeMap<>();
              for (int i = 0; i < count; i++) {
                String datacenter = string("datacenter");
                if (factors.put(datacenter, in.getInt()) != null) {
                  throw new IllegalArgumentException(
                      "keyspace " + name + " names datacenter " + datacenter + " twice");
                }
              }
              yield new NetworkTopologyStrategy(factors);
            }
            default ->
                throw new IllegalArgumentException(
                    "keyspace " + name + " replication strategy code " + strategy + " is unknown");
          };
      ConsistencyLevelPair levels =
          new ConsistencyLevelPair(MetadataFormat.level(in.get()), MetadataFormat.level(in.get()));
      int flags = in.get() & 0xFF;
      if ((flags & ~MetadataFormat.KEYSPACE_FLAGS_KNOWN) != 0) {
        throw new IllegalArgumentException(
            "keyspace "
                + name
                + " flags 0x"
                + Integer.toHexString(flags)
                + " hold unknown bits (known: 0x"
                + Integer.toHexString(MetadataFormat.KEYSPACE_FLAGS_KNOWN)
                + ")");
      }
      return new Keyspace(
          name,
          replication,
          levels.read(),
          levels.write(),
          (flags & MetadataFormat.KEYSPACE_SLOPPY_QUORUM) != 0,
          (flags & MetadataFormat.KEYSPACE_CAUSAL) != 0 ? ConflictMode.CAUSAL : ConflictMode.LWW);
    }
  }

  private record ConsistencyLevelPair(
      io.ringkv.common.ConsistencyLevel read, io.ringkv.common.ConsistencyLevel write) {}
}
