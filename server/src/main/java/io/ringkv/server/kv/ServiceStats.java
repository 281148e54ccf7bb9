package io.ringkv.server.kv;

import io.ringkv.storage.EngineStats;

/**
 * Figures of the service for INFO, metrics and status.
 *
 * @param estimatedKeys estimated number of live keys (exact on an idle single node after
 *     compaction)
 * @param engine the storage engine's statistics
 */
public record ServiceStats(long estimatedKeys, EngineStats engine) {}
