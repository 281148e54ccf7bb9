package io.ringkv.server.internode;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The transport's counters: one {@link LongAdder} per event per peer, plus a total per event, each
 * exported to Micrometer as a function counter tagged by peer, so that the snapshot in {@link
 * TransportStats} and the exported metrics are the same numbers. Events with no known peer (an
 * inbound connection that failed before its handshake) count under the peer tag {@value
 * #UNKNOWN_PEER}.
 *
 * <p>The per-peer map is bounded by {@link #PEERS_MAX} (a peer's id comes from the network, so an
 * unbounded map would let connectors grow the metrics without limit); beyond, events count under
 * {@value #UNKNOWN_PEER}. Thread-safe.
 */
final class TransportCounters {
  /** The most peers counted separately. */
  static final int PEERS_MAX = 4_096;

  /** The peer tag of events with no known peer. */
  static final String UNKNOWN_PEER = "unknown";

  /** Keys remembered by {@link #logOnce}; beyond, nothing more is logged. */
  static final int LOGGED_KEYS_MAX = 4 * PEERS_MAX;

  private static final System.Logger LOG = System.getLogger(InternodeTransport.class.getName());

  /** What is counted per peer, with its metric name and, for drops, its reason tag. */
  enum Event {
    MESSAGE_SENT("ringkv.internode.messages.sent", null),
    MESSAGE_RECEIVED("ringkv.internode.messages.received", null),
    DROPPED_QUEUE_FULL("ringkv.internode.messages.dropped", "queue_full"),
    DROPPED_UNROUTABLE("ringkv.internode.messages.dropped", "unroutable"),
    REQUEST_TIMEOUT("ringkv.internode.requests.timeouts", null),
    CONNECT_FAILURE("ringkv.internode.connections.failed", null),
    CONNECTION_REFUSED("ringkv.internode.connections.refused", null),
    FRAME_TOO_LARGE("ringkv.internode.frames.too_large", null),
    HANDSHAKE_FAILURE("ringkv.internode.handshakes.failed", null),
    PROTOCOL_ERROR("ringkv.internode.protocol.errors", null);

    final String metric;
    final String reason;

    Event(String metric, String reason) {
      this.metric = metric;
      this.reason = reason;
    }
  }

  private final MeterRegistry registry;
  private final EnumMap<Event, LongAdder> total = adders();
  private final EnumMap<Event, LongAdder> unknownPeer;
  private final Map<String, EnumMap<Event, LongAdder>> byPeer = new ConcurrentHashMap<>();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();
  final LongAdder inboundConnectionsRejected = new LongAdder();
  final LongAdder unknownResponses = new LongAdder();
  final LongAdder requestsRejected = new LongAdder();

  TransportCounters(MeterRegistry registry) {
    this.registry = registry;
    this.unknownPeer = register(UNKNOWN_PEER, adders());
    counter("ringkv.internode.connections.rejected", inboundConnectionsRejected);
    counter("ringkv.internode.responses.unknown", unknownResponses);
    counter("ringkv.internode.requests.rejected", requestsRejected);
  }

  /** Counts one event for {@code peer} (null: no known peer). */
  void count(String peer, Event event) {
    total.get(event).increment();
    adders(peer).get(event).increment();
  }

  /** Starts counting {@code peer} separately (so it shows in stats even before any event). */
  void track(String peer) {
    adders(peer);
  }

  /**
   * Logs {@code message} at WARNING the first time {@code key} is seen, so that a repeated fault (a
   * peer sending oversized frames) fills the log with one line, not one per frame.
   */
  void logOnce(String key, String message, Throwable cause) {
    if (logged.size() < LOGGED_KEYS_MAX && logged.add(key)) {
      LOG.log(System.Logger.Level.WARNING, message + " (logged once; counted in metrics)", cause);
    }
  }

  TransportStats.Counts total(long queuedMessages) {
    return counts(total, queuedMessages);
  }

  /** Counts per peer, with each peer's queue length from {@code queued}. */
  TreeMap<String, TransportStats.Counts> perPeer(ToLongFunction<String> queued) {
    TreeMap<String, TransportStats.Counts> peers = new TreeMap<>();
    byPeer.forEach((peer, adders) -> peers.put(peer, counts(adders, queued.applyAsLong(peer))));
    return peers;
  }

  private EnumMap<Event, LongAdder> adders(String peer) {
    if (peer == null) {
      return unknownPeer;
    }
    EnumMap<Event, LongAdder> adders = byPeer.get(peer);
    if (adders != null) {
      return adders;
    }
    if (byPeer.size() >= PEERS_MAX || peer.equals(UNKNOWN_PEER)) {
      return unknownPeer;
    }
    return byPeer.computeIfAbsent(peer, id -> register(id, adders()));
  }

  private EnumMap<Event, LongAdder> register(String peer, EnumMap<Event, LongAdder> adders) {
    for (Map.Entry<Event, LongAdder> entry : adders.entrySet()) {
      Event event = entry.getKey();
      FunctionCounter.Builder<LongAdder> builder =
          FunctionCounter.builder(event.metric, entry.getValue(), LongAdder::sum).tag("peer", peer);
      if (event.reason != null) {
        builder.tag("reason", event.reason);
      }
      builder.register(registry);
    }
    return adders;
  }

  private void counter(String name, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).register(registry);
  }

  private static EnumMap<Event, LongAdder> adders() {
    EnumMap<Event, LongAdder> adders = new EnumMap<>(Event.class);
    for (Event event : Event.values()) {
      adders.put(event, new LongAdder());
    }
    return adders;
  }

  private static TransportStats.Counts counts(
      EnumMap<Event, LongAdder> adders, long queuedMessages) {
    return new TransportStats.Counts(
        adders.get(Event.MESSAGE_SENT).sum(),
        adders.get(Event.MESSAGE_RECEIVED).sum(),
        adders.get(Event.DROPPED_QUEUE_FULL).sum(),
        adders.get(Event.DROPPED_UNROUTABLE).sum(),
        adders.get(Event.REQUEST_TIMEOUT).sum(),
        adders.get(Event.CONNECT_FAILURE).sum(),
        adders.get(Event.CONNECTION_REFUSED).sum(),
        adders.get(Event.FRAME_TOO_LARGE).sum(),
        adders.get(Event.HANDSHAKE_FAILURE).sum(),
        adders.get(Event.PROTOCOL_ERROR).sum(),
        queuedMessages);
  }
}
