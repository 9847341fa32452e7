package dev.recsys.bench;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import dev.recsys.backend.djl.DjlBackendProvider;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Command-line benchmark of the DJL backend (its report on standard output is its product).
 *
 * <pre>
 * DjlBench train --data ../shared/data/sasrec/ml-1m.txt [--threads 1] [--steps 40] [--warmup 5] [--batch 128] [--maxlen 200]
 *               [--profile trace.json]  (PyTorch profiler over the last 2 steps, Chrome trace format)
 *               [--loss bce|gbce] [--negatives K]  (default bce 1; K > 1 must be shared by the Trainer's rule: drawn once per batch, uniformly)
 *     SASRec shape (ids only, d 64, 2 layers, 1 head, ffn 64, dropout 0.2, BCE with 1 negative), batches built exactly
 *     like torch_sasrec.py on a prefetch thread (gbce: t = 0.75; shared negatives uniform over the catalogue); per step: forward + backward (lossAndGradients), Adam(0.9, 0.98) of
 *     recsys-api (no clipping, as the yardstick), setWeights. Reports the median ms per step and sequences/s.
 * DjlBench recommend --data ../shared/data/sasrec/ml-1m.txt [--threads 1] [--calls 1000] [--seconds 10] [--memcalls 100000]
 *     one user (history 200), catalogue of every item, stage 1 over all items, seen masked, top 100 re-ranked by stage 2,
 *     top 10: latency p50/p99 on one thread, throughput with 1 and 2 client threads, and resident memory before/after
 *     memcalls stage-1 calls.
 * </pre>
 * The caller sets the process environment (GLIBC_TUNABLES, OMP_WAIT_POLICY); see the module README notes.
 */
public final class DjlBench {
    private static final PrintStream OUT = System.out;

    private DjlBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            OUT.println("usage: DjlBench train|recommend --data FILE [options]");
            System.exit(2);
        }
        Map<String, String> o = options(args);
        String data = o.getOrDefault("data", "../shared/data/sasrec/ml-1m.txt");
        int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
        OUT.printf(
                "env: GLIBC_TUNABLES=%s OMP_WAIT_POLICY=%s OMP_NUM_THREADS=%s; java %s%n",
                System.getenv("GLIBC_TUNABLES"),
                System.getenv("OMP_WAIT_POLICY"),
                System.getenv("OMP_NUM_THREADS"),
                System.getProperty("java.version"));
        YardstickBatches s = YardstickBatches.load(Paths.get(data));
        try (Backend backend = new DjlBackendProvider().create(new BackendOptions(threads, 1, null))) {
            OUT.printf(
                    "backend: %s, %d intra-op thread(s); data: %d users, %d items%n",
                    backend.engineVersion(), threads, s.train().length, s.numItems());
            switch (args[0]) {
                case "train" -> train(backend, s, o);
                case "recommend" -> recommend(backend, s, o);
                default ->
                    throw new IllegalArgumentException("unknown mode '" + args[0] + "'; expected train or recommend");
            }
        }
    }

    static ModelConfig sasrec(int numItems, int maxLen) {
        return ModelConfig.builder()
                .numItems(numItems)
                .dim(64)
                .heads(1)
                .layers(2)
                .ffnDim(64)
                .maxLen(maxLen)
                .dropout(0.2f)
                .layerNormEps(1e-8f)
                .build();
    }

    // ------------------------------------------------------------------ train

    private static void train(Backend backend, YardstickBatches s, Map<String, String> o) throws Exception {
        int steps = Integer.parseInt(o.getOrDefault("steps", "40"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "128"));
        int maxLen = Integer.parseInt(o.getOrDefault("maxlen", "200"));
        long seed = Long.parseLong(o.getOrDefault("seed", "42"));
        ModelConfig cfg = sasrec(s.numItems(), maxLen);
        Weights w = Initializer.init(cfg, seed);
        int negatives = Integer.parseInt(o.getOrDefault("negatives", "1"));
        String lossName = o.getOrDefault("loss", "bce");
        LossSpec spec = switch (lossName) {
            case "bce" -> new LossSpec.Bce(negatives);
            case "gbce" -> new LossSpec.Gbce(negatives, 0.75f);
            default -> throw new IllegalArgumentException("--loss must be bce or gbce, found '" + lossName + "'");
        };
        int shared = dev.recsys.api.train.Batcher.sharesNegatives(
                        dev.recsys.api.loss.Stage.PRETRAIN, spec, batch, maxLen, cfg.dim())
                ? negatives
                : 0;
        if (shared == 0 && negatives != 1) {
            throw new IllegalArgumentException(
                    "per-position negatives are benchmarked with 1 negative; " + negatives
                            + " negatives at this shape would be per position by the Trainer's rule (Batcher.sharesNegatives); use --negatives 1 or a shape/K over its budget");
        }
        OUT.printf(
                "train: loss %s with %d negative(s)%s%n",
                spec.name(), negatives, shared > 0 ? " shared by the batch" : " per position");
        Adam adam = new Adam(new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f), w);
        BlockingQueue<TrainBatch> queue = new ArrayBlockingQueue<>(4);
        Thread producer = new Thread(
                () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    boolean[] seen = new boolean[s.numItems() + 1];
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            queue.put(s.batch(batch, maxLen, r, seen, shared));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "batch-prefetch");
        producer.setDaemon(true);
        producer.start();
        double[] total = new double[steps];
        double[] wait = new double[steps];
        double[] fb = new double[steps];
        double[] opt = new double[steps];
        double[] set = new double[steps];
        double[] cpu = new double[steps];
        java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        float loss = 0;
        String profile = o.get("profile");
        try (RecModel m = backend.create(cfg, null, w, seed)) {
            for (int i = 0; i < steps; i++) {
                if (profile != null && i == steps - 2) {
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                }
                long c0 = tmx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                TrainBatch b = queue.take();
                long t1 = System.nanoTime();
                StepResult res = m.lossAndGradients(b, spec, true);
                long t2 = System.nanoTime();
                adam.update(w, res.gradients(), 1e-3f);
                long t3 = System.nanoTime();
                m.setWeights(w);
                long t4 = System.nanoTime();
                cpu[i] = (tmx.getCurrentThreadCpuTime() - c0) / 1e6;
                loss = res.loss();
                total[i] = (t4 - t0) / 1e6;
                wait[i] = (t1 - t0) / 1e6;
                fb[i] = (t2 - t1) / 1e6;
                opt[i] = (t3 - t2) / 1e6;
                set[i] = (t4 - t3) / 1e6;
            }
            if (profile != null) {
                ai.djl.pytorch.jni.JniUtils.stopProfile(profile);
                OUT.println("train: PyTorch profile of the last 2 steps written to " + profile);
            }
        } finally {
            producer.interrupt();
        }
        int from = Math.min(warmup, steps / 2);
        double med = median(total, from);
        OUT.printf(
                "train: median %.1f ms/step (batch wait %.2f, forward+backward %.1f, Adam %.1f, setWeights %.2f) over %d steps "
                        + "after %d warm-up; batch %d, maxlen %d = %.1f sequences/s; last loss %.4f; RSS %d MiB%n",
                med,
                median(wait, from),
                median(fb, from),
                median(opt, from),
                median(set, from),
                steps - from,
                from,
                batch,
                maxLen,
                batch / (med / 1000),
                loss,
                rssKiB() / 1024);
        double medCpu = median(cpu, from);
        OUT.printf(
                "train: CPU time of the training thread: median %.1f ms/step = %.1f sequences per CPU-second "
                        + "(with one intra-op thread all engine work runs on this thread; robust to other processes' load)%n",
                medCpu, batch / (medCpu / 1000));
        StringBuilder sb = new StringBuilder("train: per-step ms:");
        for (double t : total) {
            sb.append(String.format(" %.0f", t));
        }
        OUT.println(sb);
    }

    // ------------------------------------------------------------------ recommend

    private static void recommend(Backend backend, YardstickBatches s, Map<String, String> o) throws Exception {
        int calls = Integer.parseInt(o.getOrDefault("calls", "1000"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "10"));
        int memCalls = Integer.parseInt(o.getOrDefault("memcalls", "100000"));
        int maxLen = 200;
        ModelConfig cfg = sasrec(s.numItems(), maxLen);
        List<int[]> histories = new ArrayList<>();
        for (int[] seq : s.train()) {
            if (seq != null && seq.length >= maxLen) {
                histories.add(Arrays.copyOfRange(seq, seq.length - maxLen, seq.length));
            }
        }
        OUT.printf(
                "recommend: %d users with a history of %d, catalogue %d, re-rank 100, top 10%n",
                histories.size(), maxLen, s.numItems());
        try (RecModel m = backend.create(cfg, null, Initializer.init(cfg, 7), 7)) {
            Recommender rec = new Recommender(m, 100);
            long c0 = System.nanoTime();
            m.itemVectors();
            OUT.printf("recommend: item vectors computed and cached in %.1f ms%n", (System.nanoTime() - c0) / 1e6);
            for (int i = 0; i < 100; i++) {
                rec.recommend(histories.get(i % histories.size()), 10);
            }
            double[] lat = new double[calls];
            double[] s1 = new double[calls];
            double[] s2 = new double[calls];
            for (int i = 0; i < calls; i++) {
                int[] h = histories.get(i % histories.size());
                long t0 = System.nanoTime();
                List<Recommendation> top = rec.recommend(h, 10);
                lat[i] = (System.nanoTime() - t0) / 1e6;
                if (top.size() != 10) {
                    throw new IllegalStateException("expected 10 recommendations, found " + top.size());
                }
            }
            SeqBatch one = rec.toBatch(new int[][] {histories.get(0)}, null);
            int[] cands = new int[100];
            for (int i = 0; i < 100; i++) {
                cands[i] = 1 + i * 17 % s.numItems();
            }
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                m.scoreAll(one);
                long t1 = System.nanoTime();
                m.scoreCandidates(one, cands, 100);
                long t2 = System.nanoTime();
                s1[i] = (t1 - t0) / 1e6;
                s2[i] = (t2 - t1) / 1e6;
            }
            Arrays.sort(lat);
            OUT.printf(
                    "recommend: latency over %d calls, one thread: p50 %.2f ms, p99 %.2f ms (stage 1 alone p50 %.2f ms, "
                            + "stage 2 of 100 alone p50 %.2f ms)%n",
                    calls, pct(lat, 50), pct(lat, 99), median(s1, 0), median(s2, 0));
            for (int clients : new int[] {1, 2}) {
                AtomicLong done = new AtomicLong();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < clients; t++) {
                    final int offset = t;
                    Thread th = new Thread(() -> {
                        int i = offset * 7;
                        while (System.nanoTime() < deadline) {
                            rec.recommend(histories.get(i++ % histories.size()), 10);
                            done.incrementAndGet();
                        }
                    });
                    ts.add(th);
                    th.start();
                }
                for (Thread th : ts) {
                    th.join();
                }
                OUT.printf(
                        "recommend: throughput with %d client thread(s): %.1f recommendations/s%n",
                        clients, done.get() / (double) seconds);
            }
            long rss0 = rssKiB();
            long t0 = System.nanoTime();
            StringBuilder trail = new StringBuilder();
            for (int i = 1; i <= memCalls; i++) {
                m.scoreAll(rec.toBatch(new int[][] {histories.get(i % histories.size())}, null));
                if (i % Math.max(1, memCalls / 10) == 0) {
                    trail.append(' ').append(rssKiB() / 1024);
                }
            }
            long rss1 = rssKiB();
            OUT.printf(
                    "recommend: resident memory %d MiB before, %d MiB after %d stage-1 calls (%.1f s); RSS trail (MiB):%s%n",
                    rss0 / 1024, rss1 / 1024, memCalls, (System.nanoTime() - t0) / 1e9, trail);
        }
    }

    // ------------------------------------------------------------------ helpers

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

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static Map<String, String> options(String[] args) {
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
