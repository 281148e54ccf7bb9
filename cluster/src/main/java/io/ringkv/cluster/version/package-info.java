/**
 * Versions of values: hybrid logical clock timestamps ({@link io.ringkv.cluster.version.Hlc}),
 * last-write-wins reconciliation ({@link io.ringkv.cluster.version.Lww}), clock skew between peers
 * ({@link io.ringkv.cluster.version.PeerClocks}); dotted version vectors come with causal mode.
 * Pure.
 */
package io.ringkv.cluster.version;
