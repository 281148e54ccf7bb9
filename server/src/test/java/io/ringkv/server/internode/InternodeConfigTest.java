package io.ringkv.server.internode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings are validated at the edge, with messages naming the field, the value and the limit. */
class InternodeConfigTest {
  private static final InternodeConfig DEFAULTS = InternodeConfig.defaults("127.0.0.1", 7000);

  @Test
  void defaults_areTheDocumentedValues() {
    assertThat(DEFAULTS.inboundConnectionsMax()).isEqualTo(1_024);
    assertThat(DEFAULTS.frameBytesMax()).isEqualTo(16 << 20);
    assertThat(DEFAULTS.outboundQueueMessagesMax()).isEqualTo(8_192);
    assertThat(DEFAULTS.connectionsPerPeer()).isEqualTo(1);
    assertThat(DEFAULTS.connectTimeoutMillis()).isEqualTo(2_000);
    assertThat(DEFAULTS.handshakeTimeoutMillis()).isEqualTo(5_000);
    assertThat(DEFAULTS.requestTimeoutMillis()).isEqualTo(2_000);
    assertThat(DEFAULTS.pendingRequestsMax()).isEqualTo(65_536);
    assertThat(DEFAULTS.peerAddresses()).isEmpty();
  }

  @Test
  void outOfRangeValues_nameTheFieldValueAndLimit() {
    assertThatThrownBy(() -> InternodeConfig.defaults("127.0.0.1", 70_000))
        .hasMessage("port must be in [0, 65535], was 70000");
    assertThatThrownBy(() -> DEFAULTS.withBounds(0, 1 << 20, 10, 10))
        .hasMessage("inboundConnectionsMax must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> DEFAULTS.withBounds(10, 100, 10, 10))
        .hasMessage("frameBytesMax must be in [1024, 268435456], was 100");
    assertThatThrownBy(() -> DEFAULTS.withBounds(10, 1 << 20, -1, 10))
        .hasMessage("outboundQueueMessagesMax must be in [1, 1000000], was -1");
    assertThatThrownBy(() -> DEFAULTS.withBounds(10, 1 << 20, 10, 2_000_000))
        .hasMessage("pendingRequestsMax must be in [1, 1000000], was 2000000");
    assertThatThrownBy(() -> DEFAULTS.withConnectionsPerPeer(9))
        .hasMessage("connectionsPerPeer must be in [1, 8], was 9");
    assertThatThrownBy(() -> DEFAULTS.withTimeouts(0, 1, 1))
        .hasMessage("connectTimeoutMillis must be in [1, 3600000], was 0");
    assertThatThrownBy(() -> DEFAULTS.withTimeouts(1, 3_600_001, 1))
        .hasMessage("handshakeTimeoutMillis must be in [1, 3600000], was 3600001");
    assertThatThrownBy(() -> DEFAULTS.withTimeouts(1, 1, -5))
        .hasMessage("requestTimeoutMillis must be in [1, 3600000], was -5");
    assertThatThrownBy(() -> InternodeConfig.defaults(" ", 0))
        .hasMessage("host must not be blank, was ' '");
  }

  @Test
  void peerAddresses_areCheckedAndCopied() {
    Map<String, InetSocketAddress> addresses = new HashMap<>();
    addresses.put("node-2", new InetSocketAddress("127.0.0.1", 7001));
    InternodeConfig config = DEFAULTS.withPeerAddresses(addresses);
    addresses.put("node-3", new InetSocketAddress("127.0.0.1", 7002));

    assertThat(config.peerAddresses()).containsOnlyKeys("node-2");
    assertThatThrownBy(() -> config.peerAddresses().put("node-4", null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () ->
                DEFAULTS.withPeerAddresses(
                    Map.of("node 2", new InetSocketAddress("127.0.0.1", 7001))))
        .hasMessage("peerAddresses key must not contain whitespace, was 'node 2'");
    assertThatThrownBy(
            () ->
                DEFAULTS.withPeerAddresses(Map.of("node-2", new InetSocketAddress("127.0.0.1", 0))))
        .hasMessage("peerAddresses[node-2] must have a port in [1, 65535], was 0");
  }

  @Test
  void wireLimits_areCheckedAndFollowGossip() {
    assertThat(WireLimits.defaults()).isEqualTo(new WireLimits(512, 64, 16_384));
    assertThatThrownBy(() -> new WireLimits(0, 1, 1))
        .hasMessage("digestsMax must be in [1, 1000000], was 0");
  }

  @Test
  void backoff_doublesFromAHundredMillisToFiveSeconds() {
    assertThat(PeerConnections.backoffMillis(1)).isEqualTo(100);
    assertThat(PeerConnections.backoffMillis(2)).isEqualTo(200);
    assertThat(PeerConnections.backoffMillis(6)).isEqualTo(3_200);
    assertThat(PeerConnections.backoffMillis(7)).isEqualTo(5_000);
    assertThat(PeerConnections.backoffMillis(1_000)).isEqualTo(5_000);
  }

  @Test
  void refusalDetection_tellsARefusalFromATimeout() {
    assertThat(InternodeTransport.isRefused(new java.net.ConnectException("Connection refused")))
        .isTrue();
    assertThat(
            InternodeTransport.isRefused(
                new io.netty.channel.ConnectTimeoutException("connection timed out")))
        .isFalse();
    assertThat(InternodeTransport.isRefused(new java.net.NoRouteToHostException("No route")))
        .isFalse();
  }
}
