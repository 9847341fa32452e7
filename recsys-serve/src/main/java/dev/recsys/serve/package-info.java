/**
 * {@code recsys serve}: an HTTP recommendation service over any backend (Javalin on Jetty 12,
 * Micrometer/Prometheus metrics). {@link dev.recsys.serve.RecsysServer} is the entry point; the
 * API is described by the OpenAPI file shipped as the resource {@code openapi.json} and served at
 * {@code /openapi.json}.
 */
package dev.recsys.serve;
