package io.ringkv.cluster.membership;

import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Runs the commands of a golden transcript (etcd raft's {@code testdata/*.txt} style) against
 * in-memory {@link Gossip} nodes joined by a FIFO network, and returns what each command printed.
 *
 * <p>Commands, one per block (arguments in any order after the first word):
 *
 * <pre>
 * node NAME gen=G seeds=A,B [rng=S] [cluster=C] [KEY=VALUE ...]   a node with these own values
 * tick NAMES @T                 tick each node, in order, at time T
 * deliver FROM->TO @T [count=K] deliver the first K (default all) messages in flight on a link
 * deliver all @T                deliver everything in flight, replies included, until none is left
 * drop FROM->TO | drop all      lose the messages in flight on a link, or all of them
 * set NAME KEY=VALUE            set one of a node's own values
 * state NAME @T                 print a node's view of every endpoint
 * stats NAME                    print a node's counters
 * freeze NAME | thaw NAME       pause a node (messages to it wait) or let it run again
 * stop NAME                     crash a node: messages to it are lost from now on
 * start NAME @T                 restart a stopped node from what it persisted, next generation
 * run NAMES @T1..T2 [every=D]   every D (1s): tick the nodes that run, then deliver all; prints
 *                               events only, each with its time
 * </pre>
 *
 * <p>Times are {@code 1500ms} or {@code 2s}. Output lines name the node that produced them: {@code
 * n1 send SYN n1->n2 ...}, {@code n1 event Up n2 phi=0.00}, {@code n1 persist ...}.
 */
final class TranscriptRunner {
  private static final long MILLI_NANOS = 1_000_000L;

  private static final class Node {
    final String name;
    final List<String> seeds;
    final long rngSeed;
    final GossipConfig config;
    Gossip gossip;
    PersistentGossipState persisted;
    boolean frozen;
    boolean stopped;

    Node(String name, List<String> seeds, long rngSeed, GossipConfig config) {
      this.name = name;
      this.seeds = seeds;
      this.rngSeed = rngSeed;
      this.config = config;
    }
  }

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<GossipMessage> inFlight = new ArrayList<>();

  /** Runs one command and returns its output lines. */
  List<String> run(String command) {
    String[] words = command.trim().split("\\s+");
    List<String> out = new ArrayList<>();
    switch (words[0]) {
      case "node" -> createNode(words, out);
      case "tick" -> {
        long now = time(words);
        for (String name : words[1].split(",")) {
          Node node = node(name);
          node.gossip.tick(now);
          drain(node, out, null);
        }
      }
      case "deliver" -> deliver(words, out);
      case "drop" -> {
        if (words[1].equals("all")) {
          inFlight.clear();
        } else {
          String[] link = words[1].split("->");
          inFlight.removeIf(m -> m.from().equals(link[0]) && m.to().equals(link[1]));
        }
      }
      case "set" -> {
        Node node = node(words[1]);
        String[] pair = words[2].split("=", 2);
        node.gossip.setLocalState(ApplicationState.valueOf(pair[0]), pair[1]);
        drain(node, out, null);
      }
      case "state" -> {
        long now = time(words);
        for (EndpointView view : node(words[1]).gossip.view(now)) {
          out.add(
              words[1]
                  + " view "
                  + (view.self() ? "self" : view.up() ? "up" : "down")
                  + " phi="
                  + TranscriptFormat.phi(view.phi())
                  + " "
                  + TranscriptFormat.state(view.state()));
        }
      }
      case "stats" -> out.add(words[1] + " " + node(words[1]).gossip.stats());
      case "freeze" -> node(words[1]).frozen = true;
      case "thaw" -> node(words[1]).frozen = false;
      case "stop" -> {
        Node node = node(words[1]);
        node.stopped = true;
        inFlight.removeIf(m -> m.to().equals(node.name));
      }
      case "start" -> restart(node(words[1]), out);
      case "run" -> runRounds(words, out);
      default -> throw new IllegalArgumentException("unknown command: " + command);
    }
    return out;
  }

  private void createNode(String[] words, List<String> out) {
    String name = words[1];
    Map<String, String> args = arguments(words);
    Map<ApplicationState, String> own = new EnumMap<>(ApplicationState.class);
    for (Map.Entry<String, String> arg : args.entrySet()) {
      if (arg.getKey().equals(arg.getKey().toUpperCase(java.util.Locale.ROOT))) {
        own.put(ApplicationState.valueOf(arg.getKey()), arg.getValue());
      }
    }
    GossipConfig config = GossipConfig.defaults();
    if (args.containsKey("cluster")) {
      config = config.withClusterName(args.get("cluster"));
    }
    Node node =
        new Node(
            name,
            Arrays.asList(required(args, "seeds").split(",")),
            Long.parseLong(args.getOrDefault("rng", String.valueOf(name.hashCode()))),
            config);
    long generation = Long.parseLong(required(args, "gen"));
    node.gossip =
        new Gossip(name, config, generation, own, node.seeds, new Rng(node.rngSeed + generation));
    nodes.put(name, node);
    drain(node, out, null);
  }

  private void restart(Node node, List<String> out) {
    if (!node.stopped) {
      throw new IllegalStateException(node.name + " must be stopped before it starts again");
    }
    long generation = Gossip.nextGeneration(node.persisted.generation(), 0);
    node.gossip =
        new Gossip(
            node.name,
            node.config,
            generation,
            node.persisted.applicationStates(),
            node.seeds,
            new Rng(node.rngSeed + generation));
    node.stopped = false;
    node.frozen = false;
    drain(node, out, null);
  }

  private void deliver(String[] words, List<String> out) {
    long now = time(words);
    if (words[1].equals("all")) {
      while (deliverNext(m -> true, now, out, null)) {}
      return;
    }
    String[] link = words[1].split("->");
    int count = Integer.parseInt(arguments(words).getOrDefault("count", "" + Integer.MAX_VALUE));
    for (int i = 0; i < count; i++) {
      if (!deliverNext(m -> m.from().equals(link[0]) && m.to().equals(link[1]), now, out, null)) {
        break;
      }
    }
  }

  /**
   * Delivers the first deliverable message in flight that matches; messages to a frozen node wait,
   * messages to a stopped one are lost.
   */
  private boolean deliverNext(
      java.util.function.Predicate<GossipMessage> matches,
      long now,
      List<String> out,
      String timePrefix) {
    Iterator<GossipMessage> it = inFlight.iterator();
    while (it.hasNext()) {
      GossipMessage message = it.next();
      Node to = node(message.to());
      if (!matches.test(message) || to.frozen) {
        continue;
      }
      it.remove();
      if (to.stopped) {
        return true;
      }
      to.gossip.step(message, now);
      drain(to, out, timePrefix);
      return true;
    }
    return false;
  }

  private void runRounds(String[] words, List<String> out) {
    String[] range = words[2].substring(1).split("\\.\\.");
    long from = parseTime(range[0]);
    long to = parseTime(range[1]);
    long every = parseTime(arguments(words).getOrDefault("every", "1s"));
    List<String> names = Arrays.asList(words[1].split(","));
    for (long now = from; now <= to; now += every) {
      String prefix = "@" + formatTime(now) + " ";
      for (String name : names) {
        Node node = node(name);
        if (!node.frozen && !node.stopped) {
          node.gossip.tick(now);
          drain(node, out, prefix);
        }
      }
      long deliveredAt = now;
      while (deliverNext(m -> true, deliveredAt, out, prefix)) {}
    }
  }

  /**
   * Takes a node's Ready: stores the persisted state, puts messages in flight, prints everything
   * (or, with a time prefix, events only), then advances.
   */
  private void drain(Node node, List<String> out, String timePrefix) {
    Gossip.Ready ready = node.gossip.ready();
    ready.persist().ifPresent(p -> node.persisted = p);
    if (timePrefix == null) {
      ready
          .persist()
          .ifPresent(p -> out.add(node.name + " persist " + TranscriptFormat.persist(p)));
      for (GossipMessage message : ready.messages()) {
        out.add(node.name + " send " + TranscriptFormat.message(message));
      }
    }
    for (GossipEvent event : ready.events()) {
      out.add(
          Objects.requireNonNullElse(timePrefix, "")
              + node.name
              + " event "
              + TranscriptFormat.event(event));
    }
    inFlight.addAll(ready.messages());
    node.gossip.advance(ready);
  }

  private Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("no node " + name);
    }
    return node;
  }

  private static Map<String, String> arguments(String[] words) {
    Map<String, String> args = new TreeMap<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        args.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return args;
  }

  private static String required(Map<String, String> args, String key) {
    String value = args.get(key);
    if (value == null) {
      throw new IllegalArgumentException("missing argument " + key + "=");
    }
    return value;
  }

  private static long time(String[] words) {
    for (String word : words) {
      if (word.startsWith("@")) {
        return parseTime(word.substring(1));
      }
    }
    throw new IllegalArgumentException("missing time @T in " + String.join(" ", words));
  }

  static long parseTime(String text) {
    if (text.endsWith("ms")) {
      return Long.parseLong(text.substring(0, text.length() - 2)) * MILLI_NANOS;
    }
    if (text.endsWith("s")) {
      return Long.parseLong(text.substring(0, text.length() - 1)) * 1_000 * MILLI_NANOS;
    }
    throw new IllegalArgumentException("time must end in ms or s: " + text);
  }

  static String formatTime(long nanos) {
    long millis = nanos / MILLI_NANOS;
    return millis % 1_000 == 0 ? (millis / 1_000) + "s" : millis + "ms";
  }
}
