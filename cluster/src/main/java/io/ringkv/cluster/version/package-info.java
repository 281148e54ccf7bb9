/**
 * Versions of values: hybrid logical clock timestamps ({@link io.ringkv.cluster.version.Hlc}),
 * last-write-wins reconciliation ({@link io.ringkv.cluster.version.Lww}), clock skew between peers
 * ({@link io.ringkv.cluster.version.PeerClocks}), and causal mode (docs/design/causal.md): dotted
 * version vector sets ({@link io.ringkv.cluster.version.DvvSet}), CRDT counters and sets ({@link
 * io.ringkv.cluster.version.PnCounter}, {@link io.ringkv.cluster.version.OrSet}), their codec
 * ({@link io.ringkv.cluster.version.CausalCodec}) and their cells ({@link
 * io.ringkv.cluster.version.CausalCells}). Pure.
 */
package io.ringkv.cluster.version;
