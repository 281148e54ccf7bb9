package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ringkv.proto.v1.DeleteResponse;
import io.ringkv.proto.v1.GetResponse;
import io.ringkv.proto.v1.IncrementResponse;
import io.ringkv.proto.v1.PutResponse;
import io.ringkv.proto.v1.SetChangeResponse;
import io.ringkv.proto.v1.SetMembersResponse;
import io.ringkv.proto.v1.Sibling;
import io.ringkv.proto.v1.Value;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWriteOutcome;
import io.ringkv.server.kv.KvException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How what a causal keyspace holds ({@link CausalValue}) goes on the wire: a register as its newest
 * sibling plus, when there are several, every sibling; a counter as its value; a set as its
 * members; each with the key's causal context. A call of one type on a key of another (a Get of a
 * set, an Increment answered with a register) is WRONG_TYPE, as the service answers for writes.
 * Arrays are wrapped, not copied: the service never changes an array it has returned.
 *
 * <p>Static helpers only; thread-safe.
 */
final class CausalResponses {
  private CausalResponses() {}

  /** A Get in a causal keyspace. */
  static GetResponse getResponse(CausalValue value) {
    GetResponse.Builder response = GetResponse.newBuilder().setCausalContext(wrap(value.context()));
    switch (value) {
      case CausalValue.Absent absent -> {}
      case CausalValue.Register register -> {
        CausalValue.Sibling winner = register.winner();
        if (!winner.isDeleted()) {
          response.setValue(
              Value.newBuilder()
                  .setData(wrap(winner.value()))
                  .setTimestamp(winner.timestamp())
                  .setCausalContext(wrap(register.context())));
        }
        if (register.siblings().size() > 1) {
          for (CausalValue.Sibling sibling : register.siblings()) {
            Sibling.Builder wire = Sibling.newBuilder().setTimestamp(sibling.timestamp());
            if (sibling.isDeleted()) {
              wire.setDeleted(true);
            } else {
              wire.setValue(wrap(sibling.value()));
            }
            response.addSiblings(wire);
          }
        }
      }
      case CausalValue.Counter counter ->
          response.setValue(
              Value.newBuilder()
                  .setData(ByteString.copyFrom(counter.text().getBytes(StandardCharsets.US_ASCII)))
                  .setCausalContext(wrap(counter.context())));
      case CausalValue.Set set -> throw wrongType("the key holds a set; read it with SetMembers");
    }
    return response.build();
  }

  /**
   * A causal Put's answer: the written sibling's timestamp (the newest sibling holding the written
   * bytes; the newest of all if a concurrent equal value stands for it) and the new context.
   */
  static PutResponse putResponse(CausalWriteOutcome outcome, byte[] written) {
    CausalValue.Register register = register(outcome.state(), "Put");
    long timestamp = register.winner().timestamp();
    for (CausalValue.Sibling sibling : register.siblings()) {
      if (!sibling.isDeleted() && Arrays.equals(sibling.value(), written)) {
        timestamp = sibling.timestamp();
        break;
      }
    }
    return PutResponse.newBuilder()
        .setApplied(true)
        .setTimestamp(timestamp)
        .setCausalContext(wrap(register.context()))
        .build();
  }

  /** A causal Delete's answer: the tombstone's timestamp and the new context. */
  static DeleteResponse deleteResponse(CausalWriteOutcome outcome) {
    long timestamp = 0;
    byte[] context = outcome.state().context();
    if (outcome.state() instanceof CausalValue.Register register) {
      timestamp = register.winner().timestamp();
      for (CausalValue.Sibling sibling : register.siblings()) {
        if (sibling.isDeleted()) {
          timestamp = sibling.timestamp();
          break;
        }
      }
    } else if (!(outcome.state() instanceof CausalValue.Absent)) {
      throw wrongType("the key holds a " + typeName(outcome.state()) + ", not a register");
    }
    return DeleteResponse.newBuilder()
        .setApplied(true)
        .setTimestamp(timestamp)
        .setCausalContext(wrap(context))
        .build();
  }

  static IncrementResponse incrementResponse(CausalWriteOutcome outcome) {
    if (!(outcome.state() instanceof CausalValue.Counter counter)) {
      throw wrongType("the key holds a " + typeName(outcome.state()) + ", not a counter");
    }
    return IncrementResponse.newBuilder()
        .setValue(counter.value())
        .setExactValue(counter.text())
        .setDuplicate(outcome.duplicate())
        .setCausalContext(wrap(counter.context()))
        .build();
  }

  static SetChangeResponse setChangeResponse(CausalWriteOutcome outcome) {
    return SetChangeResponse.newBuilder()
        .setChanged(outcome.changedMembers())
        .setCausalContext(wrap(outcome.state().context()))
        .build();
  }

  static SetMembersResponse setMembersResponse(CausalValue value) {
    SetMembersResponse.Builder response =
        SetMembersResponse.newBuilder().setCausalContext(wrap(value.context()));
    switch (value) {
      case CausalValue.Absent absent -> {}
      case CausalValue.Set set -> {
        for (byte[] member : set.members()) {
          response.addMembers(wrap(member));
        }
      }
      case CausalValue.Register register ->
          throw wrongType("the key holds a register, not a set; read it with Get");
      case CausalValue.Counter counter ->
          throw wrongType("the key holds a counter, not a set; read it with Get");
    }
    return response.build();
  }

  private static CausalValue.Register register(CausalValue state, String operation) {
    if (state instanceof CausalValue.Register register && !register.siblings().isEmpty()) {
      return register;
    }
    throw wrongType(operation + " answered a " + typeName(state) + " where a register was written");
  }

  private static String typeName(CausalValue value) {
    return switch (value) {
      case CausalValue.Absent absent -> "nothing";
      case CausalValue.Register register -> "register";
      case CausalValue.Counter counter -> "counter";
      case CausalValue.Set set -> "set";
    };
  }

  /** Redis' wording, which every front end uses, with what to do instead. */
  private static KvException wrongType(String detail) {
    return new KvException(
        KvException.Kind.WRONG_TYPE,
        "WRONGTYPE Operation against a key holding the wrong kind of value: " + detail);
  }

  private static ByteString wrap(byte[] bytes) {
    return bytes == null || bytes.length == 0
        ? ByteString.EMPTY
        : UnsafeByteOperations.unsafeWrap(bytes);
  }
}
