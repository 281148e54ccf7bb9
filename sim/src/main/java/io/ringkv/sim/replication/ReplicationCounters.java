package io.ringkv.sim.replication;

/**
 * What the protocol did in one simulated run, summed over every node and process: the figures a run
 * prints beside the checkers' verdicts. Mutable; owned by the simulation's one thread.
 */
public final class ReplicationCounters {
  long writesCoordinated;
  long readsCoordinated;
  long unavailable;
  long timedOut;
  long refusedSkew;
  long refusedOverload;
  long digestMismatches;
  long repairWrites;
  long speculativeReads;
  long standInWrites;
  long hintsStored;
  long hintsNotKept;
  long hintsDelivered;
  long hintBatchesFailed;
  long hintsExpired;
  long replicaErrors;
  long detectorDowns;
  long detectorUps;
  long refusedConnections;
  long staleRefusals;
  long recordsLost;

  public long writesCoordinated() {
    return writesCoordinated;
  }

  public long readsCoordinated() {
    return readsCoordinated;
  }

  /** Requests answered Unavailable by a coordinator. */
  public long unavailable() {
    return unavailable;
  }

  /** Requests answered with a timeout (indeterminate for writes) by a coordinator. */
  public long timedOut() {
    return timedOut;
  }

  /** Writes a coordinator refused because its clock was too far from its peers'. */
  public long refusedSkew() {
    return refusedSkew;
  }

  public long refusedOverload() {
    return refusedOverload;
  }

  /** Reads whose digests disagreed: each one a blocking read repair. */
  public long digestMismatches() {
    return digestMismatches;
  }

  /** Repair writes sent, blocking and background. */
  public long repairWrites() {
    return repairWrites;
  }

  public long speculativeReads() {
    return speculativeReads;
  }

  public long standInWrites() {
    return standInWrites;
  }

  /** Hints kept by coordinators and stand-ins. */
  public long hintsStored() {
    return hintsStored;
  }

  /** Hints a store refused (bound full, hints off, I/O error): repair debt. */
  public long hintsNotKept() {
    return hintsNotKept;
  }

  /** Hints their targets took. */
  public long hintsDelivered() {
    return hintsDelivered;
  }

  /** Hints dropped unsent because they outlived the hint window (repair debt). */
  public long hintsExpired() {
    return hintsExpired;
  }

  public long hintBatchesFailed() {
    return hintBatchesFailed;
  }

  /** Error replies from replicas (engine or hint store failures). */
  public long replicaErrors() {
    return replicaErrors;
  }

  public long detectorDowns() {
    return detectorDowns;
  }

  public long detectorUps() {
    return detectorUps;
  }

  public long refusedConnections() {
    return refusedConnections;
  }

  /**
   * Refusals of attempts older than the peer's last pong: they fail requests but convict no one.
   */
  public long staleRefusals() {
    return staleRefusals;
  }

  /** Unsynced records lost by storage engines to power losses and failed fsyncs. */
  public long recordsLost() {
    return recordsLost;
  }
}
