package io.ringkv.server.resp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The figures INFO reports for this listener: connections, commands, hits and misses, bytes in and
 * out, error replies, and the instantaneous command rate. Counters are {@link LongAdder}s, cheap to
 * bump from every event loop at once.
 *
 * <p>The instantaneous rate follows Redis: {@link #sample} is called every {@link
 * #SAMPLE_INTERVAL_MILLIS} and the rate is the mean over the last {@link #SAMPLES} intervals.
 *
 * <p>Thread-safe.
 */
final class ServerCounters {
  /** How often the command rate is sampled. */
  static final long SAMPLE_INTERVAL_MILLIS = 100;

  /** Samples averaged into the instantaneous rate (Redis' STATS_METRIC_SAMPLES). */
  static final int SAMPLES = 16;

  final AtomicInteger connectedClients = new AtomicInteger();
  private final LongAdder connectionsReceived = new LongAdder();
  private final LongAdder connectionsRejected = new LongAdder();
  private final LongAdder commandsProcessed = new LongAdder();
  private final LongAdder keyspaceHits = new LongAdder();
  private final LongAdder keyspaceMisses = new LongAdder();
  private final LongAdder netInputBytes = new LongAdder();
  private final LongAdder netOutputBytes = new LongAdder();
  private final LongAdder errorReplies = new LongAdder();

  private final long[] rateSamples = new long[SAMPLES];
  private int sampleIndex;
  private long lastSampleCommands;
  private long lastSampleNanos;

  void connectionReceived() {
    connectionsReceived.increment();
  }

  void connectionRejected() {
    connectionsRejected.increment();
  }

  /** Adds {@code count} processed commands (a connection counts its own and adds them in bulk). */
  void commandsProcessed(long count) {
    commandsProcessed.add(count);
  }

  void keyspaceHits(long count) {
    keyspaceHits.add(count);
  }

  void keyspaceMisses(long count) {
    keyspaceMisses.add(count);
  }

  void netInput(long bytes) {
    netInputBytes.add(bytes);
  }

  void netOutput(long bytes) {
    netOutputBytes.add(bytes);
  }

  void errorReply() {
    errorReplies.increment();
  }

  long connectionsReceived() {
    return connectionsReceived.sum();
  }

  long connectionsRejected() {
    return connectionsRejected.sum();
  }

  long commandsProcessed() {
    return commandsProcessed.sum();
  }

  long keyspaceHits() {
    return keyspaceHits.sum();
  }

  long keyspaceMisses() {
    return keyspaceMisses.sum();
  }

  long netInputBytes() {
    return netInputBytes.sum();
  }

  long netOutputBytes() {
    return netOutputBytes.sum();
  }

  long errorReplies() {
    return errorReplies.sum();
  }

  /** Records one rate sample; called by one timer thread. */
  synchronized void sample(long nowNanos) {
    long commands = commandsProcessed.sum();
    if (lastSampleNanos != 0 && nowNanos > lastSampleNanos) {
      long perSecond =
          (commands - lastSampleCommands) * 1_000_000_000L / (nowNanos - lastSampleNanos);
      rateSamples[sampleIndex] = perSecond;
      sampleIndex = (sampleIndex + 1) % SAMPLES;
    }
    lastSampleCommands = commands;
    lastSampleNanos = nowNanos;
  }

  /** Commands per second over the last {@link #SAMPLES} samples. */
  synchronized long instantaneousOpsPerSecond() {
    long sum = 0;
    for (long sample : rateSamples) {
      sum += sample;
    }
    return sum / SAMPLES;
  }
}
