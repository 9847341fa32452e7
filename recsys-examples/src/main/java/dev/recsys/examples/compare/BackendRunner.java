package dev.recsys.examples.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recsys.api.BackendException;
import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.TrainResult;
import dev.recsys.api.train.TrainingListener;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.pipeline.Prepared;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.eval.pipeline.TrainingPipeline;
import dev.recsys.eval.split.ColdItems;
import dev.recsys.eval.split.GroupedResult;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import dev.recsys.examples.workflow.ConfigLoader;
import dev.recsys.examples.workflow.DataSource;
import dev.recsys.examples.workflow.ExperimentConfig;
import dev.recsys.examples.workflow.ResultFiles;
import dev.recsys.examples.workflow.Workflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Runs one backend's part of a comparison ({@link RunJob}): train, evaluate on test with full
 * ranking, time {@code recommend}, save the model (first backend) and score the parity batch with
 * the shared saved model. Runs in-process or as the main class of a child JVM.
 */
public final class BackendRunner {
    /** Results written into the job's folder. */
    public static final String EVAL_JSON = "eval.json";

    public static final String RUN_JSON = "run.json";
    public static final String PARITY_STAGE1 = "parity-stage1.f32";
    public static final String PARITY_STAGE2 = "parity-stage2.f32";
    /** Candidates per row of the parity batch's stage-2 scores. */
    public static final int PARITY_CANDIDATES = 16;
    /** Prefix of the one error line a child JVM prints before exiting non-zero. */
    public static final String ERROR_PREFIX = "recsys-compare-child: error: ";

    static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private BackendRunner() {}

    /** Child JVM entry point: {@code BackendRunner JOB.json}. Exit 0, 2 (bad input) or 1. */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        PrintWriter out = new PrintWriter(System.out, true);
        int code;
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: BackendRunner JOB.json");
            }
            RunJob job = JSON.readValue(Path.of(args[0]).toFile(), RunJob.class);
            run(job, out);
            code = 0;
        } catch (Exception e) {
            out.println(ERROR_PREFIX + message(e));
            code = isBadInput(e) ? 2 : 1;
        }
        out.flush();
        System.exit(code);
    }

    static boolean isBadInput(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        return t instanceof DataException
                || t instanceof CheckpointException
                || t instanceof BackendException
                || t instanceof IllegalArgumentException
                || t instanceof java.nio.file.NoSuchFileException;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    /** Runs the job and writes eval.json, run.json and the parity scores into {@code job.outDir()}. */
    public static RunInfo run(RunJob job, PrintWriter progress) throws IOException {
        ExperimentConfig c = ConfigLoader.load(Path.of(job.configFile()), List.of());
        Dataset d = DataSource.load(job.data(), RunJob.path(job.itemMap()), RunJob.path(job.movies()));
        ColdItems cold = job.coldItems() == null ? null : ColdItems.parse(job.coldItems(), d, c.seed());
        Prepared p = Workflow.prepare(d, c, cold);
        Path out = Path.of(job.outDir());
        Files.createDirectories(out);
        OptionalLong rssBefore = Measure.rssBytes();
        try (Backend backend = Backends.create(job.backend(), job.options());
                RecModel model = Workflow.newModel(backend, c, p)) {
            String name = backend.name();
            progress.printf(Locale.ROOT, "%s (%s): training %s%n", name, backend.engineVersion(), model.config());
            StepTimes steps = new StepTimes(progress, name);
            long t0 = System.nanoTime();
            TrainingPipeline pipeline =
                    Workflow.pipeline(c, backend).listener(steps).build();
            TrainingPipeline.Result trained = pipeline.train(model, p);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;

            int rerank = c.eval().rerank();
            long e0 = System.nanoTime();
            EvalResult test = pipeline.evaluate(model, p, Target.TEST, rerank);
            double evalSeconds = (System.nanoTime() - e0) / 1e9;
            progress.printf(Locale.ROOT, "%s: test %s%n", name, test.summary());
            var tree = ResultFiles.toMap(
                    test, "compare:" + name, name, backend.engineVersion(), c.seed(), p.fingerprint());
            if (cold != null) {
                GroupedResult g = GroupedResult.of(test, p.split(Target.TEST), Target.TEST, cold);
                progress.printf(
                        Locale.ROOT,
                        "%s: test, warm targets %s%n",
                        name,
                        g.warm().summary());
                progress.printf(
                        Locale.ROOT,
                        "%s: test, cold targets %s%n",
                        name,
                        g.cold().summary());
                ResultFiles.withColdStart(tree, g, cold);
            }
            ResultFiles.writeJson(out.resolve(EVAL_JSON), tree);

            double[] latency = latency(model, p, rerank, job.latencyWarmup(), job.latencyCalls());
            progress.printf(
                    Locale.ROOT,
                    "%s: recommend p50 %.2f ms, p99 %.2f ms over %d calls%n",
                    name,
                    Measure.percentile(latency, 0.5),
                    Measure.percentile(latency, 0.99),
                    latency.length);

            ParityBatch pb = ParityBatch.of(p, job.parityUsers(), c.seed());
            Double roundTrip = null;
            if (job.saveModel() != null) {
                pipeline.save(Path.of(job.saveModel()), model, p);
                float[][] own = pb.score(model);
                try (SavedModel back = SavedModel.load(Path.of(job.saveModel()), backend)) {
                    float[][] loaded = pb.score(back.model());
                    roundTrip = Math.max(maxAbsDiff(own[0], loaded[0]), maxAbsDiff(own[1], loaded[1]));
                }
            }
            try (SavedModel shared = SavedModel.load(Path.of(job.parityModel()), backend)) {
                shared.requireFits(d);
                float[][] s = pb.score(shared.model());
                writeFloats(out.resolve(PARITY_STAGE1), s[0]);
                writeFloats(out.resolve(PARITY_STAGE2), s[1]);
            }
            OptionalLong peak = Measure.peakRssBytes();
            OptionalLong rssAfter = Measure.rssBytes();
            TrainResult pre = trained.pretrain();
            TrainResult fine = trained.finetune();
            RunInfo info = new RunInfo(
                    name,
                    backend.engineVersion(),
                    p.fingerprint(),
                    pre == null ? List.of() : pre.epochLosses(),
                    pre == null ? List.of() : pre.validation(),
                    fine == null ? List.of() : fine.epochLosses(),
                    fine == null ? List.of() : fine.validation(),
                    trainSeconds,
                    steps.sequences,
                    steps.seconds,
                    steps.seconds > 0 ? steps.sequences / steps.seconds : 0,
                    steps.medianMs(),
                    evalSeconds,
                    latency,
                    Measure.percentile(latency, 0.5),
                    Measure.percentile(latency, 0.99),
                    rerank,
                    box(peak),
                    box(rssBefore),
                    box(rssAfter),
                    Measure.peakHeapBytes(),
                    pb.rows(),
                    PARITY_CANDIDATES,
                    roundTrip);
            ResultFiles.writeJson(out.resolve(RUN_JSON), info);
            return info;
        }
    }

    private static Long box(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    /** Single-thread {@code recommend} latencies (ms) over test users in a fixed order, after a warm-up. */
    static double[] latency(RecModel model, Prepared p, int rerank, int warmup, int calls) {
        Split s = p.split();
        int[] users = usersWithTarget(s, Target.TEST);
        if (users.length == 0) {
            throw new DataException("no user has a test item; the data is too small to compare backends");
        }
        Recommender rec = new Recommender(model, rerank);
        boolean events = model.config().eventTypes() > 0;
        double[] ms = new double[calls];
        for (int i = 0; i < warmup + calls; i++) {
            int u = users[i % users.length];
            int[] h = s.history(u, Target.TEST);
            int[] ev = events ? eventsOf(s, u, h.length) : null;
            long t0 = System.nanoTime();
            rec.recommend(h, ev, 10, true);
            long t1 = System.nanoTime();
            if (i >= warmup) {
                ms[i - warmup] = (t1 - t0) / 1e6;
            }
        }
        return ms;
    }

    static int[] eventsOf(Split s, int u, int len) {
        int[] e = s.historyEvents(u, Target.TEST);
        return e == null || e.length != len ? new int[len] : e;
    }

    static int[] usersWithTarget(Split s, Target t) {
        int[] tmp = new int[s.numUsers()];
        int n = 0;
        for (int u = 1; u <= s.numUsers(); u++) {
            if (s.target(u, t) != 0 && s.history(u, t).length > 0) {
                tmp[n++] = u;
            }
        }
        return java.util.Arrays.copyOf(tmp, n);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("parity scores differ in length: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    static void writeFloats(Path file, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, b.array());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static float[] readFloats(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % 4 != 0) {
            throw new IOException(file + ": " + bytes.length + " bytes is not a whole number of float32 values");
        }
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** A fixed batch every backend scores: the first test users' histories and seeded candidates. */
    record ParityBatch(int[][] histories, int[][] events, int[] candidates) {
        static ParityBatch of(Prepared p, int maxRows, long seed) {
            Split s = p.split();
            int[] users = usersWithTarget(s, Target.TEST);
            int rows = Math.min(maxRows, users.length);
            if (rows == 0) {
                throw new DataException("no user has a test item; nothing to score for the parity check");
            }
            int[][] h = new int[rows][];
            int[][] ev = p.eventTypes() > 0 ? new int[rows][] : null;
            for (int r = 0; r < rows; r++) {
                h[r] = s.history(users[r], Target.TEST);
                if (ev != null) {
                    ev[r] = eventsOf(s, users[r], h[r].length);
                }
            }
            int n = p.dataset().numItems();
            SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eedc0deL);
            int[] cand = new int[rows * PARITY_CANDIDATES];
            for (int i = 0; i < cand.length; i++) {
                cand[i] = 1 + rnd.nextInt(n);
            }
            return new ParityBatch(h, ev, cand);
        }

        int rows() {
            return histories.length;
        }

        /** {stage-1 scores [rows, N+1], stage-2 scores [rows, PARITY_CANDIDATES]}. */
        float[][] score(RecModel m) {
            SeqBatch b = new Recommender(m, 0).toBatch(histories, events);
            return new float[][] {m.scoreAll(b), m.scoreCandidates(b, candidates, PARITY_CANDIDATES)};
        }
    }

    /** Collects pre-training step times and prints one line per epoch and validation. */
    static final class StepTimes implements TrainingListener {
        private final PrintWriter out;
        private final String name;
        private int phase;
        private long sequences;
        private double seconds;
        private final List<Double> stepMs = new ArrayList<>();

        StepTimes(PrintWriter out, String name) {
            this.out = out;
            this.name = name;
        }

        @Override
        public void onStart(long totalSteps, long startStep) {
            phase++;
        }

        @Override
        public void onStep(StepInfo info) {
            if (phase == 1) {
                sequences += info.sequences();
                seconds += info.stepSeconds();
                stepMs.add(info.stepSeconds() * 1e3);
            }
        }

        @Override
        public void onEpochEnd(int epoch, double meanLoss, double secs) {
            out.printf(Locale.ROOT, "%s: stage %d epoch %d: loss %.4f (%.1f s)%n", name, phase, epoch, meanLoss, secs);
        }

        @Override
        public void onValidation(int epoch, double metric, boolean improved) {
            out.printf(
                    Locale.ROOT,
                    "%s: stage %d epoch %d: validation %.4f%s%n",
                    name,
                    phase,
                    epoch,
                    metric,
                    improved ? " (best)" : "");
        }

        double medianMs() {
            return stepMs.isEmpty()
                    ? 0
                    : Measure.median(
                            stepMs.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }
}
