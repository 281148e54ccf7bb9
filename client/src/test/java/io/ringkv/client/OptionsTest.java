package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.common.ConsistencyLevel;
import java.time.Duration;
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
}
