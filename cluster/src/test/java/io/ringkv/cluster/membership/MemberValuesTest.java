package io.ringkv.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.cluster.metadata.Address;
import io.ringkv.cluster.metadata.Member;
import io.ringkv.cluster.metadata.NodeId;
import io.ringkv.cluster.ring.Token;
import io.ringkv.common.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MemberValuesTest {
  private static EndpointState stateOf(String id, Map<ApplicationState, String> values) {
    TreeMap<ApplicationState, VersionedValue> versioned = new TreeMap<>();
    long version = 0;
    for (var entry : new TreeMap<>(values).entrySet()) {
      versioned.put(entry.getKey(), new VersionedValue(entry.getValue(), ++version));
    }
    return new EndpointState(id, 1, 0, versioned);
  }

  @Test
  void decode_roundTripsRandomMembers() {
    long seed = 20261121L;
    Rng rng = new Rng(seed);
    for (int i = 0; i < 200; i++) {
      TreeSet<Long> values = new TreeSet<>();
      int count = 1 + rng.nextInt(MemberValues.TOKENS_PER_VALUE_MAX);
      while (values.size() < count) {
        long token = rng.nextLong();
        if (token != Long.MIN_VALUE) {
          values.add(token);
        }
      }
      List<Token> tokens = new ArrayList<>();
      values.forEach(v -> tokens.add(Token.of(v)));
      Member member =
          new Member(
              NodeId.of("node-" + i),
              new Address(i % 2 == 0 ? "10.0.0." + i : "::1", 7000 + i, 0, 8080, 9090),
              "dc" + rng.nextInt(3),
              "rack" + rng.nextInt(3),
              tokens,
              Member.Status.values()[rng.nextInt(2) + 1],
              0.5 + rng.nextInt(8) / 2.0);
      EndpointState state = stateOf(member.id().value(), MemberValues.of(member));

      assertThat(MemberValues.decode(state)).as("seed %d member %d", seed, i).contains(member);
    }
  }

  @Test
  void encodeTokens_theMostTokensFitAGossipValue() {
    List<Token> tokens = new ArrayList<>();
    for (int i = 1; i <= MemberValues.TOKENS_PER_VALUE_MAX; i++) {
      tokens.add(Token.of(i * 1_000_003L));
    }
    assertThat(MemberValues.encodeTokens(tokens).length())
        .isLessThanOrEqualTo(GossipConfig.defaults().valueCharsMax());
    tokens.add(Token.of(-1));
    assertThatThrownBy(() -> MemberValues.encodeTokens(tokens))
        .hasMessageContaining("at most " + MemberValues.TOKENS_PER_VALUE_MAX);
  }

  @Test
  void decode_withoutStatusOrAddressIsNotAMemberYet() {
    assertThat(MemberValues.decode(stateOf("n1", Map.of(ApplicationState.STATUS, "NORMAL"))))
        .isEmpty();
    assertThat(
            MemberValues.decode(
                stateOf("n1", Map.of(ApplicationState.ADDRESSES, "7000,6379,8080,9090,h"))))
        .isEmpty();
  }

  @Test
  void decode_malformedValuesAreNotAMember() {
    Map<ApplicationState, String> good =
        Map.of(
            ApplicationState.STATUS, "JOINING",
            ApplicationState.ADDRESSES, "7000,6379,8080,9090,host");
    assertThat(MemberValues.decode(stateOf("n1", good))).isPresent();
    for (var bad :
        List.of(
            Map.entry(ApplicationState.STATUS, "DANCING"),
            Map.entry(ApplicationState.ADDRESSES, "7000,host"),
            Map.entry(ApplicationState.ADDRESSES, "x,6379,8080,9090,host"),
            Map.entry(ApplicationState.TOKENS, "abc"),
            Map.entry(ApplicationState.TOKENS, "!!!!"),
            Map.entry(ApplicationState.WEIGHT, "heavy"),
            Map.entry(ApplicationState.DC, "has space"))) {
      TreeMap<ApplicationState, String> values = new TreeMap<>(good);
      values.put(bad.getKey(), bad.getValue());
      assertThat(MemberValues.decode(stateOf("n1", values))).as(bad.toString()).isEmpty();
    }
  }

  @Test
  void decode_leftWithDetailsIsLeft() {
    Map<ApplicationState, String> values =
        Map.of(
            ApplicationState.STATUS, "LEFT,1234",
            ApplicationState.ADDRESSES, "7000,6379,8080,9090,host");
    assertThat(MemberValues.decode(stateOf("n1", values)).orElseThrow().status())
        .isEqualTo(Member.Status.LEFT);
  }
}
