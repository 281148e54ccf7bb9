/**
 * The HTTP/JSON front end: the seed's JSON routes ({@code GET /api/v1/get}, {@code POST
 * /api/v1/put}), the REST routes under {@code /v1/kv}, {@code /health}, {@code /metrics} and {@code
 * /openapi.json}, on Netty's HTTP codec with Jackson for JSON. Entry point: {@link
 * io.ringkv.server.http.HttpServer}. The contract clients see is docs/api/http.md and the OpenAPI
 * document served at {@code /openapi.json}.
 */
package io.ringkv.server.http;
