package dev.recsys.bench;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Command-line benchmark (its report on standard output is its product) of one backend chosen
 * through the SPI, so that the DL4J and DJL backends are measured by the same code on the same
 * batches: run it once per backend (resident memory is per process).
 *
 * <pre>
 * Dl4jBench train     [--backend dl4j] --data ../shared/data/sasrec/ml-1m.txt [--threads 1] [--steps 30] [--warmup 5]
 *                     [--batch 128] [--maxlen 50] [--heads 1] [--layers 2] [--loss bce|gbce|ssm|softmax] [--negatives K]
 *                     [--content T [--vocab V]]
 *     (--content T: with item content of T tokens per item, synthetic, of ML-1M's shape, one content layer;
 *     ssm: sampled softmax over K uniform negatives without log-Q; softmax: full softmax cross-entropy over the
 *     catalogue, as run 3 of the main README)
 *     (default bce with 1 negative per position; K > 1 negatives must be shared by the Trainer's rule, see
 *     Batcher.sharesNegatives: here drawn once per batch by YardstickBatches, uniformly, and shared by every position,
 *     as the speed yardstick does; the Trainer itself draws K per sequence row; gbce with t = 0.75)
 *     SASRec shape on ML-1M (ids only, d 64, ffn 64, dropout 0.2, BCE with 1 negative), one negative per position drawn
 *     outside the user's history; per step lossAndGradients (training), Adam(0.9, 0.98) of recsys-api, setWeights.
 *     Reports the median ms per step with its parts, steps/s, peak resident memory (VmHWM).
 * Dl4jBench recommend [--backend dl4j] --data ... [--threads 1] [--calls 300] [--maxlen 50] [--content T]
 *     one user per call, stage 1 over every item, top 100 re-ranked by stage 2 (Recommender of recsys-api), top 10:
 *     latency p50 / p99 on one thread, stage-1 and stage-2 parts, peak resident memory.
 * </pre>
 */
public final class Dl4jBench {
    private static final PrintStream OUT = System.out;

    private Dl4jBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            OUT.println("usage: Dl4jBench train|recommend [--backend dl4j|djl] --data FILE [options]");
            System.exit(2);
        }
        Map<String, String> o = options(args);
        String name = o.getOrDefault("backend", "dl4j");
        int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
        YardstickBatches s =
                YardstickBatches.load(Paths.get(o.getOrDefault("data", "../shared/data/sasrec/ml-1m.txt")));
        OUT.printf(
                "env: GLIBC_TUNABLES=%s OMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s; java %s; javacpp maxbytes=%s maxphysicalbytes=%s%n",
                System.getenv("GLIBC_TUNABLES"),
                System.getenv("OMP_NUM_THREADS"),
                System.getenv("OMP_WAIT_POLICY"),
                System.getProperty("java.version"),
                System.getProperty("org.bytedeco.javacpp.maxbytes"),
                System.getProperty("org.bytedeco.javacpp.maxphysicalbytes"));
        try (Backend backend = Backends.create(name, new BackendOptions(threads, 1, null))) {
            OUT.printf(
                    "backend: %s (%s), %d thread(s); data: %d users, %d items%n",
                    backend.name(), backend.engineVersion(), threads, s.users().length, s.numItems());
            switch (args[0]) {
                case "train" -> train(backend, s, o);
                case "recommend" -> recommend(backend, s, o);
                default ->
                    throw new IllegalArgumentException("unknown mode '" + args[0] + "'; expected train or recommend");
            }
        }
        OUT.printf("peak resident memory (VmHWM): %d MiB%n", status("VmHWM:") / 1024);
    }

    static ModelConfig config(int numItems, Map<String, String> o) {
        ModelConfig.Builder b = ModelConfig.builder()
                .numItems(numItems)
                .dim(64)
                .heads(Integer.parseInt(o.getOrDefault("heads", "1")))
                .layers(Integer.parseInt(o.getOrDefault("layers", "2")))
                .ffnDim(64)
                .maxLen(Integer.parseInt(o.getOrDefault("maxlen", "50")))
                .dropout(0.2f)
                .layerNormEps(1e-8f);
        int contentLen = Integer.parseInt(o.getOrDefault("content", "0"));
        if (contentLen > 0) {
            b.content(Integer.parseInt(o.getOrDefault("vocab", String.valueOf(CONTENT_VOCAB))), contentLen, 1);
        }
        return b.build();
    }

    /** Content vocabulary of ML-1M's titles, genres and years with tokens seen at least twice (about this size). */
    static final int CONTENT_VOCAB = 3000;

    /**
     * Synthetic item content of the shape of ML-1M's (marker, then 3 to contentLen - 1 tokens per item, drawn
     * uniformly from the vocabulary): only the shape matters to speed; null when the model has no content.
     */
    static dev.recsys.api.data.ItemContent content(ModelConfig cfg) {
        if (!cfg.hasContent()) {
            return null;
        }
        SplittableRandom r = new SplittableRandom(11);
        int[][] per = new int[cfg.numItems() + 1][];
        for (int i = 1; i <= cfg.numItems(); i++) {
            per[i] = r.ints(r.nextInt(3, cfg.contentLen()), 2, cfg.contentVocab())
                    .toArray();
        }
        return dev.recsys.api.data.ItemContent.of(cfg.numItems(), cfg.contentLen(), per);
    }

    private static void train(Backend backend, YardstickBatches s, Map<String, String> o) {
        int steps = Integer.parseInt(o.getOrDefault("steps", "30"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "128"));
        ModelConfig cfg = config(s.numItems(), o);
        Weights w = Initializer.init(cfg, 42);
        int negatives = Integer.parseInt(o.getOrDefault("negatives", "1"));
        String lossName = o.getOrDefault("loss", "bce");
        LossSpec bce = switch (lossName) {
            case "bce" -> new LossSpec.Bce(negatives);
            case "gbce" -> new LossSpec.Gbce(negatives, 0.75f);
            case "softmax" -> new LossSpec.SoftmaxCe();
            case "ssm" -> new LossSpec.SampledSoftmax(negatives, false);
            default ->
                throw new IllegalArgumentException(
                        "--loss must be bce, gbce, ssm or softmax, found '" + lossName + "'");
        };
        int shared = dev.recsys.api.train.Batcher.sharesNegatives(
                        dev.recsys.api.loss.Stage.PRETRAIN, bce, batch, cfg.maxLen(), cfg.dim())
                ? negatives
                : 0;
        if (shared == 0 && negatives != 1) {
            throw new IllegalArgumentException(
                    "per-position negatives are benchmarked with 1 negative; " + negatives
                            + " negatives at this shape would be per position by the Trainer's rule (Batcher.sharesNegatives); use --negatives 1 or a shape/K over its budget");
        }
        OUT.printf(
                "train: loss %s%s%n",
                bce.name(),
                bce instanceof LossSpec.SoftmaxCe
                        ? " over the whole catalogue"
                        : " with " + negatives + " negative(s)"
                                + (shared > 0 ? " shared by the batch" : " per position"));
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f), w);
        SplittableRandom r = new SplittableRandom(42);
        boolean[] seen = new boolean[s.numItems() + 1];
        List<TrainBatch> batches = new ArrayList<>();
        for (int i = 0; i < Math.min(steps, 8); i++) {
            TrainBatch tb = s.batch(batch, cfg.maxLen(), r, seen, shared);
            if (bce instanceof LossSpec.SoftmaxCe && tb instanceof TrainBatch.NextItem n) {
                tb = new TrainBatch.NextItem(
                        n.input(), n.targets(), new Negatives.None()); // scores the whole catalogue
            }
            batches.add(tb);
        }
        double[] total = new double[steps];
        double[] fb = new double[steps];
        double[] opt = new double[steps];
        double[] set = new double[steps];
        double[] cpu = new double[steps];
        double[] proc = new double[steps];
        java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        float loss = 0;
        try (RecModel m = backend.create(cfg, content(cfg), w, 42)) {
            for (int i = 0; i < steps; i++) {
                TrainBatch b = batches.get(i % batches.size());
                long c0 = tmx.getCurrentThreadCpuTime();
                long p0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                StepResult res = m.lossAndGradients(b, bce, true);
                long t1 = System.nanoTime();
                adam.update(w, res.gradients(), 1e-3f);
                long t2 = System.nanoTime();
                m.setWeights(w);
                long t3 = System.nanoTime();
                cpu[i] = (tmx.getCurrentThreadCpuTime() - c0) / 1e6;
                proc[i] = (os.getProcessCpuTime() - p0) / 1e6;
                loss = res.loss();
                total[i] = (t3 - t0) / 1e6;
                fb[i] = (t1 - t0) / 1e6;
                opt[i] = (t2 - t1) / 1e6;
                set[i] = (t3 - t2) / 1e6;
                if (Boolean.getBoolean("recsys.dl4j.memstats")) {
                    OUT.printf("train: step %d: resident %d MiB%n", i, status("VmRSS") >> 10);
                }
            }
        }
        int from = Math.min(warmup, steps / 2);
        double med = median(total, from);
        String ops = dev.recsys.backend.dl4j.Dl4jDiagnostics.opProfile();
        if (ops != null) {
            OUT.println("train: SameDiff " + ops);
        }
        if (Boolean.getBoolean("recsys.dl4j.memstats")) {
            OUT.println("train: " + dev.recsys.backend.dl4j.Dl4jDiagnostics.memStats());
        }
        OUT.printf(
                "train: batch %d, length %d, d %d, %d heads, %d layers: median %.1f ms/step = %.2f steps/s (forward+backward %.1f, "
                        + "Adam %.1f, setWeights %.2f) over %d steps after %d warm-up; first step %.0f ms; last loss %.4f%n",
                batch,
                cfg.maxLen(),
                cfg.dim(),
                cfg.heads(),
                cfg.layers(),
                med,
                1000 / med,
                median(fb, from),
                median(opt, from),
                median(set, from),
                steps - from,
                from,
                total[0],
                loss);
        OUT.printf(
                "train: CPU time per step (median): calling thread %.1f ms, whole process %.1f ms (less sensitive to other "
                        + "processes on a shared machine than wall time)%n",
                median(cpu, from), median(proc, from));
        StringBuilder sb = new StringBuilder("train: per-step ms:");
        for (double t : total) {
            sb.append(String.format(" %.0f", t));
        }
        OUT.println(sb);
    }

    private static void recommend(Backend backend, YardstickBatches s, Map<String, String> o) {
        int calls = Integer.parseInt(o.getOrDefault("calls", "300"));
        ModelConfig cfg = config(s.numItems(), o);
        int maxLen = cfg.maxLen();
        List<int[]> histories = new ArrayList<>();
        for (int u : s.users()) {
            int[] seq = s.train()[u];
            if (seq.length >= maxLen) {
                histories.add(Arrays.copyOfRange(seq, seq.length - maxLen, seq.length));
            }
        }
        try (RecModel m = backend.create(cfg, content(cfg), Initializer.init(cfg, 7), 7)) {
            Recommender rec = new Recommender(m, 100);
            long c0 = System.nanoTime();
            m.itemVectors();
            OUT.printf("recommend: item vectors in %.1f ms%n", (System.nanoTime() - c0) / 1e6);
            for (int i = 0; i < 50; i++) {
                rec.recommend(histories.get(i % histories.size()), 10);
            }
            double[] lat = new double[calls];
            double[] cpu = new double[calls];
            java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int i = 0; i < calls; i++) {
                long cpu0 = tmx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                rec.recommend(histories.get(i % histories.size()), 10);
                lat[i] = (System.nanoTime() - t0) / 1e6;
                cpu[i] = (tmx.getCurrentThreadCpuTime() - cpu0) / 1e6;
            }
            SeqBatch one = rec.toBatch(new int[][] {histories.get(0)}, null);
            int[] cands = new int[100];
            for (int i = 0; i < 100; i++) {
                cands[i] = 1 + i * 17 % s.numItems();
            }
            double[] s1 = new double[calls];
            double[] s2 = new double[calls];
            dev.recsys.backend.dl4j.Dl4jDiagnostics.opProfile(); // reset
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                m.scoreAll(one);
                long t1 = System.nanoTime();
                m.scoreCandidates(one, cands, 100);
                s1[i] = (t1 - t0) / 1e6;
                s2[i] = (System.nanoTime() - t1) / 1e6;
            }
            String ops = dev.recsys.backend.dl4j.Dl4jDiagnostics.opProfile();
            if (ops != null) {
                OUT.println("recommend: SameDiff (stage 1 + stage 2 loop) " + ops);
            }
            Arrays.sort(lat);
            OUT.printf(
                    "recommend: history %d, catalogue %d, re-rank 100, top 10; %d calls on one thread: p50 %.2f ms, p99 %.2f ms "
                            + "(stage 1 alone p50 %.2f ms, stage 2 of 100 alone p50 %.2f ms); CPU time of the calling thread per "
                            + "recommendation p50 %.2f ms%n",
                    maxLen,
                    s.numItems(),
                    calls,
                    pct(lat, 50),
                    pct(lat, 99),
                    median(s1, 0),
                    median(s2, 0),
                    median(cpu, 0));
        }
    }

    static double median(double[] v, int from) {
        double[] c = Arrays.copyOfRange(v, from, v.length);
        Arrays.sort(c);
        int n = c.length;
        return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    static double pct(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static long status(String key) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** {@code --name value} pairs after the mode (args[0]). */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, found '" + args[i] + "'");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }
}
