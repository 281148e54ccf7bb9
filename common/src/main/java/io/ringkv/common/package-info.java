/**
 * Small types every ringkv module may share: the seeded {@link io.ringkv.common.Rng} and the {@link
 * io.ringkv.common.Clock} that drivers pass down as {@code long nowNanos}.
 */
package io.ringkv.common;
