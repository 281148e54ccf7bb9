package io.ringkv.cluster.membership;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What gossip knows about one endpoint: its generation, its heartbeat version and its application
 * states, each with its own version (Cassandra's {@code EndpointState}). It is the snapshot status
 * displays read, and, wrapped in an {@link EndpointDelta}, what ACKs and ACK2s carry: then it may
 * hold only the values newer than what the receiver asked for.
 *
 * <p>Ordering rules (docs/design/gossip.md): a higher generation replaces the whole state; within a
 * generation each value, and the heartbeat, is replaced only by a higher version.
 *
 * <p>Immutable; the map is sorted by key so that iteration, equality and printing are stable.
 *
 * @param endpoint the node's name, {@value #ENDPOINT_CHARS_MAX} characters at most, no whitespace
 * @param generation bumped each time the node restarts; non-negative
 * @param heartbeatVersion the version of the node's last heartbeat; non-negative (0 before the
 *     first tick)
 * @param states application state values by key
 */
public record EndpointState(
    String endpoint,
    long generation,
    long heartbeatVersion,
    SortedMap<ApplicationState, VersionedValue> states) {

  /** The longest endpoint name accepted, so that digests and messages stay bounded. */
  public static final int ENDPOINT_CHARS_MAX = 128;

  public EndpointState {
    checkEndpoint("endpoint", endpoint);
    if (generation < 0) {
      throw new IllegalArgumentException("generation must be non-negative, was " + generation);
    }
    if (heartbeatVersion < 0) {
      throw new IllegalArgumentException(
          "heartbeatVersion must be non-negative, was " + heartbeatVersion);
    }
    Objects.requireNonNull(states, "states");
    TreeMap<ApplicationState, VersionedValue> copy = new TreeMap<>();
    for (Map.Entry<ApplicationState, VersionedValue> entry : states.entrySet()) {
      copy.put(
          Objects.requireNonNull(entry.getKey(), "states key"),
          Objects.requireNonNull(entry.getValue(), "states value"));
    }
    states = Collections.unmodifiableSortedMap(copy);
  }

  /**
   * Checks an endpoint name: non-empty, at most {@value #ENDPOINT_CHARS_MAX} characters, no
   * whitespace (names appear in transcripts and logs as single words).
   *
   * @param field the name of the field being checked, for the message
   * @return the name
   */
  public static String checkEndpoint(String field, String name) {
    Objects.requireNonNull(name, field);
    if (name.isEmpty() || name.length() > ENDPOINT_CHARS_MAX) {
      throw new IllegalArgumentException(
          field
              + " must have 1 to "
              + ENDPOINT_CHARS_MAX
              + " characters, had "
              + name.length()
              + ": '"
              + name
              + "'");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isWhitespace(name.charAt(i))) {
        throw new IllegalArgumentException(
            field + " must not contain whitespace, was '" + name + "'");
      }
    }
    return name;
  }

  /** The highest version in this state: the heartbeat's or a value's. Digests carry it. */
  public long maxVersion() {
    long max = heartbeatVersion;
    for (VersionedValue value : states.values()) {
      max = Math.max(max, value.version());
    }
    return max;
  }

  /** The digest of this state: endpoint, generation, highest version. */
  public GossipDigest digest() {
    return new GossipDigest(endpoint, generation, maxVersion());
  }

  /** The value for {@code key}, if the endpoint announced one. */
  public Optional<String> value(ApplicationState key) {
    VersionedValue value = states.get(key);
    return value == null ? Optional.empty() : Optional.of(value.value());
  }

  /**
   * The part of this state newer than {@code version}: the heartbeat and every value with a higher
   * version, or empty when nothing is newer (Cassandra's {@code getStateForVersionBiggerThan}).
   */
  public Optional<EndpointDelta> newerThan(long version) {
    if (maxVersion() <= version) {
      return Optional.empty();
    }
    TreeMap<ApplicationState, VersionedValue> newer = new TreeMap<>();
    for (Map.Entry<ApplicationState, VersionedValue> entry : states.entrySet()) {
      if (entry.getValue().version() > version) {
        newer.put(entry.getKey(), entry.getValue());
      }
    }
    return Optional.of(
        new EndpointDelta(
            new EndpointState(endpoint, generation, heartbeatVersion, newer), version));
  }

  /** This state with another heartbeat version. */
  public EndpointState withHeartbeat(long version) {
    return new EndpointState(endpoint, generation, version, states);
  }

  /** This state with {@code key} set to {@code value}. */
  public EndpointState with(ApplicationState key, VersionedValue value) {
    TreeMap<ApplicationState, VersionedValue> changed = new TreeMap<>(states);
    changed.put(key, value);
    return new EndpointState(endpoint, generation, heartbeatVersion, changed);
  }
}
