package io.ringkv.bench.raft;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.raft.Configuration;
import io.ringkv.raft.RaftConfig;
import io.ringkv.server.internode.InternodeConfig;
import io.ringkv.server.internode.InternodeTransport;
import io.ringkv.server.raft.KeyValueStateMachine;
import io.ringkv.server.raft.RaftGroup;
import io.ringkv.server.raft.RaftGroupSettings;
import io.ringkv.server.raft.RaftPeers;
import io.ringkv.server.raft.RaftRouter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One member of the benchmark's 3-member Raft key-value store, as its own process: an internode
 * transport listening on loopback, a {@link RaftGroup} with a {@link KeyValueStateMachine}, its log
 * in its own directory, synced on every {@code Ready} that must be (every append, as etcd does).
 * Runs until killed (SIGTERM closes the group and the transport). bench/raft-vs-etcd.sh starts
 * three; the load generator ({@link PutLoad}) sends forwarded proposals to the leader.
 *
 * <p>Node ids are {@code node-<member>}; the founders are the members listed in {@code --peers}.
 */
@Command(
    name = "raft-kv-node",
    mixinStandardHelpOptions = true,
    description = "Runs one member of the benchmark's Raft key-value store.")
public final class RaftKvNode implements Callable<Integer> {
  /** The group id the benchmark's store uses. */
  public static final long GROUP = 1;

  /** The transport's cluster name, shared with the load generator. */
  public static final String CLUSTER = "raft-bench";

  @Option(names = "--member", required = true, description = "This member's id (1, 2, 3).")
  long member;

  @Option(names = "--data", required = true, description = "This member's data directory.")
  Path data;

  @Option(
      names = "--peers",
      required = true,
      split = ",",
      description = "Every founding member as id=host:port, this one included.")
  Map<Long, String> peers = new TreeMap<>();

  @Option(names = "--tick-millis", description = "Raft tick (default ${DEFAULT-VALUE}).")
  long tickMillis = 100;

  @Option(
      names = "--snapshot-every",
      description = "Entries between snapshots (default ${DEFAULT-VALUE}, etcd's snapshot-count).")
  long snapshotEveryEntries = 100_000;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RaftKvNode()).execute(args));
  }

  /** Parses {@code host:port}. */
  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, was '" + hostPort + "'");
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  static NodeId nodeOf(long member) {
    return NodeId.of("node-" + member);
  }

  @Override
  public Integer call() throws Exception {
    if (!peers.containsKey(member)) {
      throw new IllegalArgumentException("--peers does not list this member " + member);
    }
    Map<String, InetSocketAddress> others = new TreeMap<>();
    Map<Long, NodeId> nodes = new TreeMap<>();
    long[] founders = new long[peers.size()];
    int i = 0;
    for (Map.Entry<Long, String> peer : peers.entrySet()) {
      nodes.put(peer.getKey(), nodeOf(peer.getKey()));
      founders[i++] = peer.getKey();
      if (peer.getKey() != member) {
        others.put(nodeOf(peer.getKey()).value(), address(peer.getValue()));
      }
    }
    InetSocketAddress listen = address(peers.get(member));
    RaftRouter router = RaftRouter.raftOnly();
    InternodeTransport transport =
        new InternodeTransport(
            InternodeConfig.defaults(listen.getHostString(), listen.getPort())
                .withPeerAddresses(others),
            nodeOf(member).value(),
            CLUSTER,
            router,
            new SimpleMeterRegistry());
    transport.start();
    RaftGroupSettings settings =
        RaftGroupSettings.defaults(GROUP, member, data)
            .withRaft(RaftConfig.builder(member).build())
            .withTickMillis(tickMillis)
            .withSnapshotEveryEntries(snapshotEveryEntries)
            .withBounds(65_536, 4_096, 65_536)
            .withRequestTimeoutMillis(10_000);
    RaftGroup group =
        RaftGroup.start(
            settings,
            RaftPeers.directory(nodes),
            transport,
            router,
            new KeyValueStateMachine(),
            Configuration.ofVoters(founders));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.printf(
                      "member %d stopping: %d Readies, %d fsyncs, status %s%n",
                      member, group.readiesHandled(), group.syncs(), group.status());
                  group.close();
                  transport.close();
                  stopped.countDown();
                },
                "raft-kv-node-shutdown"));
    System.out.printf(
        "member %d of group %d listening on %s, data in %s%n",
        member, GROUP, transport.localAddress(), data);
    stopped.await();
    return 0;
  }
}
