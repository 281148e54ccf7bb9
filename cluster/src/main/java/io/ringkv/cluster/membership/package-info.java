/**
 * Membership: gossip among nodes ({@link io.ringkv.cluster.membership.Gossip}) and phi-accrual
 * failure detection ({@link io.ringkv.cluster.membership.PhiAccrualFailureDetector}), both pure
 * state machines that take time as an argument and return their I/O. The protocol is described in
 * docs/design/gossip.md.
 *
 * <p>Gossip carries each node's application state as versioned strings keyed by {@link
 * io.ringkv.cluster.membership.ApplicationState}; cluster metadata (ring, tokens, datacenters) is
 * derived from those values elsewhere, so this package depends on nothing but {@code common}.
 */
package io.ringkv.cluster.membership;
