package dev.recsys.examples.bench;

import dev.recsys.api.DataException;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.io.Provenance;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Weights;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import dev.recsys.api.train.Batcher;
import dev.recsys.api.train.NegativeSampler;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.protocol.Protocol;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.examples.compare.Measure;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.Configs;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.Workflow;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmarks behind the README's performance table, on one backend:
 * <ul>
 *   <li>data loading time;</li>
 *   <li>training: the SASRec shape (d=64, 2 layers, 1 head, maxLen 200, batch 128, BCE with 1
 *       negative, id-only), {@code steps} optimiser steps after {@code warmup}; a step is the
 *       backend's forward and backward plus the engine-free Adam update, as in the trainer (batch
 *       building, which the trainer does on a background thread, is not timed); the median step
 *       time gives sequences/s;</li>
 *   <li>{@code recommend} for one user (the longest history, at most {@code historyLength} items,
 *       the data's catalogue, stage 2 over {@code rerank} candidates): p50/p99 latency on one thread,
 *       and throughput with {@code callerThreads} threads calling at once;</li>
 *   <li>evaluation of every user with a test item: full ranking, stage 1.</li>
 * </ul>
 * Weights are the seeded initial ones: speed does not depend on their values.
 */
public final class Benchmark {
    /** The SASRec shape, applied before the caller's overrides. */
    public static final List<String> SASREC_SHAPE = List.of(
            "model.dim=64",
            "model.heads=1",
            "model.layers=2",
            "model.ffnDim=64",
            "model.maxLen=200",
            "model.useContent=false",
            "model.dropout=0.2",
            "pretrain.loss=bce",
            "pretrain.negatives=1",
            "pretrain.batchSize=128",
            "eval.rerank=100");
    /** Default data relative to the repository root, when present. */
    public static final Path DEFAULT_DATA = Path.of("..", "shared", "data", "sasrec", "ml-1m.txt");
    /** Synthetic data used when the default file is absent. */
    public static final String SYNTHETIC = "synthetic:users=6000,items=3400,length=100,seed=1";

    private Benchmark() {}

    /**
     * Settings.
     *
     * @param data          {@code --data} spec (null = the default)
     * @param overrides     config overrides applied after the SASRec shape
     * @param backend       backend name (null = the default selection)
     * @param threads       engine threads
     * @param cacheDir      engine natives folder or null
     * @param warmupSteps   untimed training steps
     * @param steps         timed training steps
     * @param latencyWarmup untimed recommend calls
     * @param latencyCalls  timed recommend calls (also the calls of the throughput run)
     * @param callerThreads threads of the throughput run
     * @param historyLength history length of the latency user (at most)
     * @param evaluate      whether to time the full evaluation
     */
    public record Options(
            String data,
            List<String> overrides,
            String backend,
            int threads,
            Path cacheDir,
            int warmupSteps,
            int steps,
            int latencyWarmup,
            int latencyCalls,
            int callerThreads,
            int historyLength,
            boolean evaluate) {
        public Options {
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            if (threads < 1
                    || warmupSteps < 0
                    || steps < 1
                    || latencyWarmup < 0
                    || latencyCalls < 1
                    || callerThreads < 1
                    || historyLength < 1) {
                throw new IllegalArgumentException(
                        "expected threads >= 1, warm-up >= 0, steps >= 1, latency warm-up >= 0, calls >= 1, "
                                + "callers >= 1, history >= 1; found " + threads + ", " + warmupSteps + ", " + steps
                                + ", " + latencyWarmup + ", "
                                + latencyCalls + ", " + callerThreads + ", " + historyLength);
            }
        }
    }

    /**
     * Measurements.
     *
     * @param stepMs             timed training step times
     * @param latencyMs          timed single-thread recommend calls
     * @param callsPerSecond1    single-thread recommend throughput (1000 / mean latency)
     * @param callsPerSecondN    throughput with {@code callerThreads} threads
     * @param evalSeconds        evaluation wall time (NaN when skipped)
     */
    public record Result(
            String dataset,
            String dataSummary,
            String fingerprint,
            long seed,
            String backend,
            String engine,
            int threads,
            String shape,
            int batchSize,
            double loadSeconds,
            double[] stepMs,
            double medianStepMs,
            double sequencesPerSecond,
            int historyLength,
            int numItems,
            int rerank,
            double[] latencyMs,
            double p50Ms,
            double p99Ms,
            double callsPerSecond1,
            int callerThreads,
            double callsPerSecondN,
            double evalSeconds,
            int evalUsers,
            Long peakRssBytes) {

        /** The numbers under stable keys (the {@code metrics} object of the JSON result). */
        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data.loadSeconds", loadSeconds);
            m.put("train.medianStepMs", medianStepMs);
            m.put("train.sequencesPerSecond", sequencesPerSecond);
            m.put("recommend.p50Ms", p50Ms);
            m.put("recommend.p99Ms", p99Ms);
            m.put("recommend.callsPerSecond1Thread", callsPerSecond1);
            m.put("recommend.callsPerSecond" + callerThreads + "Threads", callsPerSecondN);
            m.put("eval.seconds", Double.isNaN(evalSeconds) ? null : evalSeconds);
            m.put(
                    "eval.usersPerSecond",
                    Double.isNaN(evalSeconds) || evalSeconds <= 0 ? null : evalUsers / evalSeconds);
            m.put("memory.peakRssMiB", peakRssBytes == null ? null : peakRssBytes / 1048576.0);
            return m;
        }

        /** The JSON result: metrics next to the protocol, data fingerprint, seed, backend and versions. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", "recsys-bench");
            m.put("formatVersion", 1);
            m.put("dataset", dataset);
            m.put("data", dataSummary);
            m.put(
                    "protocol",
                    "eval.*: full ranking, leave-one-out test, stage 1; train.*: " + batchSize + "-sequence steps of "
                            + shape);
            m.put("dataFingerprint", fingerprint);
            m.put("seed", seed);
            m.put("backend", backend);
            m.put("engine", engine);
            m.put("engineThreads", threads);
            m.put("shape", shape);
            m.put("metrics", metrics());
            m.put("stepMs", stepMs);
            m.put("latencyMs", latencyMs);
            Benchmark.putEnvironment(m);
            return m;
        }

        /** A Markdown table. */
        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| benchmark | value |\n|---|---:|\n");
            row(sb, "data loading (" + dataset + ")", String.format(Locale.ROOT, "%.2f s", loadSeconds));
            row(
                    sb,
                    "training step, batch " + batchSize + " (median of " + stepMs.length + ")",
                    String.format(Locale.ROOT, "%.1f ms", medianStepMs));
            row(sb, "training throughput", String.format(Locale.ROOT, "%.0f sequences/s", sequencesPerSecond));
            row(
                    sb,
                    String.format(
                            Locale.ROOT,
                            "recommend p50 (history %d, %d items, re-rank %d)",
                            historyLength,
                            numItems,
                            rerank),
                    String.format(Locale.ROOT, "%.2f ms", p50Ms));
            row(sb, "recommend p99", String.format(Locale.ROOT, "%.2f ms", p99Ms));
            row(sb, "recommend throughput, 1 thread", String.format(Locale.ROOT, "%.1f calls/s", callsPerSecond1));
            row(
                    sb,
                    "recommend throughput, " + callerThreads + " threads",
                    String.format(Locale.ROOT, "%.1f calls/s", callsPerSecondN));
            if (!Double.isNaN(evalSeconds)) {
                row(
                        sb,
                        "evaluation, " + evalUsers + " users (full ranking, stage 1)",
                        String.format(
                                Locale.ROOT,
                                "%.2f s (%.0f users/s)",
                                evalSeconds,
                                evalSeconds > 0 ? evalUsers / evalSeconds : 0));
            }
            row(
                    sb,
                    "peak RSS",
                    peakRssBytes == null ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", peakRssBytes / 1048576.0));
            sb.append('\n')
                    .append(backend)
                    .append(" (")
                    .append(engine)
                    .append("), ")
                    .append(threads)
                    .append(" engine thread(s), ")
                    .append(Runtime.getRuntime().availableProcessors())
                    .append(" CPUs; shape: ")
                    .append(shape)
                    .append('\n');
            return sb.toString();
        }

        private static void row(StringBuilder sb, String k, String v) {
            sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
        }
    }

    /** The default {@code --data}: the SASRec ML-1M file when present, else synthetic data of similar size. */
    public static String defaultData() {
        return Files.isRegularFile(DEFAULT_DATA) ? "sasrec:" + DEFAULT_DATA : SYNTHETIC;
    }

    public static Result run(Options o, PrintWriter progress) {
        List<String> sets = new ArrayList<>(SASREC_SHAPE);
        sets.addAll(o.overrides());
        ExperimentConfig c = ConfigLoader.load(null, sets);
        Backends.select(o.backend());
        String spec = o.data() == null ? defaultData() : o.data();
        long l0 = System.nanoTime();
        Dataset d = DataSource.load(spec, null, null);
        double loadSeconds = (System.nanoTime() - l0) / 1e9;
        progress.printf(
                Locale.ROOT,
                "data: %s loaded in %.2f s: %s%n",
                d.name(),
                loadSeconds,
                DatasetStats.of(d).summary());
        Prepared p = Workflow.prepare(d, c);
        TrainConfig tc = Configs.train(c, c.pretrain(), Stage.PRETRAIN, "pretrain");
        try (Backend backend = Backends.create(o.backend(), new BackendOptions(o.threads(), 1, o.cacheDir()));
                RecModel model = Workflow.newModel(backend, c, p)) {
            progress.printf(
                    Locale.ROOT,
                    "backend: %s (%s), %d thread(s); model: %s%n",
                    backend.name(),
                    backend.engineVersion(),
                    o.threads(),
                    model.config());
            int batch = Math.min(tc.batchSize(), usableUsers(p, model, tc).length);
            double[] stepMs = trainSteps(model, p, tc, o.warmupSteps(), o.steps(), c.seed());
            double medianStep = Measure.median(stepMs);
            progress.printf(Locale.ROOT, "training: median step %.1f ms over %d steps%n", medianStep, stepMs.length);

            int[] hist = longestHistory(p.split(), o.historyLength());
            int rerank = c.eval().rerank();
            Recommender rec = new Recommender(model, rerank);
            int[] ev = model.config().eventTypes() > 0 ? new int[hist.length] : null;
            double[] lat = new double[o.latencyCalls()];
            for (int i = 0; i < o.latencyWarmup() + o.latencyCalls(); i++) {
                long t0 = System.nanoTime();
                rec.recommend(hist, ev, 10, true);
                long t1 = System.nanoTime();
                if (i >= o.latencyWarmup()) {
                    lat[i - o.latencyWarmup()] = (t1 - t0) / 1e6;
                }
            }
            double mean = Arrays.stream(lat).average().orElse(Double.NaN);
            double perSecN = throughput(rec, hist, ev, o.latencyCalls(), o.callerThreads());
            progress.printf(
                    Locale.ROOT,
                    "recommend: p50 %.2f ms, p99 %.2f ms, %d threads: %.1f calls/s%n",
                    Measure.percentile(lat, 0.5),
                    Measure.percentile(lat, 0.99),
                    o.callerThreads(),
                    perSecN);

            double evalSeconds = Double.NaN;
            int evalUsers = 0;
            if (o.evaluate()) {
                long e0 = System.nanoTime();
                EvalResult r = Workflow.evaluator(c, Protocol.full())
                        .evaluate(p.split(), Target.TEST, ModelScorer.of(model, 0, p.split(), Target.TEST));
                evalSeconds = (System.nanoTime() - e0) / 1e9;
                evalUsers = r.usersEvaluated();
                progress.printf(Locale.ROOT, "evaluation: %d users in %.2f s%n", evalUsers, evalSeconds);
            }
            OptionalLong peak = Measure.peakRssBytes();
            var mc = model.config();
            String shape = String.format(
                    Locale.ROOT,
                    "d=%d, layers=%d, heads=%d, maxLen=%d, ffn=%d, %s, %s",
                    mc.dim(),
                    mc.layers(),
                    mc.heads(),
                    mc.maxLen(),
                    mc.ffnDim(),
                    tc.loss().name() + " " + tc.loss().negatives() + " negative(s)",
                    mc.hasContent() ? "content" : "id-only");
            return new Result(
                    d.name(),
                    DatasetStats.of(d).summary(),
                    p.fingerprint(),
                    c.seed(),
                    backend.name(),
                    backend.engineVersion(),
                    o.threads(),
                    shape,
                    batch,
                    loadSeconds,
                    stepMs,
                    medianStep,
                    batch / (medianStep / 1e3),
                    hist.length,
                    d.numItems(),
                    rerank,
                    lat,
                    Measure.percentile(lat, 0.5),
                    Measure.percentile(lat, 0.99),
                    1e3 / mean,
                    o.callerThreads(),
                    perSecN,
                    evalSeconds,
                    evalUsers,
                    peak.isPresent() ? peak.getAsLong() : null);
        }
    }

    /** Times {@code steps} training steps after {@code warmup} untimed ones; returns step times in ms. */
    static double[] trainSteps(RecModel model, Prepared p, TrainConfig tc, int warmup, int steps, long seed) {
        Batcher batcher = batcher(p, model, tc);
        int[] users = usableUsers(p, model, tc);
        SplittableRandom r = new SplittableRandom(seed);
        Weights master = model.weights();
        Adam adam = new Adam(tc.optimizer(), master);
        int b = Math.min(tc.batchSize(), users.length);
        double[] ms = new double[steps];
        int next = 0;
        for (int s = 0; s < warmup + steps; s++) {
            int[] batchUsers = new int[b];
            for (int i = 0; i < b; i++) {
                batchUsers[i] = users[next++ % users.length];
            }
            TrainBatch batch = batcher.build(batchUsers, r);
            long t0 = System.nanoTime();
            StepResult res = model.lossAndGradients(batch, tc.loss(), true);
            adam.update(master, res.gradients(), tc.learningRate());
            model.setWeights(master);
            long t1 = System.nanoTime();
            if (s >= warmup) {
                ms[s - warmup] = (t1 - t0) / 1e6;
            }
        }
        return ms;
    }

    private static Batcher batcher(Prepared p, RecModel model, TrainConfig tc) {
        var data = p.training();
        NegativeSampler sampler = new NegativeSampler(data.numItems(), tc.sampling(), data.itemCounts());
        // the Trainer's rule for drawing negatives once per batch and sharing them
        return new Batcher(
                data,
                model.config().maxLen(),
                Stage.PRETRAIN,
                tc.loss(),
                sampler,
                model.config().eventTypes() > 0,
                Batcher.sharesNegatives(
                        Stage.PRETRAIN,
                        tc.loss(),
                        tc.batchSize(),
                        model.config().maxLen(),
                        model.config().dim()));
    }

    /** Users with at least 2 training items (those the trainer uses). */
    static int[] usableUsers(Prepared p, RecModel model, TrainConfig tc) {
        Batcher b = batcher(p, model, tc);
        int[] users = java.util.stream.IntStream.range(0, p.training().users())
                .filter(b::usable)
                .toArray();
        if (users.length == 0) {
            throw new DataException("no user has 2 or more training items; nothing to train on");
        }
        return users;
    }

    /** The test history of the user with the most items, cut to the last {@code max}. */
    static int[] longestHistory(Split s, int max) {
        int best = -1;
        int bestLen = 0;
        for (int u = 1; u <= s.numUsers(); u++) {
            int len = s.history(u, Target.TEST).length;
            if (len > bestLen) {
                best = u;
                bestLen = len;
            }
        }
        if (best < 0) {
            throw new DataException("every user's history is empty; nothing to recommend for");
        }
        int[] h = s.history(best, Target.TEST);
        return h.length <= max ? h : Arrays.copyOfRange(h, h.length - max, h.length);
    }

    /** Calls per second with {@code threads} threads sharing {@code calls} calls. */
    static double throughput(Recommender rec, int[] hist, int[] ev, int calls, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger left = new AtomicInteger(calls);
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        rec.recommend(hist, ev, 10, true);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return calls / ((System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the throughput run", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The machine and versions a benchmark result ran on: recsys, Java, OS, CPUs. */
    static void putEnvironment(Map<String, Object> m) {
        m.put("recsysVersion", Provenance.currentRecsysVersion());
        m.put("java", Provenance.currentJavaVersion());
        m.put("os", Provenance.currentOs());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
    }
}
