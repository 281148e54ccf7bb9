/**
 * The HTTP/JSON front end: the seed's JSON routes ({@code GET /api/v1/get}, {@code POST
 * /api/v1/put}), the REST routes under {@code /v1/kv}, in any keyspace ({@link
 * io.ringkv.server.http.RequestKeyspace}) and with causal contexts as ETag and If-Match in causal
 * keyspaces ({@link io.ringkv.server.http.CausalRoutes}), the counter and set routes ({@link
 * io.ringkv.server.http.CrdtRoutes}), keyspace administration under {@code /v1/keyspaces} ({@link
 * io.ringkv.server.http.KeyspaceRoutes}), {@code /health}, {@code /metrics} and {@code
 * /openapi.json}, on Netty's HTTP codec with Jackson for JSON. Entry point: {@link
 * io.ringkv.server.http.HttpServer}. The contract clients see is docs/api/http.md and the OpenAPI
 * document served at {@code /openapi.json}.
 */
package io.ringkv.server.http;
