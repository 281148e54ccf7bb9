package io.ringkv.server.internode;

import static io.ringkv.server.internode.InternodeFormat.FAILURE_REASON_CHARS_MAX;
import static io.ringkv.server.internode.InternodeFormat.FLAGS_KIND_MASK;
import static io.ringkv.server.internode.InternodeFormat.HEADER_BYTES_MIN;
import static io.ringkv.server.internode.InternodeFormat.LENGTH_BYTES;
import static io.ringkv.server.internode.InternodeFormat.MAGIC;
import static io.ringkv.server.internode.InternodeFormat.NAME_CHARS_MAX;
import static io.ringkv.server.internode.InternodeFormat.REFUSAL_DETAIL_CHARS_MAX;
import static io.ringkv.server.internode.InternodeFormat.REQUEST_ID_BYTES;
import static io.ringkv.server.internode.InternodeFormat.STATE_VALUES_MAX;
import static io.ringkv.server.internode.InternodeFormat.TYPE_ECHO;
import static io.ringkv.server.internode.InternodeFormat.TYPE_ECHO_REPLY;
import static io.ringkv.server.internode.InternodeFormat.TYPE_FAILURE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_GOSSIP_ACK;
import static io.ringkv.server.internode.InternodeFormat.TYPE_GOSSIP_ACK2;
import static io.ringkv.server.internode.InternodeFormat.TYPE_GOSSIP_SYN;
import static io.ringkv.server.internode.InternodeFormat.TYPE_HELLO;
import static io.ringkv.server.internode.InternodeFormat.TYPE_HELLO_ACCEPT;
import static io.ringkv.server.internode.InternodeFormat.TYPE_HELLO_REFUSE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_METADATA_FETCH;
import static io.ringkv.server.internode.InternodeFormat.TYPE_METADATA_SNAPSHOT;
import static io.ringkv.server.internode.InternodeFormat.TYPE_RAFT_MESSAGES;
import static io.ringkv.server.internode.InternodeFormat.TYPE_RAFT_PROPOSE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_RAFT_PROPOSE_ANSWER;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_CAUSAL_APPLIED;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_CAUSAL_REFUSED;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_CAUSAL_UPDATE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_READ;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_READ_RESULT;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_SCAN;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_SCAN_RESULT;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_STAND_IN_WRITE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_WRITE;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_WRITE_BATCH;
import static io.ringkv.server.internode.InternodeFormat.TYPE_REPLICA_WRITTEN;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
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
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalCodec;
import io.ringkv.cluster.version.CausalFormatException;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.Entry;
import io.ringkv.raft.EntryType;
import io.ringkv.raft.Message;
import io.ringkv.raft.Snapshot;
import io.ringkv.server.internode.InternodeMessage.Echo;
import io.ringkv.server.internode.InternodeMessage.EchoReply;
import io.ringkv.server.internode.InternodeMessage.Gossip;
import io.ringkv.server.internode.InternodeMessage.MetadataFetch;
import io.ringkv.server.internode.InternodeMessage.MetadataSnapshot;
import io.ringkv.server.internode.InternodeMessage.RaftMessages;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import io.ringkv.server.internode.InternodeMessage.RaftProposeOutcome;
import io.ringkv.server.internode.InternodeMessage.Replica;
import io.ringkv.server.internode.InternodeMessage.ReplicaAnswer;
import io.ringkv.storage.Cell;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every frame's encoding and decoding, in one place: the executable form of
 * docs/format/internode.md, with the constants in {@link InternodeFormat}. A new message type is a
 * record in {@link InternodeMessage}, a type code, one {@code case} in {@link #writeMessage} and
 * one in {@link #readMessage}.
 *
 * <p>Decoding is defensive: a frame is untrusted input. Every count and length is checked against
 * its bound ({@link WireLimits}, the name bounds) before anything is allocated, every value is
 * checked by the record it becomes, the body must be read to its last byte, and each problem is a
 * {@link DecoderException} naming the frame, the field, the value and the limit. Encoding checks
 * the same bounds, so that a frame this node writes is one its peers accept.
 *
 * <p>Thread-safe and stateless apart from its limits: one instance serves every connection.
 */
final class InternodeCodec {
  private final WireLimits limits;

  InternodeCodec(WireLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  WireLimits limits() {
    return limits;
  }

  // ---------------------------------------------------------------- encoding

  /**
   * Encodes a whole frame, length prefix included, into a new buffer the caller owns.
   *
   * @throws IllegalArgumentException if the message is over a bound
   */
  ByteBuf encode(ByteBufAllocator allocator, Frame frame) {
    ByteBuf out = allocator.ioBuffer();
    try {
      int start = out.writerIndex();
      out.writeInt(0);
      writeFrame(out, frame);
      out.setInt(start, out.writerIndex() - start - LENGTH_BYTES);
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** Writes a frame's header and body (everything after the length prefix). */
  void writeFrame(ByteBuf out, Frame frame) {
    switch (frame) {
      case Frame.Hello hello -> {
        writeHeader(out, TYPE_HELLO, FrameKind.ONE_WAY, 0);
        out.writeInt(MAGIC);
        out.writeShort(hello.versionMin());
        out.writeShort(hello.versionMax());
        writeString16(out, "clusterName", hello.clusterName(), NAME_CHARS_MAX);
        writeString16(out, "nodeId", hello.nodeId(), NAME_CHARS_MAX);
        out.writeShort(hello.listenPort());
      }
      case Frame.HelloAccept accept -> {
        writeHeader(out, TYPE_HELLO_ACCEPT, FrameKind.ONE_WAY, 0);
        out.writeInt(MAGIC);
        out.writeShort(accept.version());
        writeString16(out, "nodeId", accept.nodeId(), NAME_CHARS_MAX);
      }
      case Frame.HelloRefuse refuse -> {
        writeHeader(out, TYPE_HELLO_REFUSE, FrameKind.ONE_WAY, 0);
        out.writeInt(MAGIC);
        out.writeByte(refuse.reason().code);
        out.writeShort(refuse.versionMin());
        out.writeShort(refuse.versionMax());
        writeString16(
            out,
            "detail",
            cut(refuse.detail(), REFUSAL_DETAIL_CHARS_MAX),
            REFUSAL_DETAIL_CHARS_MAX);
      }
      case Frame.Failure failure -> {
        writeHeader(out, TYPE_FAILURE, FrameKind.RESPONSE, failure.requestId());
        writeString16(
            out,
            "reason",
            cut(failure.reason(), FAILURE_REASON_CHARS_MAX),
            FAILURE_REASON_CHARS_MAX);
      }
      case Frame.Message message -> {
        int typeIndex = out.writerIndex();
        writeHeader(out, 0, message.kind(), message.requestId());
        out.setByte(typeIndex, writeMessage(out, message.message()));
      }
    }
  }

  private static void writeHeader(ByteBuf out, int type, FrameKind kind, long requestId) {
    out.writeByte(type);
    out.writeByte(kind.code);
    if (kind.hasRequestId()) {
      out.writeLong(requestId);
    }
  }

  /** Writes a message's body and returns its type code. One case per message type. */
  private int writeMessage(ByteBuf out, InternodeMessage message) {
    return switch (message) {
      case Gossip gossip ->
          switch (gossip.message()) {
            case GossipMessage.Syn syn -> {
              writeRoute(out, syn);
              writeString16(out, "clusterName", syn.clusterName(), NAME_CHARS_MAX);
              writeDigests(out, "SYN digests", syn.digests());
              yield TYPE_GOSSIP_SYN;
            }
            case GossipMessage.Ack ack -> {
              writeRoute(out, ack);
              writeDigests(out, "ACK requests", ack.requests());
              writeDeltas(out, "ACK deltas", ack.deltas());
              yield TYPE_GOSSIP_ACK;
            }
            case GossipMessage.Ack2 ack2 -> {
              writeRoute(out, ack2);
              writeDeltas(out, "ACK2 deltas", ack2.deltas());
              yield TYPE_GOSSIP_ACK2;
            }
          };
      case Echo echo -> {
        out.writeLong(echo.sentNanos());
        yield TYPE_ECHO;
      }
      case EchoReply reply -> {
        out.writeLong(reply.sentNanos());
        out.writeLong(reply.wallMillis());
        yield TYPE_ECHO_REPLY;
      }
      case Replica replica -> {
        out.writeLong(checkHlc(replica.hlc()));
        yield writeReplicaRequest(out, replica.request());
      }
      case ReplicaAnswer answer -> {
        out.writeLong(checkHlc(answer.hlc()));
        yield writeReplicaReply(out, answer.reply());
      }
      case RaftMessages envelope -> {
        out.writeLong(envelope.groupId());
        checkCount("raft messages", envelope.messages().size(), InternodeFormat.RAFT_MESSAGES_MAX);
        out.writeInt(envelope.messages().size());
        for (Message raftMessage : envelope.messages()) {
          writeRaftMessage(out, raftMessage);
        }
        yield TYPE_RAFT_MESSAGES;
      }
      case RaftPropose propose -> {
        out.writeLong(propose.groupId());
        writeBytes(out, "command", propose.command(), InternodeFormat.RAFT_DATA_BYTES_MAX);
        yield TYPE_RAFT_PROPOSE;
      }
      case RaftProposeAnswer answer -> {
        out.writeLong(answer.groupId());
        out.writeByte(answer.outcome().code);
        writeString16(out, "leader", answer.leader(), NAME_CHARS_MAX);
        writeBytes(out, "result", answer.result(), InternodeFormat.RAFT_DATA_BYTES_MAX);
        writeString16(
            out,
            "detail",
            cut(answer.detail(), FAILURE_REASON_CHARS_MAX),
            FAILURE_REASON_CHARS_MAX);
        yield TYPE_RAFT_PROPOSE_ANSWER;
      }
      case MetadataFetch fetch -> {
        out.writeLong(fetch.epoch());
        yield TYPE_METADATA_FETCH;
      }
      case MetadataSnapshot answer -> {
        writeBytes(out, "snapshot", answer.snapshot(), InternodeFormat.RAFT_DATA_BYTES_MAX);
        yield TYPE_METADATA_SNAPSHOT;
      }
    };
  }

  private static void writeRaftMessage(ByteBuf out, Message message) {
    int kindIndex = out.writerIndex();
    out.writeByte(0);
    out.writeLong(message.from());
    out.writeLong(message.to());
    out.writeLong(message.term());
    int kind =
        switch (message) {
          case Message.VoteRequest request -> {
            out.writeByte(
                (request.preVote() ? InternodeFormat.RAFT_VOTE_FLAG_PRE_VOTE : 0)
                    | (request.leadershipTransfer() ? InternodeFormat.RAFT_VOTE_FLAG_SECOND : 0));
            out.writeLong(request.lastLogIndex());
            out.writeLong(request.lastLogTerm());
            yield InternodeFormat.RAFT_VOTE_REQUEST;
          }
          case Message.VoteResponse response -> {
            out.writeByte(
                (response.preVote() ? InternodeFormat.RAFT_VOTE_FLAG_PRE_VOTE : 0)
                    | (response.granted() ? InternodeFormat.RAFT_VOTE_FLAG_SECOND : 0));
            yield InternodeFormat.RAFT_VOTE_RESPONSE;
          }
          case Message.AppendEntries append -> {
            out.writeLong(append.prevLogIndex());
            out.writeLong(append.prevLogTerm());
            out.writeLong(append.leaderCommit());
            checkCount("append entries", append.entries().size(), InternodeFormat.RAFT_ENTRIES_MAX);
            out.writeInt(append.entries().size());
            for (Entry entry : append.entries()) {
              out.writeLong(entry.index());
              out.writeLong(entry.term());
              out.writeByte(
                  entry.type() == EntryType.NORMAL
                      ? InternodeFormat.RAFT_ENTRY_NORMAL
                      : InternodeFormat.RAFT_ENTRY_CONFIGURATION);
              writeBytes(out, "entry data", entry.data(), InternodeFormat.RAFT_DATA_BYTES_MAX);
            }
            yield InternodeFormat.RAFT_APPEND_ENTRIES;
          }
          case Message.AppendResponse response -> {
            out.writeByte(response.success() ? 1 : 0);
            out.writeLong(response.index());
            out.writeLong(response.hintIndex());
            out.writeLong(response.hintTerm());
            yield InternodeFormat.RAFT_APPEND_RESPONSE;
          }
          case Message.Heartbeat heartbeat -> {
            out.writeLong(heartbeat.commit());
            out.writeLong(heartbeat.readRound());
            out.writeLong(heartbeat.sentAtTick());
            yield InternodeFormat.RAFT_HEARTBEAT;
          }
          case Message.HeartbeatResponse response -> {
            out.writeLong(response.readRound());
            out.writeLong(response.sentAtTick());
            yield InternodeFormat.RAFT_HEARTBEAT_RESPONSE;
          }
          case Message.InstallSnapshot install -> {
            Snapshot snapshot = install.snapshot();
            out.writeLong(snapshot.index());
            out.writeLong(snapshot.term());
            writeBytes(
                out,
                "snapshot configuration",
                snapshot.configuration().encode(),
                InternodeFormat.RAFT_DATA_BYTES_MAX);
            writeBytes(out, "snapshot data", snapshot.data(), InternodeFormat.RAFT_DATA_BYTES_MAX);
            yield InternodeFormat.RAFT_INSTALL_SNAPSHOT;
          }
          case Message.TimeoutNow timeoutNow -> InternodeFormat.RAFT_TIMEOUT_NOW;
          case Message.ReadIndexRequest request -> {
            out.writeLong(request.requestId());
            yield InternodeFormat.RAFT_READ_INDEX_REQUEST;
          }
          case Message.ReadIndexResponse response -> {
            out.writeLong(response.requestId());
            out.writeLong(response.index());
            yield InternodeFormat.RAFT_READ_INDEX_RESPONSE;
          }
        };
    out.setByte(kindIndex, kind);
  }

  private static int writeReplicaRequest(ByteBuf out, ReplicaRequest request) {
    return switch (request) {
      case ReplicaRequest.Write write -> {
        writeKey(out, "key", write.key());
        writeCell(out, write.cell());
        yield TYPE_REPLICA_WRITE;
      }
      case ReplicaRequest.StandInWrite standIn -> {
        writeString16(out, "target", standIn.target().value(), NAME_CHARS_MAX);
        writeKey(out, "key", standIn.key());
        writeCell(out, standIn.cell());
        yield TYPE_REPLICA_STAND_IN_WRITE;
      }
      case ReplicaRequest.WriteBatch batch -> {
        writeKeyedCells(out, "write batch cells", batch.cells());
        yield TYPE_REPLICA_WRITE_BATCH;
      }
      case ReplicaRequest.Read read -> {
        out.writeByte(read.digestOnly() ? 1 : 0);
        writeKey(out, "key", read.key());
        yield TYPE_REPLICA_READ;
      }
      case ReplicaRequest.Scan scan -> {
        checkCount("scan limit", scan.limit(), InternodeFormat.REPLICA_CELLS_MAX);
        out.writeInt(scan.limit());
        writeKey(out, "from", scan.from());
        out.writeByte(scan.to() == null ? 0 : 1);
        if (scan.to() != null) {
          writeKey(out, "to", scan.to());
        }
        yield TYPE_REPLICA_SCAN;
      }
      case ReplicaRequest.CausalUpdate update -> {
        writeKey(out, "key", update.key());
        out.writeLong(update.timestamp());
        writeBytes(
            out,
            "causal operation",
            CausalCodec.encodeOperation(update.operation()),
            InternodeFormat.VALUE_BYTES_MAX);
        yield TYPE_REPLICA_CAUSAL_UPDATE;
      }
    };
  }

  private static int writeReplicaReply(ByteBuf out, ReplicaReply reply) {
    return switch (reply) {
      case ReplicaReply.Written written -> TYPE_REPLICA_WRITTEN;
      case ReplicaReply.ReadResult read -> {
        out.writeLong(read.digest());
        out.writeByte(read.cell() == null ? 0 : 1);
        if (read.cell() != null) {
          writeCell(out, read.cell());
        }
        yield TYPE_REPLICA_READ_RESULT;
      }
      case ReplicaReply.ScanResult scan -> {
        out.writeByte(scan.exhausted() ? 1 : 0);
        writeKeyedCells(out, "scan result cells", scan.cells());
        yield TYPE_REPLICA_SCAN_RESULT;
      }
      case ReplicaReply.CausalApplied applied -> {
        out.writeByte(applied.duplicate() ? 1 : 0);
        writeCell(out, applied.cell());
        out.writeInt(applied.changedMembers());
        yield TYPE_REPLICA_CAUSAL_APPLIED;
      }
      case ReplicaReply.CausalRefused refused -> {
        out.writeByte(refused.reason().ordinal());
        String message = refused.message();
        if (message.length() > InternodeFormat.FAILURE_REASON_CHARS_MAX) {
          message = message.substring(0, InternodeFormat.FAILURE_REASON_CHARS_MAX);
        }
        writeString16(out, "refusal message", message, InternodeFormat.FAILURE_REASON_CHARS_MAX);
        yield TYPE_REPLICA_CAUSAL_REFUSED;
      }
    };
  }

  private static long checkHlc(long hlc) {
    if (hlc < 0) {
      throw new IllegalArgumentException("hlc must be >= 0, was " + hlc);
    }
    return hlc;
  }

  private static void writeKeyedCells(ByteBuf out, String field, List<KeyedCell> cells) {
    checkCount(field, cells.size(), InternodeFormat.REPLICA_CELLS_MAX);
    out.writeInt(cells.size());
    for (KeyedCell cell : cells) {
      writeKey(out, "key", cell.key());
      writeCell(out, cell.cell());
    }
  }

  private static void writeKey(ByteBuf out, String field, byte[] key) {
    writeBytes(out, field, key, InternodeFormat.STORED_KEY_BYTES_MAX);
  }

  private static void writeCell(ByteBuf out, Cell cell) {
    out.writeByte(cell.isTombstone() ? InternodeFormat.CELL_FLAG_TOMBSTONE : 0);
    out.writeLong(cell.timestamp());
    out.writeLong(cell.expiresAtMillis());
    if (!cell.isTombstone()) {
      writeBytes(out, "value", cell.value(), InternodeFormat.VALUE_BYTES_MAX);
    }
    writeBytes(out, "version", cell.version(), InternodeFormat.VERSION_BYTES_MAX);
  }

  private static void writeBytes(ByteBuf out, String field, byte[] bytes, int bytesMax) {
    if (bytes.length > bytesMax) {
      throw new IllegalArgumentException(
          field + " has " + bytes.length + " bytes, over the limit of " + bytesMax);
    }
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeRoute(ByteBuf out, GossipMessage message) {
    writeString16(out, "from", message.from(), NAME_CHARS_MAX);
    writeString16(out, "to", message.to(), NAME_CHARS_MAX);
  }

  private void writeDigests(ByteBuf out, String field, List<GossipDigest> digests) {
    checkCount(field, digests.size(), limits.digestsMax());
    out.writeInt(digests.size());
    for (GossipDigest digest : digests) {
      writeString16(out, "endpoint", digest.endpoint(), NAME_CHARS_MAX);
      out.writeLong(digest.generation());
      out.writeLong(digest.maxVersion());
    }
  }

  private void writeDeltas(ByteBuf out, String field, List<EndpointDelta> deltas) {
    checkCount(field, deltas.size(), limits.deltasMax());
    out.writeInt(deltas.size());
    for (EndpointDelta delta : deltas) {
      EndpointState state = delta.state();
      out.writeLong(delta.afterVersion());
      writeString16(out, "endpoint", state.endpoint(), NAME_CHARS_MAX);
      out.writeLong(state.generation());
      out.writeLong(state.heartbeatVersion());
      out.writeByte(state.states().size());
      for (Map.Entry<ApplicationState, VersionedValue> entry : state.states().entrySet()) {
        String value = entry.getValue().value();
        if (value.length() > limits.valueCharsMax()) {
          throw new IllegalArgumentException(
              "the "
                  + entry.getKey()
                  + " value of "
                  + state.endpoint()
                  + " has "
                  + value.length()
                  + " chars, over the limit of "
                  + limits.valueCharsMax());
        }
        out.writeByte(code(entry.getKey()));
        int bytes = ByteBufUtil.utf8Bytes(value);
        out.writeInt(bytes);
        ByteBufUtil.reserveAndWriteUtf8(out, value, bytes);
        out.writeLong(entry.getValue().version());
      }
    }
  }

  private static void writeString16(ByteBuf out, String field, String value, int charsMax) {
    if (value.length() > charsMax) {
      throw new IllegalArgumentException(
          field + " has " + value.length() + " chars, over the limit of " + charsMax);
    }
    int bytes = ByteBufUtil.utf8Bytes(value);
    out.writeShort(bytes);
    ByteBufUtil.reserveAndWriteUtf8(out, value, bytes);
  }

  private static void checkCount(String field, int count, int max) {
    if (count > max) {
      throw new IllegalArgumentException(
          field + " has " + count + " entries, over the limit of " + max);
    }
  }

  private static String cut(String text, int charsMax) {
    return text.length() <= charsMax ? text : text.substring(0, charsMax);
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes one frame: its header and body, the length prefix already taken off. Reads {@code
   * frame} to its end.
   *
   * @throws DecoderException if the frame is malformed or over a bound
   */
  Frame decode(ByteBuf frame) {
    if (frame.readableBytes() < HEADER_BYTES_MIN) {
      throw new DecoderException(
          "malformed frame: "
              + frame.readableBytes()
              + " bytes, fewer than the "
              + HEADER_BYTES_MIN
              + " of a header");
    }
    int type = frame.readUnsignedByte();
    int flags = frame.readUnsignedByte();
    WireReader reader = new WireReader(frame, typeName(type));
    FrameKind kind = kind(reader, flags);
    long requestId = 0;
    if (kind.hasRequestId()) {
      if (frame.readableBytes() < REQUEST_ID_BYTES) {
        throw reader.error("truncated at requestId: needs 8 bytes, " + frame.readableBytes());
      }
      requestId = frame.readLong();
      if (requestId <= 0) {
        throw reader.error("requestId must be positive, was " + requestId);
      }
    }
    Frame result;
    try {
      result =
          switch (type) {
            case TYPE_HELLO -> {
              oneWayOnly(reader, kind);
              readMagic(reader);
              yield new Frame.Hello(
                  reader.uint16("versionMin"),
                  reader.uint16("versionMax"),
                  reader.string16("clusterName", NAME_CHARS_MAX),
                  readName(reader, "nodeId"),
                  reader.uint16("listenPort"));
            }
            case TYPE_HELLO_ACCEPT -> {
              oneWayOnly(reader, kind);
              readMagic(reader);
              yield new Frame.HelloAccept(reader.uint16("version"), readName(reader, "nodeId"));
            }
            case TYPE_HELLO_REFUSE -> {
              oneWayOnly(reader, kind);
              readMagic(reader);
              int code = reader.uint8("reason");
              HandshakeRefusal reason = HandshakeRefusal.ofCode(code);
              if (reason == null) {
                throw reader.error("unknown refusal reason " + code);
              }
              yield new Frame.HelloRefuse(
                  reason,
                  reader.uint16("versionMin"),
                  reader.uint16("versionMax"),
                  reader.string16("detail", REFUSAL_DETAIL_CHARS_MAX));
            }
            case TYPE_FAILURE -> {
              if (kind != FrameKind.RESPONSE) {
                throw reader.error("must be a response, was " + kind);
              }
              yield new Frame.Failure(
                  requestId, reader.string16("reason", FAILURE_REASON_CHARS_MAX));
            }
            default -> new Frame.Message(kind, requestId, readMessage(reader, type));
          };
    } catch (IllegalArgumentException | NullPointerException e) {
      // A record refused a decoded value (a negative generation, a delta holding old versions).
      throw reader.error("invalid value: " + e.getMessage(), e);
    }
    reader.end();
    return result;
  }

  /** Reads a message's body. One case per message type. */
  private InternodeMessage readMessage(WireReader reader, int type) {
    return switch (type) {
      case TYPE_GOSSIP_SYN ->
          new Gossip(
              new GossipMessage.Syn(
                  readName(reader, "from"),
                  readName(reader, "to"),
                  reader.string16("clusterName", NAME_CHARS_MAX),
                  readDigests(reader, "digest count")));
      case TYPE_GOSSIP_ACK ->
          new Gossip(
              new GossipMessage.Ack(
                  readName(reader, "from"),
                  readName(reader, "to"),
                  readDigests(reader, "request count"),
                  readDeltas(reader)));
      case TYPE_GOSSIP_ACK2 ->
          new Gossip(
              new GossipMessage.Ack2(
                  readName(reader, "from"), readName(reader, "to"), readDeltas(reader)));
      case TYPE_ECHO -> new Echo(reader.int64("sentNanos"));
      case TYPE_ECHO_REPLY -> new EchoReply(reader.int64("sentNanos"), reader.int64("wallMillis"));
      case TYPE_REPLICA_WRITE ->
          new Replica(
              readHlc(reader), new ReplicaRequest.Write(readKey(reader, "key"), readCell(reader)));
      case TYPE_REPLICA_STAND_IN_WRITE ->
          new Replica(
              readHlc(reader),
              new ReplicaRequest.StandInWrite(
                  NodeId.of(readName(reader, "target")), readKey(reader, "key"), readCell(reader)));
      case TYPE_REPLICA_WRITE_BATCH ->
          new Replica(
              readHlc(reader),
              new ReplicaRequest.WriteBatch(readKeyedCells(reader, "batch cell count")));
      case TYPE_REPLICA_READ -> {
        long hlc = readHlc(reader);
        boolean digestOnly = readBoolean(reader, "digestOnly");
        yield new Replica(hlc, new ReplicaRequest.Read(readKey(reader, "key"), digestOnly));
      }
      case TYPE_REPLICA_SCAN -> {
        long hlc = readHlc(reader);
        int limit = reader.count("scan limit", InternodeFormat.REPLICA_CELLS_MAX);
        byte[] from = readKey(reader, "from");
        byte[] to = readBoolean(reader, "hasTo") ? readKey(reader, "to") : null;
        yield new Replica(hlc, new ReplicaRequest.Scan(from, to, limit));
      }
      case TYPE_REPLICA_WRITTEN -> new ReplicaAnswer(readHlc(reader), new ReplicaReply.Written());
      case TYPE_REPLICA_READ_RESULT -> {
        long hlc = readHlc(reader);
        long digest = reader.int64("digest");
        Cell cell = readBoolean(reader, "hasCell") ? readCell(reader) : null;
        yield new ReplicaAnswer(hlc, new ReplicaReply.ReadResult(cell, digest));
      }
      case TYPE_REPLICA_SCAN_RESULT -> {
        long hlc = readHlc(reader);
        boolean exhausted = readBoolean(reader, "exhausted");
        yield new ReplicaAnswer(
            hlc, new ReplicaReply.ScanResult(readKeyedCells(reader, "scan cell count"), exhausted));
      }
      case TYPE_RAFT_MESSAGES -> {
        long groupId = reader.int64("groupId");
        int count = reader.count("raft message count", InternodeFormat.RAFT_MESSAGES_MAX);
        reader.fits("raft message count", count, InternodeFormat.RAFT_MESSAGE_BYTES_MIN);
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          messages.add(readRaftMessage(reader));
        }
        yield new RaftMessages(groupId, messages);
      }
      case TYPE_RAFT_PROPOSE ->
          new RaftPropose(
              reader.int64("groupId"),
              reader.bytes("command", InternodeFormat.RAFT_DATA_BYTES_MAX));
      case TYPE_RAFT_PROPOSE_ANSWER -> {
        long groupId = reader.int64("groupId");
        int code = reader.uint8("outcome");
        RaftProposeOutcome outcome = RaftProposeOutcome.ofCode(code);
        if (outcome == null) {
          throw reader.error("unknown proposal outcome " + code);
        }
        String leader = reader.string16("leader", NAME_CHARS_MAX);
        byte[] result = reader.bytes("result", InternodeFormat.RAFT_DATA_BYTES_MAX);
        String detail = reader.string16("detail", FAILURE_REASON_CHARS_MAX);
        yield new RaftProposeAnswer(groupId, outcome, leader, result, detail);
      }
      case TYPE_REPLICA_CAUSAL_UPDATE -> {
        long hlc = readHlc(reader);
        byte[] key = readKey(reader, "key");
        long timestamp = reader.int64("causal timestamp");
        byte[] operation = reader.bytes("causal operation", InternodeFormat.VALUE_BYTES_MAX);
        try {
          yield new Replica(
              hlc,
              new ReplicaRequest.CausalUpdate(
                  key, CausalCodec.decodeOperation(operation), timestamp));
        } catch (CausalFormatException e) {
          throw reader.error(e.getMessage());
        }
      }
      case TYPE_REPLICA_CAUSAL_APPLIED -> {
        long hlc = readHlc(reader);
        boolean duplicate = readBoolean(reader, "duplicate");
        Cell cell = readCell(reader);
        int changedMembers = reader.int32("changed members");
        if (changedMembers < 0) {
          throw reader.error("changed members must be >= 0, was " + changedMembers);
        }
        yield new ReplicaAnswer(
            hlc, new ReplicaReply.CausalApplied(cell, duplicate, changedMembers));
      }
      case TYPE_REPLICA_CAUSAL_REFUSED -> {
        long hlc = readHlc(reader);
        int reason = reader.uint8("refusal reason");
        CausalCells.Refusal[] reasons = CausalCells.Refusal.values();
        if (reason >= reasons.length) {
          throw reader.error("refusal reason must be below " + reasons.length + ", was " + reason);
        }
        String message =
            reader.string16("refusal message", InternodeFormat.FAILURE_REASON_CHARS_MAX);
        yield new ReplicaAnswer(hlc, new ReplicaReply.CausalRefused(reasons[reason], message));
      }
      case TYPE_METADATA_FETCH -> new MetadataFetch(reader.int64("epoch"));
      case TYPE_METADATA_SNAPSHOT ->
          new MetadataSnapshot(reader.bytes("snapshot", InternodeFormat.RAFT_DATA_BYTES_MAX));
      default -> throw reader.error("unknown message type " + type);
    };
  }

  private static Message readRaftMessage(WireReader reader) {
    int kind = reader.uint8("raft message kind");
    long from = reader.int64("raft from");
    long to = reader.int64("raft to");
    long term = reader.int64("raft term");
    if (from <= 0 || to <= 0 || term < 0) {
      throw reader.error(
          "raft from and to must be positive and term >= 0, was from="
              + from
              + " to="
              + to
              + " term="
              + term);
    }
    return switch (kind) {
      case InternodeFormat.RAFT_VOTE_REQUEST -> {
        int flags = readVoteFlags(reader);
        yield new Message.VoteRequest(
            from,
            to,
            term,
            (flags & InternodeFormat.RAFT_VOTE_FLAG_PRE_VOTE) != 0,
            reader.int64("lastLogIndex"),
            reader.int64("lastLogTerm"),
            (flags & InternodeFormat.RAFT_VOTE_FLAG_SECOND) != 0);
      }
      case InternodeFormat.RAFT_VOTE_RESPONSE -> {
        int flags = readVoteFlags(reader);
        yield new Message.VoteResponse(
            from,
            to,
            term,
            (flags & InternodeFormat.RAFT_VOTE_FLAG_PRE_VOTE) != 0,
            (flags & InternodeFormat.RAFT_VOTE_FLAG_SECOND) != 0);
      }
      case InternodeFormat.RAFT_APPEND_ENTRIES -> {
        long prevLogIndex = reader.int64("prevLogIndex");
        long prevLogTerm = reader.int64("prevLogTerm");
        long leaderCommit = reader.int64("leaderCommit");
        int count = reader.count("entry count", InternodeFormat.RAFT_ENTRIES_MAX);
        reader.fits("entry count", count, InternodeFormat.RAFT_ENTRY_BYTES_MIN);
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          long index = reader.int64("entry index");
          long entryTerm = reader.int64("entry term");
          int type = reader.uint8("entry type");
          EntryType entryType =
              switch (type) {
                case InternodeFormat.RAFT_ENTRY_NORMAL -> EntryType.NORMAL;
                case InternodeFormat.RAFT_ENTRY_CONFIGURATION -> EntryType.CONFIGURATION;
                default -> throw reader.error("unknown entry type " + type);
              };
          byte[] data = reader.bytes("entry data", InternodeFormat.RAFT_DATA_BYTES_MAX);
          entries.add(new Entry(index, entryTerm, entryType, data));
        }
        yield new Message.AppendEntries(
            from, to, term, prevLogIndex, prevLogTerm, entries, leaderCommit);
      }
      case InternodeFormat.RAFT_APPEND_RESPONSE ->
          new Message.AppendResponse(
              from,
              to,
              term,
              readBoolean(reader, "success"),
              reader.int64("index"),
              reader.int64("hintIndex"),
              reader.int64("hintTerm"));
      case InternodeFormat.RAFT_HEARTBEAT ->
          new Message.Heartbeat(
              from,
              to,
              term,
              reader.int64("commit"),
              reader.int64("readRound"),
              reader.int64("sentAtTick"));
      case InternodeFormat.RAFT_HEARTBEAT_RESPONSE ->
          new Message.HeartbeatResponse(
              from, to, term, reader.int64("readRound"), reader.int64("sentAtTick"));
      case InternodeFormat.RAFT_INSTALL_SNAPSHOT -> {
        long index = reader.int64("snapshot index");
        long snapshotTerm = reader.int64("snapshot term");
        Configuration configuration =
            Configuration.decode(
                reader.bytes("snapshot configuration", InternodeFormat.RAFT_DATA_BYTES_MAX));
        byte[] data = reader.bytes("snapshot data", InternodeFormat.RAFT_DATA_BYTES_MAX);
        yield new Message.InstallSnapshot(
            from, to, term, new Snapshot(index, snapshotTerm, configuration, data));
      }
      case InternodeFormat.RAFT_TIMEOUT_NOW -> new Message.TimeoutNow(from, to, term);
      case InternodeFormat.RAFT_READ_INDEX_REQUEST ->
          new Message.ReadIndexRequest(from, to, term, reader.int64("requestId"));
      case InternodeFormat.RAFT_READ_INDEX_RESPONSE ->
          new Message.ReadIndexResponse(
              from, to, term, reader.int64("requestId"), reader.int64("index"));
      default -> throw reader.error("unknown raft message kind " + kind);
    };
  }

  private static int readVoteFlags(WireReader reader) {
    int flags = reader.uint8("vote flags");
    if ((flags & ~(InternodeFormat.RAFT_VOTE_FLAG_PRE_VOTE | InternodeFormat.RAFT_VOTE_FLAG_SECOND))
        != 0) {
      throw reader.error("reserved vote flag bits set: 0x" + Integer.toHexString(flags));
    }
    return flags;
  }

  private static long readHlc(WireReader reader) {
    long hlc = reader.int64("hlc");
    if (hlc < 0) {
      throw reader.error("hlc must be >= 0, was " + hlc);
    }
    return hlc;
  }

  private static boolean readBoolean(WireReader reader, String field) {
    int value = reader.uint8(field);
    if (value > 1) {
      throw reader.error(field + " must be 0 or 1, was " + value);
    }
    return value == 1;
  }

  private static byte[] readKey(WireReader reader, String field) {
    return reader.bytes(field, InternodeFormat.STORED_KEY_BYTES_MAX);
  }

  private static Cell readCell(WireReader reader) {
    int flags = reader.uint8("cell flags");
    if ((flags & ~InternodeFormat.CELL_FLAG_TOMBSTONE) != 0) {
      throw reader.error("reserved cell flag bits set: 0x" + Integer.toHexString(flags));
    }
    long timestamp = reader.int64("cell timestamp");
    long expiresAtMillis = reader.int64("cell expiresAtMillis");
    if (expiresAtMillis < 0) {
      throw reader.error("cell expiresAtMillis must be >= 0, was " + expiresAtMillis);
    }
    byte[] value =
        (flags & InternodeFormat.CELL_FLAG_TOMBSTONE) != 0
            ? null
            : reader.bytes("cell value", InternodeFormat.VALUE_BYTES_MAX);
    byte[] version = reader.bytes("cell version", InternodeFormat.VERSION_BYTES_MAX);
    return Cell.of(value, timestamp, expiresAtMillis, version);
  }

  private static List<KeyedCell> readKeyedCells(WireReader reader, String countField) {
    int count = reader.count(countField, InternodeFormat.REPLICA_CELLS_MAX);
    reader.fits(countField, count, InternodeFormat.KEYED_CELL_BYTES_MIN);
    List<KeyedCell> cells = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      cells.add(new KeyedCell(readKey(reader, "key"), readCell(reader)));
    }
    return cells;
  }

  private List<GossipDigest> readDigests(WireReader reader, String countField) {
    int count = reader.count(countField, limits.digestsMax());
    List<GossipDigest> digests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      digests.add(
          new GossipDigest(
              readName(reader, "digest endpoint"),
              reader.int64("digest generation"),
              reader.int64("digest maxVersion")));
    }
    return digests;
  }

  private List<EndpointDelta> readDeltas(WireReader reader) {
    int count = reader.count("delta count", limits.deltasMax());
    List<EndpointDelta> deltas = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long afterVersion = reader.int64("delta afterVersion");
      String endpoint = readName(reader, "delta endpoint");
      long generation = reader.int64("delta generation");
      long heartbeatVersion = reader.int64("delta heartbeatVersion");
      int valueCount = reader.uint8("delta value count");
      Map<ApplicationState, VersionedValue> values = new EnumMap<>(ApplicationState.class);
      for (int j = 0; j < valueCount; j++) {
        int code = reader.uint8("application state");
        ApplicationState key = applicationState(code);
        if (key == null) {
          throw reader.error("unknown application state code " + code + " for " + endpoint);
        }
        String value = reader.string32("value of " + key, limits.valueCharsMax());
        VersionedValue versioned = new VersionedValue(value, reader.int64("version of " + key));
        if (values.put(key, versioned) != null) {
          throw reader.error("application state " + key + " twice for " + endpoint);
        }
      }
      deltas.add(
          new EndpointDelta(
              new EndpointState(endpoint, generation, heartbeatVersion, new TreeMap<>(values)),
              afterVersion));
    }
    return deltas;
  }

  private static String readName(WireReader reader, String field) {
    String name = reader.string16(field, NAME_CHARS_MAX);
    try {
      return EndpointState.checkEndpoint(field, name);
    } catch (IllegalArgumentException e) {
      throw reader.error(e.getMessage(), e);
    }
  }

  private static void readMagic(WireReader reader) {
    int magic = reader.int32("magic");
    if (magic != MAGIC) {
      throw reader.error(
          "bad magic 0x"
              + Integer.toHexString(magic)
              + ", expected 0x"
              + Integer.toHexString(MAGIC)
              + " (not a ringkv internode peer?)");
    }
  }

  private static void oneWayOnly(WireReader reader, FrameKind kind) {
    if (kind != FrameKind.ONE_WAY) {
      throw reader.error("a handshake frame must be one-way, was " + kind);
    }
  }

  private static FrameKind kind(WireReader reader, int flags) {
    if ((flags & ~FLAGS_KIND_MASK) != 0) {
      throw reader.error("reserved flag bits set: 0x" + Integer.toHexString(flags));
    }
    for (FrameKind kind : FrameKind.values()) {
      if (kind.code == (flags & FLAGS_KIND_MASK)) {
        return kind;
      }
    }
    throw reader.error("unknown frame kind " + (flags & FLAGS_KIND_MASK));
  }

  /** A readable name for a type code, for messages. */
  static String typeName(int type) {
    return switch (type) {
      case TYPE_HELLO -> "HELLO";
      case TYPE_HELLO_ACCEPT -> "HELLO_ACCEPT";
      case TYPE_HELLO_REFUSE -> "HELLO_REFUSE";
      case TYPE_FAILURE -> "FAILURE";
      case TYPE_GOSSIP_SYN -> "SYN";
      case TYPE_GOSSIP_ACK -> "ACK";
      case TYPE_GOSSIP_ACK2 -> "ACK2";
      case TYPE_ECHO -> "ECHO";
      case TYPE_ECHO_REPLY -> "ECHO_REPLY";
      case TYPE_REPLICA_WRITE -> "REPLICA_WRITE";
      case TYPE_REPLICA_STAND_IN_WRITE -> "REPLICA_STAND_IN_WRITE";
      case TYPE_REPLICA_WRITE_BATCH -> "REPLICA_WRITE_BATCH";
      case TYPE_REPLICA_READ -> "REPLICA_READ";
      case TYPE_REPLICA_SCAN -> "REPLICA_SCAN";
      case TYPE_REPLICA_WRITTEN -> "REPLICA_WRITTEN";
      case TYPE_REPLICA_READ_RESULT -> "REPLICA_READ_RESULT";
      case TYPE_REPLICA_SCAN_RESULT -> "REPLICA_SCAN_RESULT";
      case TYPE_RAFT_MESSAGES -> "RAFT_MESSAGES";
      case TYPE_RAFT_PROPOSE -> "RAFT_PROPOSE";
      case TYPE_RAFT_PROPOSE_ANSWER -> "RAFT_PROPOSE_ANSWER";
      case TYPE_REPLICA_CAUSAL_UPDATE -> "REPLICA_CAUSAL_UPDATE";
      case TYPE_REPLICA_CAUSAL_APPLIED -> "REPLICA_CAUSAL_APPLIED";
      case TYPE_REPLICA_CAUSAL_REFUSED -> "REPLICA_CAUSAL_REFUSED";
      case TYPE_METADATA_FETCH -> "METADATA_FETCH";
      case TYPE_METADATA_SNAPSHOT -> "METADATA_SNAPSHOT";
      default -> "type-" + type;
    };
  }

  /**
   * The wire code of an application state. Exhaustive, so that a new {@link ApplicationState} does
   * not compile until it has a code here, in {@link InternodeFormat} and in the format doc.
   */
  static int code(ApplicationState state) {
    return switch (state) {
      case STATUS -> InternodeFormat.STATE_STATUS;
      case TOKENS -> InternodeFormat.STATE_TOKENS;
      case DC -> InternodeFormat.STATE_DC;
      case RACK -> InternodeFormat.STATE_RACK;
      case ADDRESSES -> InternodeFormat.STATE_ADDRESSES;
      case EPOCH -> InternodeFormat.STATE_EPOCH;
      case LOAD -> InternodeFormat.STATE_LOAD;
      case WEIGHT -> InternodeFormat.STATE_WEIGHT;
      case METADATA_LOG_EPOCH -> InternodeFormat.STATE_METADATA_LOG_EPOCH;
    };
  }

  /** The application state of a wire code, or null for an unknown code. */
  static ApplicationState applicationState(int code) {
    return switch (code) {
      case InternodeFormat.STATE_STATUS -> ApplicationState.STATUS;
      case InternodeFormat.STATE_TOKENS -> ApplicationState.TOKENS;
      case InternodeFormat.STATE_DC -> ApplicationState.DC;
      case InternodeFormat.STATE_RACK -> ApplicationState.RACK;
      case InternodeFormat.STATE_ADDRESSES -> ApplicationState.ADDRESSES;
      case InternodeFormat.STATE_EPOCH -> ApplicationState.EPOCH;
      case InternodeFormat.STATE_LOAD -> ApplicationState.LOAD;
      case InternodeFormat.STATE_WEIGHT -> ApplicationState.WEIGHT;
      case InternodeFormat.STATE_METADATA_LOG_EPOCH -> ApplicationState.METADATA_LOG_EPOCH;
      default -> null;
    };
  }

  static {
    // The value count is one byte on the wire.
    if (ApplicationState.values().length > STATE_VALUES_MAX) {
      throw new AssertionError("more application states than a delta's value count can hold");
    }
  }
}
