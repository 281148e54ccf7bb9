/**
 * Hinted handoff: {@link io.ringkv.cluster.hints.HintStore} keeps the writes a replica missed in a
 * durable log per target node, and {@link io.ringkv.cluster.hints.HintDelivery} decides when each
 * target is sent its next batch (throttle, one batch in flight, back-off). The store does file I/O
 * through {@link io.ringkv.storage.fs.FileSystem} and reads no clock; the scheduler is pure.
 * Format: docs/format/hints.md.
 */
package io.ringkv.cluster.hints;
