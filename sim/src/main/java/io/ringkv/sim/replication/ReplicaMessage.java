package io.ringkv.sim.replication;

import io.ringkv.cluster.replication.KeyedCell;
import io.ringkv.cluster.replication.ReplicaReply;
import io.ringkv.cluster.replication.ReplicaRequest;
import io.ringkv.cluster.ring.KeyCodec;
import io.ringkv.cluster.version.Hlc;
import io.ringkv.storage.Cell;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What simulated nodes send each other: the protocol's replica requests and replies, each with a
 * request id, and the pings that feed the failure detector and the clock-skew estimate. Every
 * message carries its sender's hybrid logical clock, which the receiver merges (the issue's "HLC
 * merged on every message received").
 */
public sealed interface ReplicaMessage {

  /** The sender's HLC reading when it sent the message. */
  long hlc();

  /** A {@link ReplicaRequest}; answered by a {@link Reply} with the same id. */
  record Request(long id, ReplicaRequest request, long hlc) implements ReplicaMessage {
    public Request {
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * The answer to request {@code id}: a {@link ReplicaReply}, or an error (the replica's engine or
   * hint store failed) when {@code reply} is null.
   */
  record Reply(long id, ReplicaReply reply, String error, long hlc) implements ReplicaMessage {
    public Reply {
      if ((reply == null) == (error == null)) {
        throw new IllegalArgumentException("a reply has exactly one of a reply and an error");
      }
    }
  }

  /** A liveness probe, with the sender's wall clock for the skew estimate. */
  record Ping(long sentWallMillis, long hlc) implements ReplicaMessage {}

  /** The answer to a {@link Ping}: its wall time echoed, and the answerer's wall clock. */
  record Pong(long pingWallMillis, long wallMillis, long hlc) implements ReplicaMessage {}

  /** One line for the trace: stable text only. */
  static String describe(String from, String to, ReplicaMessage message) {
    String route = from + ">" + to + " ";
    return switch (message) {
      case Request request -> route + "q" + id(request.id()) + " " + describe(request.request());
      case Reply reply ->
          route
              + "r"
              + id(reply.id())
              + " "
              + (reply.reply() == null ? "error " + reply.error() : describe(reply.reply()));
      case Ping ping -> route + "ping";
      case Pong pong -> route + "pong";
    };
  }

  private static String describe(ReplicaRequest request) {
    return switch (request) {
      case ReplicaRequest.Write write -> "W " + key(write.key()) + " " + cell(write.cell());
      case ReplicaRequest.StandInWrite standIn ->
          "SW " + standIn.target() + " " + key(standIn.key()) + " " + cell(standIn.cell());
      case ReplicaRequest.WriteBatch batch -> {
        StringBuilder out = new StringBuilder("WB");
        for (KeyedCell cell : batch.cells()) {
          out.append(' ').append(key(cell.key())).append('=').append(cell(cell.cell()));
        }
        yield out.toString();
      }
      case ReplicaRequest.Read read -> (read.digestOnly() ? "D " : "R ") + key(read.key());
      case ReplicaRequest.Scan scan -> "S " + key(scan.from()) + " " + scan.limit();
      case ReplicaRequest.CausalUpdate update ->
          "CU " + key(update.key()) + " " + update.operation().getClass().getSimpleName();
    };
  }

  private static String describe(ReplicaReply reply) {
    return switch (reply) {
      case ReplicaReply.Written written -> "ok";
      case ReplicaReply.ReadResult result ->
          result.cell() == null
              ? "digest " + Long.toHexString(result.digest())
              : "cell " + cell(result.cell());
      case ReplicaReply.ScanResult result -> result.cells().size() + " cells";
      case ReplicaReply.CausalApplied applied ->
          "applied " + cell(applied.cell()) + (applied.duplicate() ? " duplicate" : "");
      case ReplicaReply.CausalRefused refused -> "refused " + refused.reason();
    };
  }

  /** A request id as {@code incarnation.number} (ids carry their process's incarnation). */
  static String id(long id) {
    return (id >>> 40) + "." + (id & ((1L << 40) - 1));
  }

  /**
   * A stored key as its user key (after the token and keyspace tag, {@link KeyCodec#PREFIX_BYTES}),
   * which the workloads keep readable.
   */
  static String key(byte[] storedKey) {
    if (storedKey.length <= KeyCodec.PREFIX_BYTES) {
      return HexFormat.of().formatHex(storedKey);
    }
    StringBuilder out = new StringBuilder(storedKey.length - KeyCodec.PREFIX_BYTES);
    for (int i = KeyCodec.PREFIX_BYTES; i < storedKey.length; i++) {
      int b = storedKey[i] & 0xFF;
      out.append(b >= 0x21 && b < 0x7F ? (char) b : '?');
    }
    return out.toString();
  }

  /** A cell as {@code value@physical.logical}, or {@code del@...}. */
  static String cell(Cell cell) {
    if (cell == null) {
      return "none";
    }
    String body;
    if (cell.isTombstone()) {
      body = "del";
    } else if (cell.value().length <= 24) {
      body = new String(cell.value(), StandardCharsets.US_ASCII);
    } else {
      body = "#" + Arrays.hashCode(cell.value()) + "/" + cell.value().length;
    }
    return body + "@" + Hlc.format(cell.timestamp()) + (cell.hasExpiry() ? "~" : "");
  }
}
