package io.ringkv.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.proto.v1.DropKeyspaceRequest;
import io.ringkv.proto.v1.DropKeyspaceResponse;
import io.ringkv.proto.v1.KeyspaceAdminGrpc;
import io.ringkv.proto.v1.ListKeyspacesRequest;
import io.ringkv.proto.v1.ListKeyspacesResponse;
import io.ringkv.proto.v1.PutKeyspaceRequest;
import io.ringkv.proto.v1.PutKeyspaceResponse;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.KeyspaceAdmin;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The {@code ringkv.v1.KeyspaceAdmin} service: lists, creates or changes, and drops keyspaces
 * through the service's {@link KeyspaceAdmin}, answering from its future's callback. Definitions
 * are checked at the edge ({@link KeyspaceMessages}); the admin decides the rest (a conflict-mode
 * change, dropping {@code default}, no leader). Changes count as writes: a timeout or failure is
 * indeterminate. Timed into {@link NodeMetrics} as front end {@code grpc}, operations {@code
 * list_keyspaces}, {@code put_keyspace} and {@code drop_keyspace}.
 *
 * <p>Thread-safe: holds no per-call state.
 */
final class KeyspaceAdminGrpcService extends KeyspaceAdminGrpc.KeyspaceAdminImplBase {
  private static final Runnable IGNORE_CANCEL = () -> {};

  private final KeyValueService service;
  private final GrpcReplies replies;

  KeyspaceAdminGrpcService(KeyValueService service, NodeMetrics metrics) {
    this.service = service;
    this.replies = new GrpcReplies(metrics);
  }

  @Override
  public void listKeyspaces(
      ListKeyspacesRequest request, StreamObserver<ListKeyspacesResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      List<Keyspace> keyspaces =
          service.keyspaces().keyspaces().stream()
              .sorted(Comparator.comparing(Keyspace::name))
              .toList();
      ListKeyspacesResponse.Builder response = ListKeyspacesResponse.newBuilder();
      for (Keyspace keyspace : keyspaces) {
        response.addKeyspaces(KeyspaceMessages.toWire(keyspace));
      }
      reply(
          "list_keyspaces",
          false,
          startNanos,
          observer,
          CompletableFuture.completedFuture(response.build()),
          Function.identity());
    } catch (RuntimeException e) {
      fail("list_keyspaces", false, startNanos, observer, e);
    }
  }

  @Override
  public void putKeyspace(
      PutKeyspaceRequest request, StreamObserver<PutKeyspaceResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      if (!request.hasKeyspace()) {
        throw GrpcErrors.invalid("keyspace must be given");
      }
      KeyspaceAdmin admin = service.keyspaces();
      Keyspace existing = find(admin, request.getKeyspace().getName());
      Keyspace wanted = KeyspaceMessages.fromWire(request.getKeyspace(), existing);
      boolean created = existing == null;
      reply(
          "put_keyspace",
          true,
          startNanos,
          observer,
          admin.put(wanted),
          applied ->
              PutKeyspaceResponse.newBuilder()
                  .setKeyspace(KeyspaceMessages.toWire(applied == null ? wanted : applied))
                  .setCreated(created)
                  .build());
    } catch (RuntimeException e) {
      fail("put_keyspace", true, startNanos, observer, e);
    }
  }

  @Override
  public void dropKeyspace(
      DropKeyspaceRequest request, StreamObserver<DropKeyspaceResponse> observer) {
    long startNanos = System.nanoTime();
    ignoreCancellation(observer);
    try {
      if (request.getName().isEmpty()) {
        throw GrpcErrors.invalid("name must be given: the keyspace to drop");
      }
      String name = RequestChecks.keyspace(request.getName());
      reply(
          "drop_keyspace",
          true,
          startNanos,
          observer,
          service.keyspaces().drop(name),
          dropped -> DropKeyspaceResponse.getDefaultInstance());
    } catch (RuntimeException e) {
      fail("drop_keyspace", true, startNanos, observer, e);
    }
  }

  private static Keyspace find(KeyspaceAdmin admin, String name) {
    for (Keyspace keyspace : admin.keyspaces()) {
      if (keyspace.name().equals(name)) {
        return keyspace;
      }
    }
    return null;
  }

  private <T, R> void reply(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<R> observer,
      CompletableFuture<T> result,
      Function<T, R> toResponse) {
    replies.reply(operation, write, startNanos, observer, result, toResponse);
  }

  private void fail(
      String operation,
      boolean write,
      long startNanos,
      StreamObserver<?> observer,
      Throwable failure) {
    replies.fail(operation, write, startNanos, observer, failure);
  }

  private static void ignoreCancellation(StreamObserver<?> observer) {
    ((ServerCallStreamObserver<?>) observer).setOnCancelHandler(IGNORE_CANCEL);
  }
}
