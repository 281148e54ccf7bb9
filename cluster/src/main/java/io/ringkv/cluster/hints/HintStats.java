package io.ringkv.cluster.hints;

/**
 * Counters of a {@link HintStore}, for metrics and the simulator's figures. The counters count
 * since the store was opened (they are not persisted); the pending figures are what the files hold
 * now. An immutable snapshot.
 *
 * @param stored hints kept ({@link HintStore#store} returned true)
 * @param delivered hints in batches their target took ({@link HintStore#delivered})
 * @param droppedFull hints refused because hints were off or the target's bound was full (repair
 *     debt)
 * @param droppedExpired hints dropped unsent because they were older than the window (repair debt)
 * @param corrupt damaged places found in segments (each loses the rest of its segment), and
 *     segments set aside for an unreadable header
 * @param pendingBytes bytes of hints not yet delivered, over all targets
 * @param pendingTargets targets with hints not yet delivered
 */
public record HintStats(
    long stored,
    long delivered,
    long droppedFull,
    long droppedExpired,
    long corrupt,
    long pendingBytes,
    int pendingTargets) {}
