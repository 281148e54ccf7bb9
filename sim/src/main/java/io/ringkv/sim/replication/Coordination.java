package io.ringkv.sim.replication;

import io.ringkv.cluster.replication.Outcome;
import io.ringkv.cluster.replication.ReadCoordination;
import io.ringkv.cluster.replication.RequestCoordination;
import io.ringkv.cluster.replication.WriteCoordination;
import io.ringkv.common.ConsistencyLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A request a {@link NodeProcess} coordinates: one pure handler ({@link WriteCoordination} or
 * {@link ReadCoordination}, both {@link RequestCoordination}s), with what the driver keeps beside
 * it (the client to answer, the request ids sent for it, whether it was forgotten).
 *
 * <p>Not thread-safe: owned by its process on the simulation's one thread.
 */
abstract class Coordination {
  final long id;
  final ClientRequest request;
  final Consumer<ClientOutcome> answer;
  final List<Long> requestIds = new ArrayList<>();
  boolean retired;

  Coordination(long id, ClientRequest request, Consumer<ClientOutcome> answer) {
    this.id = id;
    this.request = request;
    this.answer = answer;
  }

  /** The pure handler the driver feeds. */
  abstract RequestCoordination handler();

  /** The outcome as the client hears it; {@code hintNotKept} if a hint it counted was refused. */
  abstract ClientOutcome toClient(Outcome outcome, boolean hintNotKept);

  /** Adds what the handler counted to the run's figures, once, when it is forgotten. */
  abstract void collectFigures(ReplicationCounters counters);

  String describe() {
    return request.kind()
        + " "
        + request.key()
        + (request.value() == null ? "" : " " + request.value())
        + " "
        + request.level();
  }

  static ClientOutcome failure(Outcome outcome) {
    return switch (outcome) {
      case Outcome.Unavailable unavailable ->
          new ClientOutcome(ClientOutcome.Kind.UNAVAILABLE, null, 0, unavailable.message());
      case Outcome.TimedOut timedOut ->
          new ClientOutcome(ClientOutcome.Kind.TIMED_OUT, null, 0, timedOut.message());
      case Outcome.Refused refused ->
          new ClientOutcome(ClientOutcome.Kind.REFUSED, null, 0, refused.message());
      case Outcome.Success success -> throw new IllegalArgumentException("not a failure");
    };
  }

  /** A coordinated write or delete. */
  static final class Write extends Coordination {
    private final WriteCoordination handler;
    private final long timestamp;

    Write(
        long id,
        ClientRequest request,
        WriteCoordination handler,
        long timestamp,
        Consumer<ClientOutcome> answer) {
      super(id, request, answer);
      this.handler = handler;
      this.timestamp = timestamp;
    }

    @Override
    RequestCoordination handler() {
      return handler;
    }

    @Override
    ClientOutcome toClient(Outcome outcome, boolean hintNotKept) {
      if (outcome instanceof Outcome.Success success) {
        if (hintNotKept
            && request.level() == ConsistencyLevel.ANY
            && success.answers() <= handler.hintsKept()) {
          // ANY counted a hint the store then refused: the write may be nowhere.
          return new ClientOutcome(
              ClientOutcome.Kind.TIMED_OUT,
              null,
              timestamp,
              "ANY was met by a hint that the hint store refused; the write may or may not have"
                  + " applied");
        }
        // A causal write's success carries the dot replica's new cell (its context is the client's
        // next one); null for any other write.
        return new ClientOutcome(ClientOutcome.Kind.SUCCESS, success.cell(), timestamp, "");
      }
      ClientOutcome failure = failure(outcome);
      // The client learns the timestamp even of a failed write: a session orders later writes
      // after it, in case it applied.
      return failure.kind() == ClientOutcome.Kind.TIMED_OUT
          ? new ClientOutcome(failure.kind(), null, timestamp, failure.message())
          : failure;
    }

    @Override
    void collectFigures(ReplicationCounters counters) {}
  }

  /** A coordinated read. */
  static final class Read extends Coordination {
    private final ReadCoordination handler;

    Read(long id, ClientRequest request, ReadCoordination handler, Consumer<ClientOutcome> answer) {
      super(id, request, answer);
      this.handler = handler;
    }

    @Override
    RequestCoordination handler() {
      return handler;
    }

    @Override
    ClientOutcome toClient(Outcome outcome, boolean hintNotKept) {
      if (outcome instanceof Outcome.Success success) {
        return new ClientOutcome(
            ClientOutcome.Kind.SUCCESS,
            success.cell(),
            success.cell() == null ? 0 : success.cell().timestamp(),
            "");
      }
      return failure(outcome);
    }

    @Override
    void collectFigures(ReplicationCounters counters) {
      if (handler.digestMismatch()) {
        counters.digestMismatches++;
      }
      counters.repairWrites += handler.repairWrites();
    }
  }
}
