package dev.recsys.examples.bench;

import dev.recsys.api.config.Batching;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.TrainingListener;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.examples.compare.Measure;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.DataRecipe;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.Workflow;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code recsys bench train}: training throughput of one recipe on one backend, measured on the
 * path {@code recsys train} runs. The config is the one {@code recsys train} uses without
 * {@code --config} ({@link DataRecipe}: the SASRec+ shape, {@code maxLen} from the data), with the
 * recipe's loss on top, then the caller's overrides; the model is built and trained by the
 * {@link dev.recsys.eval.pipeline.TrainingPipeline} of {@link Workflow#pipeline} (the
 * {@link dev.recsys.api.train.Trainer}: batches built on its prefetch thread, the backend's forward
 * and backward, the engine-free Adam update). A listener records every step and stops the run after
 * {@code warmup + steps} steps (validation is switched off; nothing is written).
 *
 * <p>Per timed step: the trainer's step time (forward, backward, update), the CPU time of the
 * training thread between two steps (with one engine thread the engine works on it), and over the
 * timed steps the wall time and the CPU time of the whole process (engine threads, the batch
 * thread, JIT and GC). Memory: the peak resident set of the process ({@code VmHWM}), so one recipe
 * per process.
 */
public final class TrainBenchmark {
    /** The recipes: the loss settings put on top of {@link DataRecipe}'s config. */
    public enum Recipe {
        /** Binary cross-entropy with one negative per position, drawn from the user's unseen items (SASRec). */
        BCE("bce", List.of("pretrain.loss=bce", "pretrain.negatives=1")),
        /** Sampled softmax over 256 negatives per sequence drawn uniformly, no log-Q correction. */
        SAMPLED256(
                "sampled256",
                List.of(
                        "pretrain.loss=sampled-softmax",
                        "pretrain.negatives=256",
                        "pretrain.sampling=uniform",
                        "pretrain.logQ=false")),
        /**
         * SASRec+ ({@code configs/ml1m-unseen3000.yaml}): sampled softmax over 3,000 negatives per
         * sequence (or every other item of a smaller catalogue) from the user's unseen items:
         * {@link DataRecipe} as it is.
         */
        SASREC_PLUS("sasrec+", List.of()),
        /** Full softmax over the catalogue. */
        SOFTMAX("softmax", List.of("pretrain.loss=softmax"));

        private final String label;
        private final List<String> overrides;

        Recipe(String label, List<String> overrides) {
            this.label = label;
            this.overrides = overrides;
        }

        /** The name on the command line. */
        public String label() {
            return label;
        }

        /** The config overrides of the recipe, on top of {@link DataRecipe#overrides}. */
        public List<String> overrides() {
            return overrides;
        }

        /** The recipe called {@code name}; an error that lists the known ones otherwise. */
        public static Recipe of(String name) {
            for (Recipe r : values()) {
                if (r.label.equalsIgnoreCase(name == null ? "" : name.trim())) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown recipe '" + name + "'; known: "
                    + Arrays.stream(values()).map(Recipe::label).toList());
        }
    }

    private TrainBenchmark() {}

    /**
     * Settings.
     *
     * @param data      {@code --data} spec (null = {@link Benchmark#defaultData()})
     * @param recipe    the recipe
     * @param backend   backend name (null = the default selection)
     * @param threads   engine threads
     * @param cacheDir  engine natives folder or null
     * @param warmup    untimed training steps
     * @param steps     timed training steps
     * @param batching  how batches group users ({@code pretrain.batching})
     * @param overrides config overrides applied last
     */
    public record Options(
            String data,
            Recipe recipe,
            String backend,
            int threads,
            Path cacheDir,
            int warmup,
            int steps,
            Batching batching,
            List<String> overrides) {
        public Options {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(batching, "batching");
            overrides = overrides == null ? List.of() : List.copyOf(overrides);
            if (threads < 1 || warmup < 0 || steps < 1) {
                throw new IllegalArgumentException("expected threads >= 1, warm-up >= 0, steps >= 1; found " + threads
                        + ", " + warmup + ", " + steps);
            }
        }
    }

    /**
     * Measurements over the timed steps.
     *
     * @param stepMs            the trainer's step times (forward, backward, update)
     * @param threadCpuMs       CPU time of the training thread from the previous step to this one
     * @param batchSizes        sequences of each timed step
     * @param wallSeconds       wall time from the end of the last untimed step to the end of the last one
     * @param processCpuSeconds CPU time of the process over the same window (NaN where unavailable)
     * @param peakRssBytes      peak resident set of the process (null where /proc is absent)
     */
    public record Result(
            String recipe,
            String dataset,
            String dataSummary,
            String fingerprint,
            long seed,
            String backend,
            String engine,
            int threads,
            Batching batching,
            String config,
            int maxLen,
            int batchSize,
            int negatives,
            String loss,
            double loadSeconds,
            double[] stepMs,
            double[] threadCpuMs,
            int[] batchSizes,
            double wallSeconds,
            double processCpuSeconds,
            Long peakRssBytes) {

        /** Sequences trained in the timed steps. */
        public long sequences() {
            long s = 0;
            for (int b : batchSizes) {
                s += b;
            }
            return s;
        }

        public double medianStepMs() {
            return Measure.median(stepMs);
        }

        /** The median over timed steps of sequences / step time. */
        public double sequencesPerSecond() {
            return medianRate(stepMs);
        }

        private double medianRate(double[] ms) {
            double[] rate = new double[ms.length];
            for (int i = 0; i < rate.length; i++) {
                rate[i] = batchSizes[i] / (ms[i] / 1e3);
            }
            return Measure.median(rate);
        }

        /**
         * Sequences over the summed step times: the rate of the whole timed run, which the median misses
         * when step times vary (e.g. {@code batching: length}, where a batch's length sets its cost).
         */
        public double meanSequencesPerSecond() {
            return sequences() / (Arrays.stream(stepMs).sum() / 1e3);
        }

        /** Sequences over the summed CPU time of the training thread. */
        public double meanThreadCpuSequencesPerSecond() {
            return sequences() / (Arrays.stream(threadCpuMs).sum() / 1e3);
        }

        /** Sequences over the wall time of the timed window (waiting for batches and the listener included). */
        public double wallSequencesPerSecond() {
            return sequences() / wallSeconds;
        }

        public double medianThreadCpuMs() {
            return Measure.median(threadCpuMs);
        }

        /** The median over timed steps of sequences / CPU time of the training thread. */
        public double threadCpuSequencesPerSecond() {
            return medianRate(threadCpuMs);
        }

        /** Sequences per CPU-second of the whole process over the timed window. */
        public double processCpuSequencesPerSecond() {
            return sequences() / processCpuSeconds;
        }

        /** The numbers under stable keys (the {@code metrics} object of the JSON result). */
        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("train.sequences", sequences());
            m.put("train.medianStepMs", medianStepMs());
            m.put("train.sequencesPerSecond", sequencesPerSecond());
            m.put("train.meanSequencesPerSecond", meanSequencesPerSecond());
            m.put("train.wallSequencesPerSecond", wallSequencesPerSecond());
            m.put("train.medianThreadCpuMs", medianThreadCpuMs());
            m.put("train.threadCpuSequencesPerSecond", threadCpuSequencesPerSecond());
            m.put("train.meanThreadCpuSequencesPerSecond", meanThreadCpuSequencesPerSecond());
            m.put("train.processCpuSeconds", Double.isNaN(processCpuSeconds) ? null : processCpuSeconds);
            m.put(
                    "train.processCpuSequencesPerSecond",
                    Double.isNaN(processCpuSeconds) ? null : processCpuSequencesPerSecond());
            m.put("memory.peakRssMiB", peakRssBytes == null ? null : peakRssBytes / 1048576.0);
            m.put("data.loadSeconds", loadSeconds);
            return m;
        }

        /** The JSON result: the metrics next to the recipe, the effective config, data fingerprint and versions. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", "recsys-bench-train");
            m.put("formatVersion", 1);
            m.put("recipe", recipe);
            m.put("loss", loss);
            m.put("negatives", negatives);
            m.put("dataset", dataset);
            m.put("data", dataSummary);
            m.put("dataFingerprint", fingerprint);
            m.put("seed", seed);
            m.put("backend", backend);
            m.put("engine", engine);
            m.put("engineThreads", threads);
            m.put("batching", batching.name().toLowerCase(Locale.ROOT));
            m.put("maxLen", maxLen);
            m.put("batchSize", batchSize);
            m.put("config", config);
            m.put("metrics", metrics());
            m.put("stepMs", stepMs);
            m.put("threadCpuMs", threadCpuMs);
            m.put("batchSizes", batchSizes);
            Benchmark.putEnvironment(m);
            return m;
        }

        /** One line: what ran and what it measured. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "bench train: %s %s %dt %s | %s maxLen %d batch %d | %d steps: median %.1f ms/step = %.1f seq/s,"
                            + " all steps %.1f seq/s, wall %.1f seq/s, training-thread CPU %.1f ms/step = %.1f"
                            + " seq/CPU-s (all steps %.1f), process CPU %s |"
                            + " peak RSS %s",
                    recipe,
                    backend,
                    threads,
                    batching.name().toLowerCase(Locale.ROOT),
                    dataset,
                    maxLen,
                    batchSize,
                    stepMs.length,
                    medianStepMs(),
                    sequencesPerSecond(),
                    meanSequencesPerSecond(),
                    wallSequencesPerSecond(),
                    medianThreadCpuMs(),
                    threadCpuSequencesPerSecond(),
                    meanThreadCpuSequencesPerSecond(),
                    Double.isNaN(processCpuSeconds)
                            ? "n/a"
                            : String.format(Locale.ROOT, "%.1f seq/CPU-s", processCpuSequencesPerSecond()),
                    peakRssBytes == null ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", peakRssBytes / 1048576.0));
        }
    }

    /** The config of a recipe on data d: {@link DataRecipe}, the recipe, the batching, validation off, the overrides. */
    static ExperimentConfig config(Dataset d, Options o) {
        List<String> sets = new ArrayList<>(DataRecipe.overrides(d));
        sets.addAll(o.recipe().overrides());
        sets.add("pretrain.batching=" + o.batching().name().toLowerCase(Locale.ROOT));
        sets.add("pretrain.evalEvery=0");
        sets.add("pretrain.checkpointEvery=0");
        // every epoch has a step at least; the clock ends the run after the steps
        sets.add("pretrain.epochs=" + (o.warmup() + o.steps() + 1));
        sets.addAll(o.overrides());
        return ConfigLoader.load(null, sets);
    }

    public static Result run(Options o, PrintWriter progress) {
        String spec = o.data() == null ? Benchmark.defaultData() : o.data();
        Backends.select(o.backend());
        long l0 = System.nanoTime();
        Dataset d = DataSource.load(spec, null, null);
        double loadSeconds = (System.nanoTime() - l0) / 1e9;
        DatasetStats stats = DatasetStats.of(d);
        ExperimentConfig c = config(d, o);
        Prepared p = Workflow.prepare(d, c);
        progress.printf(Locale.ROOT, "data: %s loaded in %.2f s: %s%n", d.name(), loadSeconds, stats.summary());
        try (Backend backend = Backends.create(o.backend(), new BackendOptions(o.threads(), 1, o.cacheDir()))) {
            StepClock clock = new StepClock(o.warmup(), o.steps());
            var pipeline = Workflow.pipeline(c, backend).listener(clock).build();
            try (RecModel model = Workflow.newModel(backend, c, p)) {
                progress.printf(
                        Locale.ROOT,
                        "backend: %s (%s), %d thread(s); recipe %s: %s%n",
                        backend.name(),
                        backend.engineVersion(),
                        o.threads(),
                        o.recipe().label(),
                        ConfigLoader.toLine(c));
                try {
                    pipeline.train(model, p);
                } catch (StepClock.Done done) {
                    // the clock stopped the run after its steps
                }
                if (!clock.done()) {
                    throw new IllegalStateException("training ended after " + clock.seen + " steps, before the "
                            + (o.warmup() + o.steps()) + " asked for");
                }
            }
            OptionalLong peak = Measure.peakRssBytes();
            return new Result(
                    o.recipe().label(),
                    d.name(),
                    stats.summary(),
                    p.fingerprint(),
                    c.seed(),
                    backend.name(),
                    backend.engineVersion(),
                    o.threads(),
                    o.batching(),
                    ConfigLoader.toLine(c),
                    c.model().maxLen(),
                    c.pretrain().batchSize(),
                    c.pretrain().loss().equals("softmax")
                            ? d.numItems()
                            : c.pretrain().negatives(),
                    c.pretrain().loss(),
                    loadSeconds,
                    clock.stepMs,
                    clock.threadCpuMs,
                    clock.batchSizes,
                    clock.wallSeconds(),
                    clock.processCpuSeconds(),
                    peak.isPresent() ? peak.getAsLong() : null);
        }
    }

    /** Records the timed steps on the training thread and ends the run after them. */
    static final class StepClock implements TrainingListener {
        /** Thrown on the training thread after the last timed step. */
        static final class Done extends RuntimeException {
            Done() {
                super("benchmark steps done", null, false, false);
            }
        }

        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final int warmup;
        final double[] stepMs;
        final double[] threadCpuMs;
        final int[] batchSizes;
        int seen;
        private long lastCpu = -1;
        private long windowStartNanos;
        private long windowEndNanos;
        private long windowStartProcessCpu = -1;
        private long windowEndProcessCpu = -1;

        StepClock(int warmup, int steps) {
            this.warmup = warmup;
            this.stepMs = new double[steps];
            this.threadCpuMs = new double[steps];
            this.batchSizes = new int[steps];
        }

        @Override
        public void onStart(long totalSteps, long startStep) {
            lastCpu = threads.getCurrentThreadCpuTime();
            if (warmup == 0) {
                openWindow();
            }
        }

        @Override
        public void onStep(StepInfo info) {
            long cpu = threads.getCurrentThreadCpuTime();
            int i = seen - warmup;
            seen++;
            if (i >= 0) {
                stepMs[i] = info.stepSeconds() * 1e3;
                threadCpuMs[i] = (cpu - lastCpu) / 1e6;
                batchSizes[i] = info.sequences();
            }
            if (seen == warmup) {
                openWindow();
            }
            if (seen == warmup + stepMs.length) {
                windowEndNanos = System.nanoTime();
                windowEndProcessCpu = processCpuNanos();
                throw new Done();
            }
            lastCpu = threads.getCurrentThreadCpuTime();
        }

        private void openWindow() {
            windowStartNanos = System.nanoTime();
            windowStartProcessCpu = processCpuNanos();
        }

        boolean done() {
            return seen == warmup + stepMs.length;
        }

        double wallSeconds() {
            return (windowEndNanos - windowStartNanos) / 1e9;
        }

        double processCpuSeconds() {
            return windowStartProcessCpu < 0 || windowEndProcessCpu < 0
                    ? Double.NaN
                    : (windowEndProcessCpu - windowStartProcessCpu) / 1e9;
        }

        private static long processCpuNanos() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return -1;
        }
    }
}
