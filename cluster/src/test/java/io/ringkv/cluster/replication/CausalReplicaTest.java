package io.ringkv.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.version.Actor;
import io.ringkv.cluster.version.CausalCells;
import io.ringkv.cluster.version.CausalOperation;
import io.ringkv.cluster.version.DvvSet;
import io.ringkv.cluster.version.VersionVector;
import io.ringkv.storage.Cell;
import io.ringkv.storage.Durability;
import io.ringkv.storage.EngineOptions;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LocalReplica in causal mode: the dot replica's apply and every replica's join, on a real engine.
 */
class CausalReplicaTest {
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
  @TempDir Path directoryA;
  @TempDir Path directoryB;
  private StorageEngine engineA;
  private StorageEngine engineB;
  private LocalReplica a;
  private LocalReplica b;

  @BeforeEach
  void open() throws Exception {
    engineA = StorageEngines.open(EngineOptions.defaults(directoryA));
    engineB = StorageEngines.open(EngineOptions.defaults(directoryB));
    a = replica(engineA, Actor.of("node-a", 0));
    b = replica(engineB, Actor.of("node-b", 0));
  }

  @AfterEach
  void close() throws Exception {
    engineA.close();
    engineB.close();
  }

  private static LocalReplica replica(StorageEngine engine, Actor actor) {
    return new LocalReplica(
        engine,
        Durability.NONE,
        (target, key, cell, now) -> false,
        () -> 0L,
        LocalReplica.DEFAULT_SCAN_REPLY_BYTES_MAX,
        actor,
        4,
        CausalCells.OBJECT_BYTES_MAX_DEFAULT);
  }

  private static byte[] v(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Cell update(LocalReplica replica, CausalOperation operation, long timestamp)
      throws Exception {
    ReplicaReply reply = replica.handle(new ReplicaRequest.CausalUpdate(KEY, operation, timestamp));
    assertThat(reply).isInstanceOf(ReplicaReply.CausalApplied.class);
    return ((ReplicaReply.CausalApplied) reply).cell();
  }

  private int changed(LocalReplica replica, CausalOperation operation) throws Exception {
    ReplicaReply reply = replica.handle(new ReplicaRequest.CausalUpdate(KEY, operation, 1));
    assertThat(reply).isInstanceOf(ReplicaReply.CausalApplied.class);
    return ((ReplicaReply.CausalApplied) reply).changedMembers();
  }

  @Test
  void setWrites_answerHowManyDistinctMembersTheyChanged_asRedisSaddAndSremDo() throws Exception {
    assertThat(changed(a, new CausalOperation.SetAdd(List.of(v("x"), v("y"), v("x")))))
        .isEqualTo(2);
    assertThat(changed(a, new CausalOperation.SetAdd(List.of(v("y"), v("z"))))).isEqualTo(1);
    assertThat(changed(a, new CausalOperation.SetRemove(List.of(v("x"), v("w")), null)))
        .isEqualTo(1);
    assertThat(changed(a, new CausalOperation.SetRemove(List.of(v("x")), null))).isZero();
    assertThat(changed(b, new CausalOperation.Put(null, v("register")))).isZero();
  }

  @Test
  void concurrentWritesAtTwoDotReplicas_bothReplicasEndWithBothSiblings() throws Exception {
    Cell atA = update(a, new CausalOperation.Put(null, v("x")), 1);
    Cell atB = update(b, new CausalOperation.Put(null, v("y")), 2);
    assertThat(a.handle(new ReplicaRequest.Write(KEY, atB)))
        .isInstanceOf(ReplicaReply.Written.class);
    b.handle(new ReplicaRequest.Write(KEY, atA));
    b.handle(new ReplicaRequest.Write(KEY, atA)); // redelivered: a join, nothing changes
    assertThat(a.read(KEY)).isEqualTo(b.read(KEY));
    DvvSet clock = CausalCells.register(a.read(KEY));
    assertThat(clock.siblingCount()).isEqualTo(2);

    // a write with the read's context through either replica resolves them
    Cell resolved = update(b, new CausalOperation.Put(clock.context(), v("z")), 3);
    a.handle(new ReplicaRequest.Write(KEY, resolved));
    assertThat(CausalCells.register(a.read(KEY)).siblingCount()).isEqualTo(1);
    assertThat(a.apply(KEY, atA)).as("an old state joins to nothing new").isFalse();
  }

  @Test
  void wrongType_isRefusedWithRedisError() throws Exception {
    update(a, new CausalOperation.Increment(1, null), 1);
    ReplicaReply reply =
        a.handle(new ReplicaRequest.CausalUpdate(KEY, new CausalOperation.Put(null, v("x")), 2));
    assertThat(reply).isInstanceOf(ReplicaReply.CausalRefused.class);
    assertThat(((ReplicaReply.CausalRefused) reply).message()).startsWith("WRONGTYPE");
  }

  @Test
  void siblingCap_refusesAndLeavesTheStoredCell() throws Exception {
    for (int i = 0; i < 4; i++) {
      update(a, new CausalOperation.Put(VersionVector.empty(), v("v" + i)), i);
    }
    Cell before = a.read(KEY);
    ReplicaReply reply =
        a.handle(
            new ReplicaRequest.CausalUpdate(
                KEY, new CausalOperation.Put(VersionVector.empty(), v("more")), 9));
    assertThat(((ReplicaReply.CausalRefused) reply).reason())
        .isEqualTo(CausalCells.Refusal.TOO_MANY_SIBLINGS);
    assertThat(a.read(KEY)).isEqualTo(before);
  }

  @Test
  void counter_incrementsThroughBothReplicasAddUpAndARetryCountsOnce() throws Exception {
    Cell atA = update(a, new CausalOperation.Increment(5, v("req-1")), 1);
    Cell retried = update(a, new CausalOperation.Increment(5, v("req-1")), 2);
    assertThat(retried).isEqualTo(atA);
    Cell atB = update(b, new CausalOperation.Increment(-2, null), 3);
    a.apply(KEY, atB);
    b.apply(KEY, atA);
    assertThat(CausalCells.counter(a.read(KEY)).value()).isEqualTo(3);
    assertThat(a.read(KEY)).isEqualTo(b.read(KEY));
  }

  @Test
  void set_addWinsOverAConcurrentRemove() throws Exception {
    Cell added = update(a, new CausalOperation.SetAdd(List.of(v("e"))), 1);
    b.apply(KEY, added);
    Cell removed = update(b, new CausalOperation.SetRemove(List.of(v("e")), null), 2);
    Cell readded = update(a, new CausalOperation.SetAdd(List.of(v("e"))), 3);
    a.apply(KEY, removed);
    b.apply(KEY, readded);
    assertThat(CausalCells.set(a.read(KEY)).contains(v("e"))).isTrue();
    assertThat(a.read(KEY)).isEqualTo(b.read(KEY));
  }

  @Test
  void withoutAnActor_causalUpdatesAreRefused() throws Exception {
    LocalReplica plain =
        new LocalReplica(engineA, Durability.NONE, (target, key, cell, now) -> false, () -> 0L);
    ReplicaReply reply =
        plain.handle(
            new ReplicaRequest.CausalUpdate(KEY, new CausalOperation.Put(null, v("x")), 1));
    assertThat(((ReplicaReply.CausalRefused) reply).reason())
        .isEqualTo(CausalCells.Refusal.NOT_CAUSAL);
  }
}
