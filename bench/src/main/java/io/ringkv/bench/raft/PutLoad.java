package io.ringkv.bench.raft;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringkv.server.internode.InternodeConfig;
import io.ringkv.server.internode.InternodeMessage;
import io.ringkv.server.internode.InternodeMessage.RaftPropose;
import io.ringkv.server.internode.InternodeMessage.RaftProposeAnswer;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.KeyValueStateMachine;
import io.ringkv.server.raft.RaftRouter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's one load generator, the same for both systems: {@code --clients} concurrent
 * clients (virtual threads), each doing sequential linearizable puts of a small key and a {@code
 * --value-bytes} value, for a warm-up, then measured until {@code --ops} puts completed or {@code
 * --seconds} passed. Prints one line: {@code result system=... clients=... ops=... seconds=...
 * ops_per_second=... p50_ms=... p99_ms=... errors=...}.
 *
 * <p>ringkv: the generator is an internode transport endpoint of its own ({@code bench-load}); each
 * put is a {@link RaftPropose} request (a forwarded proposal) to the member it believes leads,
 * answered once applied there; a {@code NOT_LEADER} answer redirects it. etcd: jetcd's {@code
 * KV.put} (every etcd put goes through its Raft log), connected to the endpoints given, which the
 * script narrows to etcd's leader so that neither system pays a follower's forwarding hop.
 */
@Command(
    name = "put-load",
    mixinStandardHelpOptions = true,
    description = "Runs concurrent sequential puts against ringkv's Raft store or etcd.")
public final class PutLoad implements Callable<Integer> {
  /** Attempts per put before it counts as an error (redirects and failures). */
  static final int ATTEMPTS_MAX = 20;

  @Option(names = "--system", required = true, description = "ringkv or etcd.")
  String system;

  @Option(
      names = "--endpoints",
      required = true,
      split = ",",
      description = "ringkv: member=host:port of every member; etcd: client URLs.")
  List<String> endpoints;

  @Option(names = "--clients", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
  int clients = 16;

  @Option(names = "--ops", description = "Measured puts at most (default ${DEFAULT-VALUE}).")
  long opsMax = 50_000;

  @Option(names = "--seconds", description = "Measured seconds at most (default ${DEFAULT-VALUE}).")
  double seconds = 15;

  @Option(
      names = "--warmup-seconds",
      description = "Unmeasured seconds first (default ${DEFAULT-VALUE}).")
  double warmupSeconds = 3;

  @Option(names = "--value-bytes", description = "Value size (default ${DEFAULT-VALUE}).")
  int valueBytes = 256;

  @Option(names = "--keyspace", description = "Distinct keys (default ${DEFAULT-VALUE}).")
  int keyspace = 100_000;

  @Option(names = "--seed", description = "Seed of keys and values (default ${DEFAULT-VALUE}).")
  long seed = 42;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PutLoad()).execute(args));
  }

  /** One system's put. */
  interface Target extends AutoCloseable {
    CompletableFuture<Void> put(String key, byte[] value);

    @Override
    void close();
  }

  @Override
  public Integer call() throws Exception {
    try (Target target =
        switch (system) {
          case "ringkv" -> new RingkvTarget(endpoints);
          case "etcd" -> new EtcdTarget(endpoints);
          default ->
              throw new IllegalArgumentException(
                  "--system must be ringkv or etcd, was '" + system + "'");
        }) {
      byte[] value = new byte[valueBytes];
      new SplittableRandom(seed).nextBytes(value);
      // The warm-up also waits for a leader: its errors are not counted.
      runPhase(target, value, Long.MAX_VALUE, warmupSeconds, null);
      Histogram latencyMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
      AtomicLong errors = new AtomicLong();
      long startNanos = System.nanoTime();
      long completed =
          runPhase(target, value, opsMax, seconds, new Recording(latencyMicros, errors));
      double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "result system=%s clients=%d ops=%d seconds=%.2f ops_per_second=%.0f p50_ms=%.3f"
              + " p99_ms=%.3f errors=%d%n",
          system,
          clients,
          completed,
          elapsedSeconds,
          completed / elapsedSeconds,
          latencyMicros.getValueAtPercentile(50) / 1000.0,
          latencyMicros.getValueAtPercentile(99) / 1000.0,
          errors.get());
      return 0;
    }
  }

  private record Recording(Histogram latencyMicros, AtomicLong errors) {}

  /** Runs the clients until {@code ops} puts completed or {@code phaseSeconds} passed. */
  private long runPhase(
      Target target, byte[] value, long ops, double phaseSeconds, Recording recording)
      throws InterruptedException {
    long deadlineNanos = System.nanoTime() + (long) (phaseSeconds * 1e9);
    AtomicLong completed = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int client = 0; client < clients; client++) {
      SplittableRandom random = new SplittableRandom(seed * 1_000_003 + client);
      threads.add(
          Thread.ofVirtual()
              .name("put-client-" + client)
              .start(
                  () -> {
                    while (!stop.get()) {
                      String key = String.format(Locale.ROOT, "key-%08d", random.nextInt(keyspace));
                      long begin = System.nanoTime();
                      try {
                        target.put(key, value).get(30, TimeUnit.SECONDS);
                      } catch (Exception e) {
                        if (recording != null) {
                          recording.errors().incrementAndGet();
                        }
                        continue;
                      } finally {
                        if (System.nanoTime() - deadlineNanos >= 0) {
                          stop.set(true);
                        }
                      }
                      long end = System.nanoTime();
                      if (recording != null) {
                        recording.latencyMicros().recordValue(Math.max(1, (end - begin) / 1_000));
                      }
                      if (completed.incrementAndGet() >= ops) {
                        stop.set(true);
                      }
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return completed.get();
  }

  /** ringkv's Raft store through forwarded proposals over the internode transport. */
  static final class RingkvTarget implements Target {
    private final InternodeTransport transport;
    private final List<String> nodes = new ArrayList<>();
    private volatile String leader;

    RingkvTarget(List<String> endpoints) throws Exception {
      Map<String, InetSocketAddress> addresses = new TreeMap<>();
      for (String endpoint : endpoints) {
        int equals = endpoint.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException(
              "ringkv endpoints are member=host:port, was '" + endpoint + "'");
        }
        String node = RaftKvNode.nodeOf(Long.parseLong(endpoint.substring(0, equals))).value();
        addresses.put(node, RaftKvNode.address(endpoint.substring(equals + 1)));
        nodes.add(node);
      }
      transport =
          new InternodeTransport(
              InternodeConfig.defaults("127.0.0.1", 0)
                  .withPeerAddresses(addresses)
                  .withTimeouts(2_000, 5_000, 10_000),
              "bench-load",
              RaftKvNode.CLUSTER,
              RaftRouter.raftOnly(),
              new SimpleMeterRegistry());
      transport.start();
      leader = nodes.getFirst();
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] value) {
      byte[] command = KeyValueStateMachine.put(key, value);
      CompletableFuture<Void> done = new CompletableFuture<>();
      attempt(command, done, 0);
      return done;
    }

    private void attempt(byte[] command, CompletableFuture<Void> done, int attempts) {
      String target = leader;
      transport
          .request(target, new RaftPropose(RaftKvNode.GROUP, command))
          .whenComplete(
              (answer, failure) -> {
                if (failure == null
                    && answer instanceof RaftProposeAnswer reply
                    && reply.outcome() == InternodeMessage.RaftProposeOutcome.APPLIED) {
                  done.complete(null);
                  return;
                }
                if (attempts + 1 >= ATTEMPTS_MAX) {
                  done.completeExceptionally(
                      new IllegalStateException(
                          "put failed after "
                              + ATTEMPTS_MAX
                              + " attempts: "
                              + (failure != null ? failure : answer)));
                  return;
                }
                if (answer instanceof RaftProposeAnswer reply
                    && reply.outcome() == InternodeMessage.RaftProposeOutcome.NOT_LEADER
                    && !reply.leader().isEmpty()) {
                  leader = reply.leader();
                } else if (failure != null || answer instanceof RaftProposeAnswer) {
                  // No leader known there, or it failed: try the next member.
                  leader = nodes.get((nodes.indexOf(target) + 1) % nodes.size());
                  if (attempts > nodes.size()) {
                    // A whole round without a leader: an election is under way; give it a moment.
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(command, done, attempts + 1));
                    return;
                  }
                }
                attempt(command, done, attempts + 1);
              });
    }

    @Override
    public void close() {
      transport.close();
    }
  }

  /** etcd through jetcd. */
  static final class EtcdTarget implements Target {
    private final Client client;
    private final KV kv;

    EtcdTarget(List<String> endpoints) {
      client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
      kv = client.getKVClient();
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] value) {
      return kv.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
          .thenApply(response -> null);
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
