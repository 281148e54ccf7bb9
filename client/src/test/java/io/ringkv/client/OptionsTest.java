package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void putOptions_oneExpiryReplacesAnother() {
    PutOptions options =
        PutOptions.defaults().withTtl(Duration.ofSeconds(5)).withExpiresAtMillis(1_000);
    assertThat(options.ttl()).isNull();
    assertThat(options.expiresAtMillis()).isEqualTo(1_000);
    assertThat(options.keepingTtl().expiresAtMillis()).isZero();
    assertThat(options.keepingTtl().keepTtl()).isTrue();
  }

  @Test
  void putOptions_twoExpiriesAtOnceAreRefused() {
    assertThatThrownBy(
            () ->
                new PutOptions(
                    null, null, Duration.ofSeconds(1), 5, false, null, false, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most one of ttl, expiresAtMillis and keepTtl");
  }

  @Test
  void putOptions_ttlUnderAMillisecondIsRefused() {
    assertThatThrownBy(() -> PutOptions.defaults().withTtl(Duration.ofNanos(10)))
        .hasMessageContaining("ttl must be at least 1 ms");
    assertThatThrownBy(() -> PutOptions.defaults().withTtl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void putOptions_conditionsAndDefaults() {
    assertThat(PutOptions.defaults().condition()).isEqualTo(WriteCondition.ALWAYS);
    assertThat(PutOptions.defaults().ifAbsent().condition()).isEqualTo(WriteCondition.IF_ABSENT);
    assertThat(PutOptions.defaults().ifPresent().returningPrevious().returnPrevious()).isTrue();
  }

  @Test
  void readOptions_anyIsForWritesOnly() {
    assertThatThrownBy(() -> ReadOptions.defaults().withConsistency(ConsistencyLevel.ANY))
        .hasMessageContaining("ANY is for writes only");
    assertThatThrownBy(() -> ScanOptions.defaults().withConsistency(ConsistencyLevel.ANY))
        .hasMessageContaining("ANY is for writes only");
  }

  @Test
  void options_timeoutMustBePositive() {
    assertThatThrownBy(() -> ReadOptions.defaults().withTimeout(Duration.ZERO))
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> DeleteOptions.defaults().withTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scanOptions_pageSizeIsBoundedAndCursorDefaultsToStart() {
    assertThat(ScanOptions.defaults().cursor()).isEqualTo("0");
    assertThat(ScanOptions.defaults().withCursor("").cursor()).isEqualTo("0");
    assertThatThrownBy(() -> ScanOptions.defaults().withPageSize(1001))
        .hasMessageContaining("pageSize must be 1 to 1000");
    assertThatThrownBy(() -> ScanOptions.defaults().withLimit(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_refusesNoNodesAndAnyAsTheReadDefault() {
    assertThatThrownBy(() -> RingkvClient.builder().build())
        .hasMessageContaining("add at least one node");
    assertThatThrownBy(() -> RingkvClient.builder().defaultConsistency(ConsistencyLevel.ANY))
        .hasMessageContaining("defaultWriteConsistency");
  }

  @Test
  void idempotencyKey_isOneTo64BytesOfUtf8_andEmptyMeansNone() {
    assertThat(PutOptions.defaults().withIdempotencyKey("").idempotencyKey()).isNull();
    assertThat(DeleteOptions.defaults().withIdempotencyKey("k".repeat(64)).idempotencyKey())
        .hasSize(64);
    assertThatThrownBy(() -> IncrementOptions.defaults().withIdempotencyKey("\u00e9".repeat(33)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idempotencyKey of 66 bytes exceeds its maximum (64)");
  }

  @Test
  void keyspace_emptyMeansTheClientsDefault() {
    assertThat(ReadOptions.defaults().withKeyspace("").keyspace()).isNull();
    assertThat(PutOptions.defaults().withKeyspace("shop").withTtl(Duration.ofSeconds(1)).keyspace())
        .isEqualTo("shop");
    assertThat(ScanOptions.defaults().withKeyspace("shop").withLimit(5).keyspace())
        .isEqualTo("shop");
  }

  @Test
  void keyspaceDefinition_replicationFactorAndDatacentersExcludeEachOther() {
    Keyspace keyspace =
        Keyspace.named("geo").withDatacenters(Map.of("eu", 3)).withReplicationFactor(2);
    assertThat(keyspace.datacenters()).isEmpty();
    assertThatThrownBy(() -> new Keyspace("geo", 2, Map.of("eu", 3), null, null, false, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not both");
  }
}
