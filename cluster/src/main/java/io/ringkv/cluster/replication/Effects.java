package io.ringkv.cluster.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a coordination handler asks its driver to do after one input, in this order: store the
 * {@link #hints()} (durably, before anything else, so that an acknowledged ANY write is kept), send
 * the {@link #sends()}, then hand the {@link #outcome()}, if any, to the client. An outcome comes
 * at most once per handler.
 */
public record Effects(List<Send> sends, List<Hint> hints, Optional<Outcome> outcome) {
  private static final Effects NONE = new Effects(List.of(), List.of(), Optional.empty());

  public Effects {
    sends = List.copyOf(sends);
    hints = List.copyOf(hints);
  }

  public static Effects none() {
    return NONE;
  }

  public boolean isEmpty() {
    return sends.isEmpty() && hints.isEmpty() && outcome.isEmpty();
  }

  /** Collects effects; for handlers. */
  static final class Builder {
    private final List<Send> sends = new ArrayList<>();
    private final List<Hint> hints = new ArrayList<>();
    private Outcome outcome;

    Builder send(Send send) {
      sends.add(send);
      return this;
    }

    Builder hint(Hint hint) {
      hints.add(hint);
      return this;
    }

    Builder outcome(Outcome newOutcome) {
      if (outcome != null) {
        throw new IllegalStateException("an outcome was already given: " + outcome);
      }
      outcome = newOutcome;
      return this;
    }

    Effects build() {
      if (sends.isEmpty() && hints.isEmpty() && outcome == null) {
        return NONE;
      }
      return new Effects(sends, hints, Optional.ofNullable(outcome));
    }
  }
}
