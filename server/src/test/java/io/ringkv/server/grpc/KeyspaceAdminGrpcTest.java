package io.ringkv.server.grpc;

import static io.ringkv.server.grpc.CausalGrpcTest.errorInfo;
import static io.ringkv.server.grpc.CausalGrpcTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.ring.NetworkTopologyStrategy;
import io.ringkv.cluster.ring.SimpleStrategy;
import io.ringkv.common.ManualClock;
import io.ringkv.proto.v1.ConsistencyLevel;
import io.ringkv.proto.v1.DatacenterReplication;
import io.ringkv.proto.v1.DropKeyspaceRequest;
import io.ringkv.proto.v1.Keyspace;
import io.ringkv.proto.v1.KeyspaceAdminGrpc;
import io.ringkv.proto.v1.ListKeyspacesRequest;
import io.ringkv.proto.v1.ListKeyspacesResponse;
import io.ringkv.proto.v1.PutKeyspaceRequest;
import io.ringkv.proto.v1.PutKeyspaceResponse;
import io.ringkv.server.config.LimitsConfig;
import io.ringkv.server.kv.KvException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ringkv.v1.KeyspaceAdmin} service through generated stubs, over a scripted keyspace
 * admin ({@link RecordingCausalService}): definitions reach the admin as the metadata's keyspaces,
 * unset fields take the documented defaults, and bad ones are refused naming the field.
 */
class KeyspaceAdminGrpcTest {
  @TempDir Path directory;

  private RecordingCausalService service;
  private GrpcTestNode node;
  private ManagedChannel channel;

  @BeforeEach
  void startNode() throws Exception {
    node =
        GrpcTestNode.start(
            directory,
            new ManualClock(0, 1_700_000_000_000L),
            LimitsConfig.defaults(),
            local -> {
              service = new RecordingCausalService(local).withKeyspace("shop", ConflictMode.LWW);
              return service;
            });
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
  }

  @AfterEach
  void stopNode() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void list_answersEveryKeyspaceByNameWithEveryField() {
    ListKeyspacesResponse response =
        admin().listKeyspaces(ListKeyspacesRequest.getDefaultInstance());

    assertThat(response.getKeyspacesList())
        .extracting(Keyspace::getName)
        .containsExactly("default", "shop");
    Keyspace shop = response.getKeyspaces(1);
    assertThat(shop.getReplicationFactor()).isEqualTo(3);
    assertThat(shop.getReadLevel()).isEqualTo(ConsistencyLevel.CONSISTENCY_LEVEL_QUORUM);
    assertThat(shop.getWriteLevel()).isEqualTo(ConsistencyLevel.CONSISTENCY_LEVEL_QUORUM);
    assertThat(shop.getConflicts()).isEqualTo(io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_LWW);
  }

  @Test
  void put_newKeyspaceWithOnlyANameTakesTheDefaults() {
    PutKeyspaceResponse response = put(Keyspace.newBuilder().setName("carts").build());

    assertThat(response.getCreated()).isTrue();
    assertThat(response.getKeyspace().getReplicationFactor()).isEqualTo(3);
    assertThat(response.getKeyspace().getConflicts())
        .isEqualTo(io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_CAUSAL);
    io.ringkv.cluster.metadata.Keyspace applied =
        (io.ringkv.cluster.metadata.Keyspace) service.lastCall().write();
    assertThat(applied.replication()).isEqualTo(new SimpleStrategy(3));
    assertThat(applied.readLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.QUORUM);
    assertThat(applied.writeLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.QUORUM);
    assertThat(applied.causal()).isTrue();
  }

  @Test
  void put_everyFieldReachesTheAdmin() {
    PutKeyspaceResponse response =
        put(
            Keyspace.newBuilder()
                .setName("geo")
                .setDatacenters(
                    DatacenterReplication.newBuilder()
                        .putReplicationFactors("eu", 3)
                        .putReplicationFactors("us", 2))
                .setReadLevel(ConsistencyLevel.CONSISTENCY_LEVEL_LOCAL_QUORUM)
                .setWriteLevel(ConsistencyLevel.CONSISTENCY_LEVEL_EACH_QUORUM)
                .setSloppyQuorum(true)
                .setConflicts(io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_LWW)
                .build());

    io.ringkv.cluster.metadata.Keyspace applied =
        (io.ringkv.cluster.metadata.Keyspace) service.lastCall().write();
    assertThat(applied.replication())
        .isEqualTo(NetworkTopologyStrategy.of(Map.of("eu", 3, "us", 2)));
    assertThat(applied.readLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.LOCAL_QUORUM);
    assertThat(applied.writeLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.EACH_QUORUM);
    assertThat(applied.sloppyQuorum()).isTrue();
    assertThat(applied.causal()).isFalse();
    assertThat(response.getKeyspace().getDatacenters().getReplicationFactorsMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("eu", 3, "us", 2));
  }

  @Test
  void put_existingKeyspaceKeepsWhatTheRequestLeavesUnset() {
    PutKeyspaceResponse response =
        put(
            Keyspace.newBuilder()
                .setName("shop")
                .setWriteLevel(ConsistencyLevel.CONSISTENCY_LEVEL_ONE)
                .build());

    assertThat(response.getCreated()).isFalse();
    io.ringkv.cluster.metadata.Keyspace applied =
        (io.ringkv.cluster.metadata.Keyspace) service.lastCall().write();
    assertThat(applied.replication()).isEqualTo(new SimpleStrategy(3));
    assertThat(applied.readLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.QUORUM);
    assertThat(applied.writeLevel()).isEqualTo(io.ringkv.common.ConsistencyLevel.ONE);
    assertThat(applied.conflicts()).isEqualTo(ConflictMode.LWW);
  }

  @Test
  void put_badDefinitionsAreRefusedNamingTheField() {
    assertRefused(Keyspace.newBuilder().build(), "keyspace.name must be given");
    assertRefused(Keyspace.newBuilder().setName("Bad-Name").build(), "keyspace 'Bad-Name'");
    assertRefused(
        Keyspace.newBuilder().setName("k").setReplicationFactor(0).build(),
        "keyspace.replication_factor must be in [1, 32], was 0");
    assertRefused(
        Keyspace.newBuilder()
            .setName("k")
            .setDatacenters(DatacenterReplication.newBuilder().putReplicationFactors("eu", 99))
            .build(),
        "keyspace.datacenters.replication_factors[eu] must be in [1, 32], was 99");
    assertRefused(
        Keyspace.newBuilder()
            .setName("k")
            .setDatacenters(DatacenterReplication.getDefaultInstance())
            .build(),
        "keyspace.datacenters");
    assertRefused(
        Keyspace.newBuilder()
            .setName("k")
            .setReadLevel(ConsistencyLevel.CONSISTENCY_LEVEL_ANY)
            .build(),
        "keyspace.read_level ANY");
    assertRefused(
        Keyspace.newBuilder().setName("k").setWriteLevelValue(42).build(),
        "keyspace.write_level 42");
    assertRefused(
        Keyspace.newBuilder().setName("k").setConflictsValue(7).build(), "keyspace.conflicts 7");
    assertThat(service.calls()).isEmpty();
  }

  @Test
  void put_adminRefusalsKeepTheirKinds() {
    StatusRuntimeException modeChange =
        failure(
            () ->
                put(
                    Keyspace.newBuilder()
                        .setName("shop")
                        .setConflicts(io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_CAUSAL)
                        .build()));
    service.failAdmin(new KvException(KvException.Kind.UNAVAILABLE, "no metadata leader"));
    StatusRuntimeException noLeader =
        failure(() -> put(Keyspace.newBuilder().setName("later").build()));

    assertThat(modeChange.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(modeChange.getStatus().getDescription()).contains("conflict mode cannot change");
    assertThat(noLeader.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(errorInfo(noLeader).getReason()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void drop_removesTheKeyspace_andRefusesDefaultAndUnknownNames() {
    admin().dropKeyspace(DropKeyspaceRequest.newBuilder().setName("shop").build());
    StatusRuntimeException again =
        failure(
            () -> admin().dropKeyspace(DropKeyspaceRequest.newBuilder().setName("shop").build()));
    StatusRuntimeException builtIn =
        failure(
            () ->
                admin().dropKeyspace(DropKeyspaceRequest.newBuilder().setName("default").build()));
    StatusRuntimeException unnamed =
        failure(() -> admin().dropKeyspace(DropKeyspaceRequest.getDefaultInstance()));

    assertThat(admin().listKeyspaces(ListKeyspacesRequest.getDefaultInstance()).getKeyspacesList())
        .extracting(Keyspace::getName)
        .containsExactly("default");
    assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(again).getReason()).isEqualTo("NO_SUCH_KEYSPACE");
    assertThat(builtIn.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(unnamed.getStatus().getDescription()).contains("name must be given");
  }

  @Test
  void nodeWithoutTheCluster_listsOnlyDefaultAndRefusesChanges() throws Exception {
    try (GrpcTestNode lone =
            GrpcTestNode.start(directory.resolve("lone"), new ManualClock(0, 1_700_000_000_000L));
        CloseableChannel loneChannel = new CloseableChannel(lone.port())) {
      KeyspaceAdminGrpc.KeyspaceAdminBlockingStub loneAdmin =
          KeyspaceAdminGrpc.newBlockingStub(loneChannel.channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS);

      ListKeyspacesResponse listed =
          loneAdmin.listKeyspaces(ListKeyspacesRequest.getDefaultInstance());
      StatusRuntimeException refused =
          failure(
              () ->
                  loneAdmin.putKeyspace(
                      PutKeyspaceRequest.newBuilder()
                          .setKeyspace(Keyspace.newBuilder().setName("carts"))
                          .build()));

      assertThat(listed.getKeyspacesList())
          .extracting(Keyspace::getName)
          .containsExactly("default");
      assertThat(listed.getKeyspaces(0).getConflicts())
          .isEqualTo(io.ringkv.proto.v1.ConflictMode.CONFLICT_MODE_LWW);
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
  }

  /** A plaintext channel to a local port, shut down on close. */
  private static final class CloseableChannel implements AutoCloseable {
    final ManagedChannel channel;

    CloseableChannel(int port) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void assertRefused(Keyspace keyspace, String message) {
    StatusRuntimeException e = failure(() -> put(keyspace));
    assertThat(e.getStatus().getCode()).as(message).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains(message);
  }

  private PutKeyspaceResponse put(Keyspace keyspace) {
    return admin().putKeyspace(PutKeyspaceRequest.newBuilder().setKeyspace(keyspace).build());
  }

  private KeyspaceAdminGrpc.KeyspaceAdminBlockingStub admin() {
    return KeyspaceAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
