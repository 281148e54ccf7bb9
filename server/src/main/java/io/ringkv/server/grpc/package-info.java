/**
 * The gRPC front end: {@link io.ringkv.server.grpc.GrpcServer} serves the {@code ringkv.v1.KV}
 * service of proto/ringkv/v1/kv.proto over the node's {@code KeyValueService}. See docs/api/grpc.md
 * for the API, its errors and its limits.
 */
package io.ringkv.server.grpc;
