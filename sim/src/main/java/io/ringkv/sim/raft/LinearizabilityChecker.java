package io.ringkv.sim.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a history of get / put / compare-and-set operations on a key-value store is
 * linearizable (Herlihy and Wing, 1990): whether every operation can be given a point between its
 * invocation and its answer such that, taken in the order of those points, the operations behave as
 * on one register per key.
 *
 * <p>The search is Wing and Gong's (1993), with Lowe's improvements ("Testing for linearizability",
 * 2017) as porcupine and Knossos use them: the history is a doubly linked list of call and return
 * events in time order; the search walks it, and at a call tries to linearize that operation now
 * (if the model allows its answer in the current state), removing its call and return from the list
 * ("lifting") and starting again from the front; reaching the return of an operation not yet
 * linearized means an earlier choice was wrong, so it backtracks. Lowe's memo remembers every (set
 * of linearized operations, state) pair already explored, so no configuration is explored twice.
 * Operations on different keys never constrain each other, so the history is split by key and each
 * part checked alone (P-compositionality, Horn and Kroening 2015), which keeps every search small.
 *
 * <p>Indeterminate operations (see {@link HistoryOperation}) return "never": their return event is
 * at the end of the list, so they may be linearized anywhere after their call, and since their
 * answer is unknown the model accepts any. Many of them (a long outage where every client gives up
 * again and again) would make the search exponential: k such writes open at once give 2^k sets of
 * linearized operations. Two exact reductions keep it small. First, a value that no get returned
 * and no compare-and-set expected is <em>unobserved</em>: every unobserved value is replaced by one
 * token, since no operation can tell them apart. Second, indeterminate writes whose effect is then
 * the same (puts of the token; compare-and-sets from the same expected value to the token) are
 * interchangeable, so they are only linearized in the order of their invocations: if a
 * linearization exists, the one that swaps them into that order is one too (each is placed no
 * earlier than its call, by the usual exchange argument), so no verdict changes.
 *
 * <p>Bounds: each key's search stops after {@link #SEARCH_STEPS_PER_KEY_MAX} steps and is then
 * reported inconclusive (never silently passed). Stateless between calls; not thread-safe within
 * one.
 */
public final class LinearizabilityChecker {
  /** The most search steps spent on one key before it is reported inconclusive. */
  public static final long SEARCH_STEPS_PER_KEY_MAX = 5_000_000;

  /** Operations listed around the point where a failing key's search got stuck. */
  static final int CONTEXT_OPERATIONS_MAX = 12;

  /**
   * The verdict over a whole history.
   *
   * @param operationsChecked operations in the history (indeterminate ones included)
   * @param keysChecked keys whose search finished
   * @param searchSteps steps over all keys
   * @param violations one text per key that has no linearization, saying where the search stuck
   * @param inconclusiveKeys keys whose search ran out of steps
   */
  public record Result(
      long operationsChecked,
      int keysChecked,
      long searchSteps,
      List<String> violations,
      List<Integer> inconclusiveKeys) {
    public Result {
      violations = List.copyOf(violations);
      inconclusiveKeys = List.copyOf(inconclusiveKeys);
    }

    public boolean linearizable() {
      return violations.isEmpty() && inconclusiveKeys.isEmpty();
    }
  }

  private LinearizabilityChecker() {}

  /** Checks {@code history} (any order; ids must be distinct). */
  public static Result check(List<HistoryOperation> history) {
    TreeMap<Integer, List<HistoryOperation>> byKey = new TreeMap<>();
    for (HistoryOperation operation : history) {
      byKey.computeIfAbsent(operation.operation().key(), key -> new ArrayList<>()).add(operation);
    }
    long steps = 0;
    int keysChecked = 0;
    List<String> violations = new ArrayList<>();
    List<Integer> inconclusive = new ArrayList<>();
    for (var entry : byKey.entrySet()) {
      KeySearch search = new KeySearch(entry.getValue());
      search.run();
      steps += search.steps;
      switch (search.verdict) {
        case LINEARIZABLE -> keysChecked++;
        case NOT_LINEARIZABLE -> {
          keysChecked++;
          violations.add("key " + entry.getKey() + ": " + search.explain());
        }
        case INCONCLUSIVE -> inconclusive.add(entry.getKey());
      }
    }
    return new Result(history.size(), keysChecked, steps, violations, inconclusive);
  }

  /**
   * The register model: the state after {@code history}'s operation with its answer in {@code
   * state}, writing {@code writtenValue} (the operation's value, or {@link #UNOBSERVED}), or {@link
   * #REFUSED} if that answer is impossible there. Values are positive and absent is 0, so negative
   * numbers are free for the two markers.
   */
  static long step(long state, HistoryOperation history, long writtenValue) {
    boolean known = !history.isIndeterminate();
    return switch (history.operation()) {
      case KvOperation.Get get -> !known || history.result() == state ? state : REFUSED;
      case KvOperation.Put put -> writtenValue;
      case KvOperation.CompareAndSet cas -> {
        boolean sets = state == cas.expected();
        if (known && sets != (history.result() == 1)) {
          yield REFUSED;
        }
        yield sets ? writtenValue : state;
      }
    };
  }

  /** The model's answer to an impossible step. */
  static final long REFUSED = -1;

  /** The one state every unobserved value stands for. */
  static final long UNOBSERVED = -2;

  private enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    INCONCLUSIVE
  }

  /** One event of the linked list: an operation's call, or its return. */
  private static final class Event {
    final HistoryOperation operation;
    final int slot;
    final boolean call;
    final long timeNanos;
    long writtenValue;

    /** An interchangeable indeterminate write invoked just before, to linearize first; or null. */
    Event predecessor;

    Event match;
    Event previous;
    Event next;

    Event(HistoryOperation operation, int slot, boolean call) {
      this.operation = operation;
      this.slot = slot;
      this.call = call;
      this.timeNanos =
          operation == null ? -1 : call ? operation.invokeNanos() : operation.returnNanos();
    }
  }

  /** A configuration explored: which operations are linearized, and the register's value. */
  private record Explored(long[] linearized, long state) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Explored that
          && state == that.state
          && Arrays.equals(linearized, that.linearized);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(linearized) * 31 + Long.hashCode(state);
    }
  }

  private record Choice(Event call, long stateBefore) {}

  /** The search over one key's operations. */
  private static final class KeySearch {
    private final List<HistoryOperation> operations;
    private final Event head;
    private Verdict verdict;
    private long steps;
    private int deepest = -1;
    private HistoryOperation stuckAt;
    private long stateAtDeepest;
    private List<HistoryOperation> linearizedAtDeepest = List.of();

    KeySearch(List<HistoryOperation> unsorted) {
      operations = new ArrayList<>(unsorted);
      operations.sort(
          Comparator.comparingLong(HistoryOperation::invokeNanos)
              .thenComparingInt(HistoryOperation::id));
      List<Event> events = new ArrayList<>(2 * operations.size());
      for (int slot = 0; slot < operations.size(); slot++) {
        HistoryOperation operation = operations.get(slot);
        Event call = new Event(operation, slot, true);
        Event answer = new Event(operation, slot, false);
        call.match = answer;
        events.add(call);
        events.add(answer);
      }
      // Time order; at equal times calls first (the two are then concurrent: the permissive
      // reading), then by operation id so that the order never depends on anything else.
      events.sort(
          Comparator.comparingLong((Event event) -> event.timeNanos)
              .thenComparing(event -> !event.call)
              .thenComparingInt(event -> event.operation.id()));
      head = new Event(null, -1, false);
      Event last = head;
      for (Event event : events) {
        last.next = event;
        event.previous = last;
        last = event;
      }
      reduceIndeterminateWrites(events);
    }

    /** Unobserved values become one token; interchangeable indeterminate writes get an order. */
    private void reduceIndeterminateWrites(List<Event> events) {
      Set<Long> observed = new HashSet<>();
      for (HistoryOperation operation : operations) {
        switch (operation.operation()) {
          case KvOperation.Get get -> {
            if (!operation.isIndeterminate()) {
              observed.add(operation.result());
            }
          }
          case KvOperation.CompareAndSet cas -> observed.add(cas.expected());
          case KvOperation.Put put -> {}
        }
      }
      TreeMap<Long, Event> lastOfGroup = new TreeMap<>();
      for (Event call : events) {
        if (!call.call) {
          continue;
        }
        long value =
            switch (call.operation.operation()) {
              case KvOperation.Put put -> put.value();
              case KvOperation.CompareAndSet cas -> cas.value();
              case KvOperation.Get get -> 0;
            };
        call.writtenValue = observed.contains(value) ? value : UNOBSERVED;
        if (call.operation.isIndeterminate() && call.writtenValue == UNOBSERVED) {
          // Group by effect: puts (-1), or compare-and-sets by their expected value (>= 0).
          long group =
              call.operation.operation() instanceof KvOperation.CompareAndSet cas
                  ? cas.expected()
                  : -1;
          call.predecessor = lastOfGroup.put(group, call);
        }
      }
    }

    void run() {
      long[] linearized = new long[(operations.size() + 63) / 64];
      int linearizedCount = 0;
      Set<Explored> explored = new HashSet<>();
      List<Choice> stack = new ArrayList<>();
      long state = KvOperation.ABSENT;
      Event event = head.next;
      while (head.next != null) {
        if (++steps > SEARCH_STEPS_PER_KEY_MAX) {
          verdict = Verdict.INCONCLUSIVE;
          return;
        }
        if (event.call) {
          boolean inOrder =
              event.predecessor == null
                  || (linearized[event.predecessor.slot >>> 6] & (1L << event.predecessor.slot))
                      != 0;
          long next = inOrder ? step(state, event.operation, event.writtenValue) : REFUSED;
          boolean advanced = false;
          if (next != REFUSED) {
            long[] candidate = linearized.clone();
            candidate[event.slot >>> 6] |= 1L << event.slot;
            if (explored.add(new Explored(candidate, next))) {
              stack.add(new Choice(event, state));
              state = next;
              linearized = candidate;
              linearizedCount++;
              lift(event);
              event = head.next;
              advanced = true;
            }
          }
          if (!advanced) {
            event = event.next;
          }
        } else {
          // The return of an operation not linearized yet: an earlier choice was wrong.
          if (linearizedCount > deepest) {
            deepest = linearizedCount;
            stuckAt = event.operation;
            stateAtDeepest = state;
            List<HistoryOperation> chosen = new ArrayList<>();
            for (Choice choice : stack) {
              chosen.add(choice.call().operation);
            }
            linearizedAtDeepest = chosen;
          }
          if (stack.isEmpty()) {
            verdict = Verdict.NOT_LINEARIZABLE;
            return;
          }
          Choice choice = stack.removeLast();
          state = choice.stateBefore();
          linearized = linearized.clone();
          linearized[choice.call().slot >>> 6] &= ~(1L << choice.call().slot);
          linearizedCount--;
          unlift(choice.call());
          event = choice.call().next;
        }
      }
      verdict = Verdict.LINEARIZABLE;
    }

    private static void lift(Event call) {
      call.previous.next = call.next;
      if (call.next != null) {
        call.next.previous = call.previous;
      }
      Event answer = call.match;
      answer.previous.next = answer.next;
      if (answer.next != null) {
        answer.next.previous = answer.previous;
      }
    }

    private static void unlift(Event call) {
      Event answer = call.match;
      answer.previous.next = answer;
      if (answer.next != null) {
        answer.next.previous = answer;
      }
      call.previous.next = call;
      if (call.next != null) {
        call.next.previous = call;
      }
    }

    /** Where the search got furthest, and what it could not place there. */
    String explain() {
      StringBuilder out = new StringBuilder();
      out.append(operations.size())
          .append(" operations, no linearization; the longest linearizable start places ")
          .append(deepest)
          .append(", leaving the register at ")
          .append(
              stateAtDeepest == KvOperation.ABSENT
                  ? "absent"
                  : stateAtDeepest == UNOBSERVED ? "a value nobody read" : stateAtDeepest)
          .append(", and then ")
          .append(stuckAt)
          .append(" cannot be placed before it returns.");
      int from = Math.max(0, linearizedAtDeepest.size() - CONTEXT_OPERATIONS_MAX / 2);
      out.append("\n    last placed:");
      for (HistoryOperation operation :
          linearizedAtDeepest.subList(from, linearizedAtDeepest.size())) {
        out.append("\n      ").append(operation);
      }
      out.append("\n    not placed, invoked before it returned:");
      int listed = 0;
      Set<HistoryOperation> placed = new HashSet<>(linearizedAtDeepest);
      for (HistoryOperation operation : operations) {
        if (!placed.contains(operation)
            && operation.invokeNanos() <= stuckAt.returnNanos()
            && listed++ < CONTEXT_OPERATIONS_MAX) {
          out.append("\n      ").append(operation);
        }
      }
      return out.toString();
    }
  }
}
