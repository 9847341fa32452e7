package dev.recsys.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The service's Prometheus metrics through Micrometer: {@code recsys_http_requests_seconds} (a
 * latency histogram per endpoint, method and status), the worker pool's queue and activity,
 * rejected requests, reloads, and {@code recsys_model_info{version=…}} (1 for the model served).
 */
final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter rejected;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
    private Meter modelInfo;

    ServerMetrics(ThreadPoolExecutor pool) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Gauge.builder("recsys.pool.queued", pool, p -> p.getQueue().size())
                .description("requests waiting for a worker")
                .register(registry);
        Gauge.builder("recsys.pool.active", pool, ThreadPoolExecutor::getActiveCount)
                .description("workers scoring a request")
                .register(registry);
        rejected = Counter.builder("recsys.requests.rejected")
                .description("requests answered 503 because the queue was full")
                .register(registry);
    }

    void request(String endpoint, String method, int status, float millis) {
        // the timer of a key is built and registered once: a builder per request showed in the serving profile
        timers.computeIfAbsent(
                        new Key(endpoint, method, status),
                        k -> Timer.builder("recsys.http.requests")
                                .description("HTTP requests by endpoint, method and status")
                                .tags(
                                        "endpoint",
                                        k.endpoint(),
                                        "method",
                                        k.method(),
                                        "status",
                                        Integer.toString(k.status()))
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofSeconds(30))
                                .register(registry))
                .record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
    }

    /** A timer's tags; endpoints are the routes (or "unmatched"), so the keys are few. */
    private record Key(String endpoint, String method, int status) {}

    void rejected() {
        rejected.increment();
    }

    void reload(boolean ok) {
        Counter.builder("recsys.model.reloads")
                .description("hot reloads by result")
                .tag("result", ok ? "ok" : "refused")
                .register(registry)
                .increment();
    }

    synchronized void model(String version, String backend) {
        if (modelInfo != null) {
            registry.remove(modelInfo);
        }
        modelInfo = Gauge.builder("recsys.model.info", () -> 1)
                .description("the model served (version = folder@sha256 prefix)")
                .tags("version", version, "backend", backend)
                .register(registry);
    }

    String scrape() {
        return registry.scrape();
    }
}
