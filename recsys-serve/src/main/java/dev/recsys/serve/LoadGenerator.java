package dev.recsys.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop HTTP load test with the JDK's client: {@code connections} threads each send one
 * request at a time (cycling through the given bodies) until {@code duration} has passed or
 * {@code maxRequests} have been sent, whichever comes first. Meant for loopback addresses.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    /**
     * @param requests        requests answered (any status)
     * @param failed          answers other than 200 plus transport errors
     * @param byStatus        answers by HTTP status
     * @param transportErrors requests that got no answer (connection refused, reset, client timeout)
     * @param seconds         wall time of the run
     * @param latencyMillis   sorted latencies of the answered requests
     */
    public record Result(
            long requests,
            long failed,
            Map<Integer, Long> byStatus,
            long transportErrors,
            double seconds,
            double[] latencyMillis) {
        public double perSecond() {
            return requests / seconds;
        }

        /** The q-quantile of the latencies (nearest rank), 0 when none. */
        public double quantile(double q) {
            if (latencyMillis.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * latencyMillis.length) - 1;
            return latencyMillis[Math.max(0, Math.min(latencyMillis.length - 1, i))];
        }

        public double max() {
            return latencyMillis.length == 0 ? 0 : latencyMillis[latencyMillis.length - 1];
        }
    }

    /**
     * Runs the load.
     *
     * @param target      the URL each request is POSTed to
     * @param bodies      JSON bodies, used in turn
     * @param connections concurrent clients, &gt;= 1
     * @param duration    how long at most
     * @param maxRequests how many at most
     */
    public static Result run(URI target, List<String> bodies, int connections, Duration duration, long maxRequests)
            throws InterruptedException {
        if (connections < 1 || maxRequests < 1 || bodies.isEmpty()) {
            throw new IllegalArgumentException("connections and maxRequests must be >= 1 and bodies non-empty, found "
                    + connections + ", " + maxRequests + ", " + bodies.size());
        }
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        AtomicLong tickets = new AtomicLong();
        LongAdder transport = new LongAdder();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            parts.add(pool.submit(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    long t = tickets.getAndIncrement();
                    if (t >= maxRequests) {
                        break;
                    }
                    HttpRequest r = HttpRequest.newBuilder(target)
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) (t % bodies.size()))))
                            .build();
                    long s = System.nanoTime();
                    try {
                        HttpResponse<byte[]> res = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
                        long e = System.nanoTime() - s;
                        statuses.computeIfAbsent(res.statusCode(), k -> new LongAdder())
                                .increment();
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = e;
                    } catch (IOException e) {
                        transport.increment();
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        pool.shutdown();
        List<long[]> all = new ArrayList<>();
        try {
            for (Future<long[]> f : parts) {
                all.add(f.get());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int total = all.stream().mapToInt(a -> a.length).sum();
        double[] ms = new double[total];
        int i = 0;
        for (long[] a : all) {
            for (long v : a) {
                ms[i++] = v / 1e6;
            }
        }
        Arrays.sort(ms);
        Map<Integer, Long> by = new TreeMap<>();
        statuses.forEach((k, v) -> by.put(k, v.sum()));
        long ok = by.getOrDefault(200, 0L);
        return new Result(total, total - ok + transport.sum(), by, transport.sum(), seconds, ms);
    }
}
