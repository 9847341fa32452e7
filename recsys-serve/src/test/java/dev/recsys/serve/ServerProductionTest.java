package dev.recsys.serve;

import static dev.recsys.serve.Fixtures.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Overload, time limits, hot reload under load and graceful shutdown, with a backend slowed down on purpose. */
@Timeout(120)
class ServerProductionTest {
    static final String REQ = "{\"history\": [\"101\", \"102\"], \"k\": 3}";

    @TempDir
    static Path dir;

    static Fixtures.SlowBackend backend;
    static Path modelA;
    static Path modelB;

    @BeforeAll
    static void setUp() throws IOException {
        modelA = Fixtures.checkpoint(dir.resolve("a"), 1);
        modelB = Fixtures.checkpoint(dir.resolve("b"), 2);
        backend = new Fixtures.SlowBackend(Backends.create("djl", BackendOptions.defaults()), 0);
    }

    @AfterAll
    static void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    static RecsysServer start(ServerConfig.Builder b) throws IOException {
        return RecsysServer.start(modelA, backend, null, b.port(0).build());
    }

    @Test
    void aFullPoolAnswers503WithRetryAfterAtOnce() throws Exception {
        backend.delayMillis = 400;
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try (RecsysServer s = start(ServerConfig.builder().workers(1).queue(1).timeout(Duration.ofSeconds(10)))) {
            URI base = s.uri();
            List<Future<Fixtures.Reply>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(clients.submit(() -> post(base, "/v1/recommend", REQ)));
            }
            int ok = 0;
            int busy = 0;
            for (Future<Fixtures.Reply> f : fs) {
                Fixtures.Reply r = f.get(30, TimeUnit.SECONDS);
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertThat(r.status()).as(r.text()).isEqualTo(503);
                    assertThat(r.header("retry-after")).isEqualTo("1");
                    assertThat(r.json().path("error").asText())
                            .contains("the server is busy: all 1 workers are scoring");
                    busy++;
                }
            }
            // one scoring, one queued: at least those two succeed, and some of the six were turned away
            assertThat(ok).isBetween(2, 5);
            assertThat(busy).isEqualTo(6 - ok);
            assertThat(Fixtures.get(base, "/metrics").text()).containsPattern("recsys_requests_rejected_total [1-9]");
        } finally {
            backend.delayMillis = 0;
            clients.shutdownNow();
        }
    }

    @Test
    void aRequestOverItsTimeLimitIsAnswered503() throws Exception {
        backend.delayMillis = 1500;
        try (RecsysServer s = start(ServerConfig.builder().timeout(Duration.ofMillis(300)))) {
            long t0 = System.nanoTime();
            Fixtures.Reply r = post(s.uri(), "/v1/recommend", REQ);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.json().path("error").asText()).contains("did not finish within the time limit of 300 ms");
            assertThat(ms).isLessThan(1400);
        } finally {
            backend.delayMillis = 0;
        }
    }

    @Test
    void gracefulShutdownFinishesRequestsInFlightThenClosesTheModel() throws Exception {
        backend.delayMillis = 700;
        ExecutorService clients = Executors.newFixedThreadPool(3);
        int closesBefore = backend.closes.get();
        RecsysServer s = start(ServerConfig.builder().workers(3).timeout(Duration.ofSeconds(10)));
        URI base = s.uri();
        try {
            List<Future<Fixtures.Reply>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(clients.submit(() -> post(base, "/v1/recommend", REQ)));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backend.scoring.get() < 3 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(backend.scoring.get()).as("requests in flight").isEqualTo(3);
            s.close();
            for (Future<Fixtures.Reply> f : fs) {
                Fixtures.Reply r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(r.json().path("items").size()).isEqualTo(3);
            }
            assertThat(backend.closes.get() - closesBefore).isEqualTo(1);
            assertThat(backend.closedWhileScoring.get()).isZero();
            try {
                Fixtures.Reply late = post(base, "/v1/recommend", REQ);
                throw new AssertionError("a request after the stop was answered: " + late.status());
            } catch (ConnectException | HttpTimeoutException expected) {
                // nothing listens any more
            } catch (IOException expected) {
                assertThat(expected).isNotNull();
            }
        } finally {
            backend.delayMillis = 0;
            s.close();
            clients.shutdownNow();
        }
    }

    @Test
    void hotReloadUnderConcurrentRequestsFailsNone() throws Exception {
        backend.delayMillis = 5;
        int closesBefore = backend.closes.get();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (RecsysServer s = start(ServerConfig.builder().workers(2).queue(64).timeout(Duration.ofSeconds(10)))) {
            URI base = s.uri();
            String a = s.modelVersion();
            for (int i = 0; i < 5; i++) {
                assertThat(post(base, "/v1/recommend", REQ).status()).isEqualTo(200); // warm the engine and the client
            }
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            Map<String, Integer> failures = new ConcurrentHashMap<>();
            Set<String> versions = ConcurrentHashMap.newKeySet();
            List<Future<?>> fs = new ArrayList<>();
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int c = 0; c < 4; c++) {
                fs.add(clients.submit(() -> {
                    while (run.get() && System.nanoTime() < stopAt) {
                        Fixtures.Reply r = post(base, "/v1/recommend", REQ);
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                            versions.add(r.json().path("model").asText());
                        } else {
                            failures.merge(r.status() + " " + r.text(), 1, Integer::sum);
                        }
                    }
                    return null;
                }));
            }
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int at = ok.get();
                while (ok.get() < at + 10 && System.nanoTime() < stopAt) {
                    Thread.sleep(20); // each model serves some requests before the next swap
                }
                Map<String, Object> r = s.reload(i % 2 == 0 ? modelB : modelA);
                seen.add((String) r.get("model"));
            }
            int at = ok.get();
            while (ok.get() < at + 10 && System.nanoTime() < stopAt) {
                Thread.sleep(20);
            }
            run.set(false);
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(failures).isEmpty();
            assertThat(ok.get()).isGreaterThanOrEqualTo(50);
            assertThat(seen.get(0)).isNotEqualTo(a).startsWith("b@");
            assertThat(seen.get(1)).isEqualTo(a);
            assertThat(versions).contains(a, seen.get(0));
            // the four replaced models were closed, none while it scored
            assertThat(backend.closes.get() - closesBefore).isEqualTo(4);
            assertThat(backend.closedWhileScoring.get()).isZero();
        } finally {
            backend.delayMillis = 0;
            clients.shutdownNow();
        }
    }
}
