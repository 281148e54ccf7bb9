package io.ringkv.client;

/** When a put applies. */
public enum WriteCondition {
  /** Always. */
  ALWAYS,
  /** Only if the key has no live value (Redis NX). */
  IF_ABSENT,
  /** Only if the key has a live value (Redis XX). */
  IF_PRESENT
}
