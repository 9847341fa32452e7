package dev.recsys.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.data.Dataset;
import dev.recsys.serve.LoadGenerator;
import dev.recsys.serve.RecsysServer;
import dev.recsys.serve.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code recsys bench serve}: starts the service on a loopback port, measures the model's own
 * {@code recommend} in-process, then loads the service over HTTP with N concurrent connections
 * (bounded in time and count) and prints both, with the resident memory of the process.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Load test of recsys serve on loopback: in-process recommend latency (1 thread) and throughput (--callers",
            "threads), then HTTP requests/s, p50/p90/p99/max latency and errors with --connections clients in --rounds,",
            "each compared with in-process runs around it (the client runs in the same process, on the same cores)."
        })
final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder.")
    Path model;

    @Mixin
    OptionalDataOptions data;

    @Option(
            names = "--connections",
            defaultValue = "8",
            description = "Concurrent HTTP clients (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = "--seconds",
            defaultValue = "30",
            description = "Length of the HTTP run, at most (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "60",
            description = "HTTP requests right before the measured HTTP run, for this long: the JIT compiles the"
                    + " server's whole path (Jetty, JSON, metrics), not only the model's; on 2 busy cores its threads"
                    + " took 6-8 % of the CPU 20 s into the load and 0.2 % after a minute (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(
            names = "--reconnect-every",
            defaultValue = "500",
            paramLabel = "N",
            description = "Each client closes its connection and opens a new one after N answers, in the warm-up and"
                    + " the measured rounds (0 = never): after a warm-up on connections kept open, the first round's"
                    + " new connections took paths through Jetty the JIT had left out, and it spent 3 s of that"
                    + " round recompiling them (default: ${DEFAULT-VALUE}).")
    int reconnectEvery;

    @Option(
            names = "--requests",
            defaultValue = "100000",
            description = "HTTP requests, at most (default: ${DEFAULT-VALUE}).")
    long requests;

    @Option(
            names = "--history",
            defaultValue = "200",
            description = "History length of each request, at most (default: ${DEFAULT-VALUE}).")
    int history;

    @Option(
            names = {"-k", "--k"},
            defaultValue = "10",
            description = "Items per answer (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--rerank",
            defaultValue = "-1",
            description = "Candidates re-ranked by stage 2 in every request (default: the model's own depth).")
    int rerank;

    @Option(
            names = "--calls",
            defaultValue = "300",
            description = "Timed in-process recommend calls (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(
            names = "--in-process-seconds",
            defaultValue = "5",
            description = "Length of each in-process throughput run: one before the warm-up, then one before,"
                    + " between and after the --rounds (default: ${DEFAULT-VALUE}; a run of a few hundred calls lasted"
                    + " under a second and moved by 2x between two of them).")
    int inProcessSeconds;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "The measured HTTP run is split into this many rounds, with an in-process throughput run"
                    + " before the first and after each, and every round is compared with the two around it: the"
                    + " speed of a shared machine drifts within a minute, and one in-process figure taken before or"
                    + " after the whole HTTP run moved the share by up to 25 points (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--callers",
            defaultValue = "2",
            description = "Threads of the in-process throughput run (default: ${DEFAULT-VALUE}).")
    int callers;

    @Option(
            names = "--reload-every",
            defaultValue = "0",
            paramLabel = "SECONDS",
            description = "Hot-reload the model every SECONDS during the HTTP run, alternating between --model and"
                    + " --reload-model (default: 0, no reloads).")
    int reloadEvery;

    @Option(
            names = "--reload-model",
            paramLabel = "DIR",
            description = "Checkpoint folder swapped in by --reload-every (default: --model again).")
    Path reloadModel;

    @Option(
            names = "--workers",
            defaultValue = "0",
            description = "Server scoring threads (default: cores / --threads).")
    int workers;

    @Mixin
    EngineOptions engine;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (reloadEvery < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reload-every must be >= 0");
        }
        if (warmupSeconds < 0 || reconnectEvery < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--warmup-seconds and --reconnect-every must be >= 0");
        }
        if (connections < 1
                || seconds < 1
                || requests < 1
                || history < 1
                || k < 1
                || calls < 1
                || callers < 1
                || rounds < 1
                || inProcessSeconds < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--connections, --seconds, --requests, --history, -k, --calls, --callers, --rounds and"
                            + " --in-process-seconds must be >= 1");
        }
        if (rounds > seconds) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--rounds (" + rounds + ") must be <= --seconds (" + seconds
                            + "): each round runs at least a second");
        }
        Dataset d = data.loadOrNull();
        List<List<String>> histories = histories(d);
        ObjectMapper json = new ObjectMapper();
        List<String> bodies = new ArrayList<>();
        for (List<String> h : histories) {
            bodies.add(json.writeValueAsString(
                    rerank < 0 ? Map.of("history", h, "k", k) : Map.of("history", h, "k", k, "rerank", rerank)));
        }
        ServerConfig config = ServerConfig.builder()
                .port(0)
                .engineThreads(engine.options().threads())
                .workers(workers)
                .queue(Math.max(64, 4 * connections))
                .timeout(Duration.ofSeconds(30))
                .build();
        try (Backend backend = Backends.create(engine.backend(), engine.options());
                RecsysServer server = RecsysServer.start(model, backend, d, config)) {
            List<int[]> dense = new ArrayList<>();
            for (List<String> h : histories) {
                dense.add(server.denseIds(h));
            }
            out.printf(
                    Locale.ROOT,
                    "model %s on %s, %d workers, %d histories of up to %d items, k=%d, rerank %s%n",
                    server.modelVersion(),
                    backend.name(),
                    server.workers(),
                    histories.size(),
                    history,
                    k,
                    rerank < 0 ? "as the model's metadata says" : Integer.toString(rerank));
            double[] lat = server.withRecommender(rerank, r -> latencies(r, dense, calls));
            double inRate = server.withRecommender(rerank, r -> throughput(r, dense, callers));
            out.printf(
                    Locale.ROOT,
                    "in-process recommend: p50 %.2f ms, p99 %.2f ms (1 thread); %.0f/s with %d threads%n",
                    quantile(lat, 0.5),
                    quantile(lat, 0.99),
                    inRate,
                    callers);
            // warm-up over HTTP after the first in-process runs, with the clients reconnecting: a warm-up on
            // connections kept open left the compiled code without a path for new ones, and the first measured
            // round's new connections deoptimized it (recsys-serve/README.md, stop 22)
            java.net.URI target = server.uri().resolve("v1/recommend");
            if (warmupSeconds > 0) {
                LoadGenerator.run(
                        target, bodies, connections, Duration.ofSeconds(warmupSeconds), Long.MAX_VALUE, reconnectEvery);
                double settled = settleJit();
                out.printf(Locale.ROOT, "JIT: compiler idle after %.1f s%n", settled);
            }
            // resident memory once a second, so that the run's half-way value exists however it ends (time or count)
            List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            Thread sampler = new Thread(
                    () -> {
                        try {
                            while (true) {
                                samples.add(new long[] {System.nanoTime() - start, residentKb()});
                                Thread.sleep(1000);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
            Reloads reloads = new Reloads(server);
            Thread reloader = reloads.start();
            // rounds of HTTP between in-process runs: each round is compared with the in-process runs around it
            List<LoadGenerator.Result> parts = new ArrayList<>();
            List<Double> inRates = new ArrayList<>();
            inRates.add(server.withRecommender(rerank, rec -> throughput(rec, dense, callers)));
            List<Long> compiling = new ArrayList<>();
            long left = requests;
            for (int i = 0; i < rounds && left > 0; i++) {
                long share = (left + rounds - i - 1) / (rounds - i);
                long jit0 = compilationMillis();
                LoadGenerator.Result p = LoadGenerator.run(
                        target,
                        bodies,
                        connections,
                        Duration.ofMillis(seconds * 1000L / rounds),
                        share,
                        reconnectEvery);
                compiling.add(compilationMillis() - jit0);
                parts.add(p);
                left -= p.requests();
                inRates.add(server.withRecommender(rerank, rec -> throughput(rec, dense, callers)));
            }
            long[] rss = {halfWay(samples, System.nanoTime() - start), residentKb()};
            sampler.interrupt();
            reloads.stop(reloader);
            // the first latency figure comes from a JVM that has made a few hundred calls; this one from one
            // that has served the warm-up and the rounds (what a running service answers with)
            double[] warmLat = server.withRecommender(rerank, rec -> latencies(rec, dense, calls));
            LoadGenerator.Result r = LoadGenerator.Result.combined(parts);
            double[] shares = new double[parts.size()];
            for (int i = 0; i < shares.length; i++) {
                shares[i] = parts.get(i).perSecond() / ((inRates.get(i) + inRates.get(i + 1)) / 2);
            }
            double[] sortedShares = shares.clone();
            Arrays.sort(sortedShares);
            out.printf(
                    Locale.ROOT,
                    "HTTP, %d connections: %d requests in %.1f s = %.0f/s over %d rounds (%s/s)%n",
                    connections,
                    r.requests(),
                    r.seconds(),
                    r.perSecond(),
                    parts.size(),
                    join(
                            parts.stream()
                                    .mapToDouble(LoadGenerator.Result::perSecond)
                                    .toArray(),
                            "%.0f"));
            out.printf(
                    Locale.ROOT,
                    "in-process with %d threads before, between and after the rounds: %s/s; each round's share of the"
                            + " runs around it: %s (median %.0f%%)%n",
                    callers,
                    join(inRates.stream().mapToDouble(Double::doubleValue).toArray(), "%.0f"),
                    join(Arrays.stream(shares).map(x -> 100 * x).toArray(), "%.0f%%"),
                    100 * median(sortedShares));
            out.printf(
                    Locale.ROOT,
                    "in-process recommend after the rounds: p50 %.2f ms, p99 %.2f ms (1 thread)%n",
                    quantile(warmLat, 0.5),
                    quantile(warmLat, 0.99));
            out.printf(
                    Locale.ROOT,
                    "JIT compiler time during the rounds: %s ms%n",
                    join(compiling.stream().mapToDouble(Long::doubleValue).toArray(), "%.0f"));
            out.printf(
                    Locale.ROOT,
                    "latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    r.quantile(0.5),
                    r.quantile(0.9),
                    r.quantile(0.99),
                    r.max());
            out.printf(
                    Locale.ROOT,
                    "errors: %d (statuses %s, no answer %d)%n",
                    r.failed(),
                    r.byStatus(),
                    r.transportErrors());
            if (reloadEvery > 0) {
                out.printf(
                        Locale.ROOT,
                        "hot reloads during the HTTP run: %d done, %d refused (every %d s)%n",
                        reloads.done.get(),
                        reloads.refused.get(),
                        reloadEvery);
            }
            if (rss[0] > 0 && rss[1] > 0) {
                out.printf(
                        Locale.ROOT,
                        "resident memory: %.0f MiB half-way, %.0f MiB at the end (%+.1f%%)%n",
                        rss[0] / 1024.0,
                        rss[1] / 1024.0,
                        100.0 * (rss[1] - rss[0]) / rss[0]);
            }
        }
        return Main.OK;
    }

    /** Request histories: the data set's users (last --history items each, up to 512 users), else seeded random ones. */
    private List<List<String>> histories(Dataset d) throws IOException {
        List<List<String>> out = new ArrayList<>();
        if (d != null) {
            for (int u = 1; u <= d.numUsers() && out.size() < 512; u++) {
                int[] h = d.history(u);
                List<String> l = new ArrayList<>();
                for (int i = Math.max(0, h.length - history); i < h.length; i++) {
                    l.add(d.itemIds().external(h[i]));
                }
                if (!l.isEmpty()) {
                    out.add(l);
                }
            }
            return out;
        }
        List<String> ids = Checkpoint.read(model).itemIds();
        int n = Checkpoint.readConfig(model).numItems();
        Random rnd = new Random(1);
        for (int u = 0; u < 256; u++) {
            List<String> l = new ArrayList<>();
            for (int i = 0; i < history; i++) {
                int it = 1 + rnd.nextInt(n);
                l.add(ids == null ? Integer.toString(it) : ids.get(it));
            }
            out.add(l);
        }
        return out;
    }

    /** Reloads every --reload-every seconds on a thread of its own, alternating the two folders. */
    private final class Reloads {
        final RecsysServer server;
        final AtomicLong done = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        volatile boolean running = true;

        Reloads(RecsysServer server) {
            this.server = server;
        }

        Thread start() {
            if (reloadEvery <= 0) {
                return null;
            }
            Path other = reloadModel == null ? model : reloadModel;
            Thread t = new Thread(
                    () -> {
                        for (long i = 1; running; i++) {
                            try {
                                synchronized (this) {
                                    if (running) {
                                        wait(reloadEvery * 1000L);
                                    }
                                }
                                if (!running) {
                                    return;
                                }
                                server.reload(i % 2 == 1 ? other : model);
                                done.incrementAndGet();
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                refused.incrementAndGet();
                            }
                        }
                    },
                    "reloader");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** Stops after the reload in progress, if any (a reload is never interrupted). */
        void stop(Thread t) throws InterruptedException {
            synchronized (this) {
                running = false;
                notifyAll();
            }
            if (t != null) {
                t.join();
            }
        }
    }

    private double[] latencies(Recommender r, List<int[]> dense, int n) {
        for (int i = 0; i < Math.min(30, n); i++) {
            r.recommend(dense.get(i % dense.size()), k);
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            r.recommend(dense.get(i % dense.size()), k);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** Recommendations per second of {@code threads} threads calling for --in-process-seconds. */
    private double throughput(Recommender r, List<int[]> dense, int threads) {
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        long end = t0 + inProcessSeconds * 1_000_000_000L;
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    while (System.nanoTime() - end < 0) {
                        r.recommend(dense.get((int) (next.getAndIncrement() % dense.size())), k);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("in-process recommend failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return next.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Waits until the JIT compilers have been idle for a second (at most 60 s), and returns the seconds waited,
     * so that compilations queued by the warm-up do not run during the measured HTTP run (on the machine of
     * recsys-serve/README.md's stop 21 the queue emptied within about a second).
     */
    private static double settleJit() throws InterruptedException {
        long t0 = System.nanoTime();
        long last = compilationMillis();
        if (last < 0) {
            return 0;
        }
        for (int quiet = 0; quiet < 10 && System.nanoTime() - t0 < 60_000_000_000L; ) {
            Thread.sleep(100);
            long now = compilationMillis();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Total time the JIT compilers have spent so far, -1 where the JVM does not say. */
    private static long compilationMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit == null || !jit.isCompilationTimeMonitoringSupported() ? -1 : jit.getTotalCompilationTime();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String join(double[] xs, String format) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, x));
        }
        return b.toString();
    }

    private static double quantile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The resident memory sampled nearest to half of {@code elapsed} (0 when there is no sample). */
    private static long halfWay(List<long[]> samples, long elapsed) {
        long best = 0;
        long bestGap = Long.MAX_VALUE;
        synchronized (samples) {
            for (long[] s : samples) {
                long gap = Math.abs(s[0] - elapsed / 2);
                if (gap < bestGap) {
                    bestGap = gap;
                    best = s[1];
                }
            }
        }
        return best;
    }

    /** VmRSS of this process in KiB from /proc (0 where there is no /proc). */
    private static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
