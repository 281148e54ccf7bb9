package io.ringkv.sim.metadata;

import io.ringkv.sim.SeedRunner;
import io.ringkv.sim.SimResult;
import io.ringkv.sim.SimTime;
import io.ringkv.sim.Violation;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The metadata-on-Raft simulation over many seeds (docs/design/metadata-on-raft.md, "Simulation"):
 * the seeds that ever failed first, then {@value #SEEDS_DEFAULT} fresh ones ({@code
 * -Dsim.metadata.seeds=} for more, {@code -Dsim.metadata.seedBase=} to start elsewhere than 1;
 * {@code -Dringkv.long=true} runs {@value SeedRunner#SEEDS_LONG}). Every {@value
 * SeedRunner#TWICE_EVERY}th seed runs twice and must give the same trace hash. {@code
 * -Dsim.metadata.seed=} replays one seed, printing its whole trace.
 */
class MetadataSimulationSeedsTest {
  static final int SEEDS_DEFAULT = 200;

  /** Seeds that once failed, run first whatever the settings; each names what it caught. */
  static final long[] REGRESSION_SEEDS = {};

  static final SeedRunner<SimResult<MetadataRunFigures>> RUNNER =
      new SeedRunner<>(
              "sim.metadata",
              "metadata sim",
              "MetadataSimulationSeedsTest",
              REGRESSION_SEEDS,
              MetadataRun::run,
              MetadataRun::run)
          .seedsDefault(SEEDS_DEFAULT)
          .onThreads(2)
          .failureText(Violation::toString);

  @Test
  void seeds_joinsLeavesAndKeyspacesUnderFaults_metadataAgreesAndAcknowledgedChangesHold() {
    RUNNER.run(new Summary());
  }

  /** Figures over all seeds. */
  private static final class Summary implements SeedRunner.Summary<SimResult<MetadataRunFigures>> {
    long joins;
    long overlappingJoins;
    long keyspaceChanges;
    long leaves;
    long unanswered;
    long epochsChecked;
    long resultsChecked;
    long crashes;
    long powerLosses;
    long partitions;
    long messages;
    long leaders;
    long snapshotsInstalled;
    long settleMax;

    @Override
    public void add(SimResult<MetadataRunFigures> result) {
      MetadataRunFigures f = result.figures();
      joins += f.joinsAcknowledged();
      overlappingJoins += f.overlappingJoinPairs();
      keyspaceChanges += f.keyspaceChangesAcknowledged();
      leaves += f.leavesCompleted();
      unanswered += f.operationsUnanswered();
      epochsChecked += f.epochsChecked();
      resultsChecked += f.resultsChecked();
      crashes += f.crashes();
      powerLosses += f.powerLosses();
      partitions += f.partitions();
      messages += f.messagesSent();
      leaders += f.leadersElected();
      snapshotsInstalled += f.snapshotsInstalled();
      settleMax = Math.max(settleMax, f.settleNanos());
    }

    @Override
    public String describe() {
      return String.format(
          Locale.ROOT,
          "%d joins acknowledged (%d overlapping pairs), %d keyspace changes acknowledged,"
              + " %d nodes left, %d operations unanswered; %d epochs and %d entry results"
              + " checked across nodes; %d crashes (%d power losses), %d partitions, %d messages,"
              + " %d leaders, %d snapshots installed; slowest settling %s",
          joins,
          overlappingJoins,
          keyspaceChanges,
          leaves,
          unanswered,
          epochsChecked,
          resultsChecked,
          crashes,
          powerLosses,
          partitions,
          messages,
          leaders,
          snapshotsInstalled,
          SimTime.formatShort(settleMax));
    }
  }
}
