package io.ringkv.cluster.membership;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a {@link Member} travels as gossip application values, and back. Gossip carries opaque
 * strings (docs/design/gossip.md); this class is the one place that gives them meaning, so that
 * when a Raft log becomes the source of metadata only this derivation goes.
 *
 * <table>
 *   <caption>Values</caption>
 *   <tr><th>key</th><th>value</th></tr>
 *   <tr><td>STATUS</td><td>{@link Member.Status} name: {@code JOINING}, {@code NORMAL}, ...</td></tr>
 *   <tr><td>TOKENS</td><td>base64url (no padding) of the tokens as 8-byte big-endian values,
 *       ascending; absent while a node has none</td></tr>
 *   <tr><td>ADDRESSES</td><td>{@code internode,resp,http,grpc,host} (the host last, so an IPv6
 *       literal needs no quoting)</td></tr>
 *   <tr><td>DC, RACK</td><td>the names</td></tr>
 *   <tr><td>WEIGHT</td><td>a decimal number</td></tr>
 * </table>
 *
 * <p>Tokens are binary rather than decimal so that the most tokens a node may hold fit one value:
 * {@link #TOKENS_PER_VALUE_MAX} tokens take 10,923 characters, under gossip's default {@link
 * GossipConfig#valueCharsMax()} of 16,384.
 *
 * <p>Decoding never throws: a state whose values are missing or malformed (another version, a
 * corrupted peer) is simply not a member yet, and {@link #decode} says so with an empty result.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemberValues {
  /** The most tokens one node announces: round(num_tokens × weight) must not exceed it. */
  public static final int TOKENS_PER_VALUE_MAX = 1024;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private MemberValues() {}

  /** The values announcing {@code member} (TOKENS only if it has some). */
  public static SortedMap<ApplicationState, String> of(Member member) {
    TreeMap<ApplicationState, String> values = new TreeMap<>();
    values.put(ApplicationState.STATUS, member.status().name());
    if (!member.tokens().isEmpty()) {
      values.put(ApplicationState.TOKENS, encodeTokens(member.tokens()));
    }
    values.put(ApplicationState.DC, member.datacenter());
    values.put(ApplicationState.RACK, member.rack());
    values.put(ApplicationState.ADDRESSES, encodeAddress(member.address()));
    values.put(ApplicationState.WEIGHT, Double.toString(member.weight()));
    return values;
  }

  /**
   * The member that {@code state} describes, or empty if it lacks a value a member needs (STATUS,
   * ADDRESSES) or holds a malformed one. DC, RACK and WEIGHT default when absent.
   */
  public static Optional<Member> decode(EndpointState state) {
    try {
      NodeId id = NodeId.of(state.endpoint());
      Optional<String> status = state.value(ApplicationState.STATUS);
      Optional<String> address = state.value(ApplicationState.ADDRESSES);
      if (status.isEmpty() || address.isEmpty()) {
        return Optional.empty();
      }
      Member.Status parsedStatus = parseStatus(status.get());
      List<Token> tokens =
          state.value(ApplicationState.TOKENS).map(MemberValues::decodeTokens).orElse(List.of());
      return Optional.of(
          new Member(
              id,
              decodeAddress(address.get()),
              state.value(ApplicationState.DC).orElse(Member.DEFAULT_DATACENTER),
              state.value(ApplicationState.RACK).orElse(Member.DEFAULT_RACK),
              tokens,
              parsedStatus,
              state.value(ApplicationState.WEIGHT).map(Double::parseDouble).orElse(1.0)));
    } catch (IllegalArgumentException malformed) {
      return Optional.empty(); // NumberFormatException is one too
    }
  }

  /** {@code tokens} as one value. */
  public static String encodeTokens(List<Token> tokens) {
    if (tokens.size() > TOKENS_PER_VALUE_MAX) {
      throw new IllegalArgumentException(
          tokens.size() + " tokens do not fit one gossip value; at most " + TOKENS_PER_VALUE_MAX);
    }
    ByteBuffer bytes = ByteBuffer.allocate(tokens.size() * Long.BYTES);
    for (Token token : tokens) {
      bytes.putLong(token.value());
    }
    return ENCODER.encodeToString(bytes.array());
  }

  /**
   * The tokens of a value.
   *
   * @throws IllegalArgumentException if it is not base64url of a whole number of 8-byte tokens
   */
  public static List<Token> decodeTokens(String value) {
    byte[] raw = DECODER.decode(value);
    if (raw.length % Long.BYTES != 0) {
      throw new IllegalArgumentException(
          "tokens value of " + raw.length + " bytes is not a whole number of 8-byte tokens");
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw);
    List<Token> tokens = new ArrayList<>(raw.length / Long.BYTES);
    while (bytes.hasRemaining()) {
      tokens.add(Token.of(bytes.getLong()));
    }
    return tokens;
  }

  /** {@code address} as one value: {@code internode,resp,http,grpc,host}. */
  public static String encodeAddress(Address address) {
    return address.internodePort()
        + ","
        + address.respPort()
        + ","
        + address.httpPort()
        + ","
        + address.grpcPort()
        + ","
        + address.host();
  }

  /**
   * The address of a value.
   *
   * @throws IllegalArgumentException if it does not have the five fields or a port is invalid
   */
  public static Address decodeAddress(String value) {
    String[] fields = value.split(",", 5);
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "address value '" + value + "' must be internode,resp,http,grpc,host");
    }
    return new Address(
        fields[4],
        Integer.parseInt(fields[0]),
        Integer.parseInt(fields[1]),
        Integer.parseInt(fields[2]),
        Integer.parseInt(fields[3]));
  }

  private static Member.Status parseStatus(String value) {
    // Gossip lets a departed node's STATUS carry details after a comma ("LEFT,<when>").
    int comma = value.indexOf(',');
    return Member.Status.valueOf(comma < 0 ? value : value.substring(0, comma));
  }
}
