package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeAddressTest {

  @Test
  void parse_hostAndPort() {
    assertThat(NodeAddress.parse("10.0.0.1:9091")).isEqualTo(new NodeAddress("10.0.0.1", 9091));
    assertThat(NodeAddress.parse(" db.example:7 ")).isEqualTo(new NodeAddress("db.example", 7));
  }

  @Test
  void parse_bareHostTakesTheDefaultPort() {
    assertThat(NodeAddress.parse("localhost")).isEqualTo(new NodeAddress("localhost", 9090));
  }

  @Test
  void parse_ipv6InBrackets() {
    assertThat(NodeAddress.parse("[::1]:9095")).isEqualTo(new NodeAddress("::1", 9095));
    assertThat(NodeAddress.parse("[::1]")).isEqualTo(new NodeAddress("::1", 9090));
    assertThat(new NodeAddress("::1", 9095).toString()).isEqualTo("[::1]:9095");
  }

  @Test
  void parse_malformedNamesTheTextAndTheForm() {
    assertThatThrownBy(() -> NodeAddress.parse("host:port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'host:port'")
        .hasMessageContaining("127.0.0.1:9090");
    assertThatThrownBy(() -> NodeAddress.parse("::1:9090"))
        .hasMessageContaining("IPv6 address in brackets");
    assertThatThrownBy(() -> NodeAddress.parse(":9090"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeAddress.parse("[::1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_portOutOfRangeIsRefused() {
    assertThatThrownBy(() -> NodeAddress.parse("h:70000"))
        .hasMessageContaining("port 70000 of h is out of range");
    assertThatThrownBy(() -> new NodeAddress("h", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
