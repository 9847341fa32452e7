package dev.recsys.bench;

import dev.recsys.eval.baseline.ItemKnn;
import dev.recsys.eval.baseline.Markov;
import dev.recsys.eval.baseline.MostPopular;
import dev.recsys.eval.baseline.RandomScorer;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.Sasrec;
import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.split.LeaveOneOut;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark of the evaluation path on SASRec's {@code ml-1m.txt} (6,040 users x 3,416 items):
 * <ol>
 *   <li>load time of the sequence file (median of several runs);</li>
 *   <li>evaluation overhead: full-ranking leave-one-out evaluation of a precomputed random score
 *       matrix, whose "scoring" is a row copy, so the time is the evaluator's own (masking, ranking,
 *       top-K, metrics); the copy alone is timed too and subtracted;</li>
 *   <li>the baselines' full-ranking NDCG@10 / Recall@10 on the test items (and fit/evaluation times).</li>
 * </ol>
 * Run: {@code java -cp ... dev.recsys.bench.EvalBenchmark [dataDir] [threads]} where dataDir
 * holds {@code sasrec/ml-1m.txt} (default {@code ../shared/data}).
 */
public final class EvalBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(EvalBenchmark.class);

    private EvalBenchmark() {}

    /**
     * The measurements.
     *
     * @param loadMillis         load time per run, ms
     * @param loadMedianMillis   median load time, ms
     * @param evalMillis         full evaluation time of the precomputed matrix per run, ms
     * @param copyMillis         time of copying the matrix rows alone (one thread), ms
     * @param overheadMillis     median evaluation time minus the copy time, ms
     * @param threads            evaluation threads
     * @param baselines          baseline name to its test result
     * @param baselineMillis     baseline name to its fit + evaluation time, ms
     */
    public record Result(
            double[] loadMillis,
            double loadMedianMillis,
            double[] evalMillis,
            double copyMillis,
            double overheadMillis,
            int threads,
            Map<String, EvalResult> baselines,
            Map<String, Double> baselineMillis) {
        /** A multi-line report. */
        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(
                    Locale.ROOT,
                    "load sasrec/ml-1m.txt: median %.0f ms (runs %s)%n",
                    loadMedianMillis,
                    fmt(loadMillis)));
            sb.append(String.format(
                    Locale.ROOT,
                    "full-ranking evaluation of 6,040 users x 3,416 items from a precomputed score matrix (%d threads): "
                            + "runs %s ms, row copy alone (one thread) %.0f ms, evaluation overhead %.0f ms%n",
                    threads,
                    fmt(evalMillis),
                    copyMillis,
                    overheadMillis));
            sb.append("baselines, full ranking, leave-one-out, target=TEST:\n");
            for (Map.Entry<String, EvalResult> e : baselines.entrySet()) {
                EvalResult r = e.getValue();
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-14s NDCG@10 %.4f  Recall@10 %.4f  NDCG@20 %.4f  Recall@20 %.4f  MRR %.4f  coverage@10 %.3f  (%.0f ms fit+eval)%n",
                        e.getKey(),
                        r.metric("ndcg@10"),
                        r.metric("recall@10"),
                        r.metric("ndcg@20"),
                        r.metric("recall@20"),
                        r.metric("mrr"),
                        r.metric("coverage@10"),
                        baselineMillis.get(e.getKey())));
            }
            return sb.toString();
        }

        private static String fmt(double[] v) {
            StringBuilder sb = new StringBuilder();
            for (double x : v) {
                sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", x));
            }
            return sb.toString();
        }
    }

    /** Runs the benchmark on {@code dataDir/sasrec/ml-1m.txt}. */
    public static Result run(Path dataDir, int loadRuns, int evalRuns, int threads) throws IOException {
        Path txt = dataDir.resolve("sasrec/ml-1m.txt");
        if (!Files.exists(txt)) {
            throw new IOException(
                    "benchmark data not found: " + txt.toAbsolutePath().normalize());
        }
        double[] load = new double[loadRuns];
        Dataset d = null;
        for (int r = 0; r < loadRuns; r++) {
            long t0 = System.nanoTime();
            d = Sasrec.read(txt, null, null);
            load[r] = (System.nanoTime() - t0) / 1e6;
        }
        Split split = LeaveOneOut.split(d);
        int stride = split.numItems() + 1;
        float[][] matrix = new float[split.numUsers() + 1][];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int u = 1; u <= split.numUsers(); u++) {
            float[] row = new float[stride];
            for (int i = 0; i < stride; i++) {
                row[i] = (float) rnd.nextDouble();
            }
            matrix[u] = row;
        }
        BatchScorer pre = new BatchScorer() {
            @Override
            public void score(int[] users, int[][] histories, float[] out) {
                for (int r = 0; r < users.length; r++) {
                    System.arraycopy(matrix[users[r]], 0, out, r * stride, stride);
                }
            }

            @Override
            public boolean threadSafe() {
                return true;
            }
        };
        Evaluator ev = Evaluator.builder().ks(10, 20).threads(threads).build();
        double[] evalMs = new double[evalRuns];
        for (int r = 0; r < evalRuns; r++) {
            long t0 = System.nanoTime();
            ev.evaluate(split, Target.TEST, pre);
            evalMs[r] = (System.nanoTime() - t0) / 1e6;
        }
        float[] out = new float[256 * stride];
        double[] copyRuns = new double[3];
        for (int rep = 0; rep < copyRuns.length; rep++) {
            long t0 = System.nanoTime();
            for (int u = 1; u <= split.numUsers(); u++) {
                System.arraycopy(matrix[u], 0, out, ((u - 1) % 256) * stride, stride);
            }
            copyRuns[rep] = (System.nanoTime() - t0) / 1e6;
        }
        double copy = median(copyRuns);
        double overhead = median(evalMs) - copy;

        Map<String, EvalResult> res = new LinkedHashMap<>();
        Map<String, Double> ms = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        res.put("Random", ev.evaluate(split, Target.TEST, new RandomScorer(split.numItems(), 42)));
        ms.put("Random", (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        res.put("MostPopular", ev.evaluate(split, Target.TEST, MostPopular.fit(split)));
        ms.put("MostPopular", (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        res.put("ItemKnn(k=100)", ev.evaluate(split, Target.TEST, ItemKnn.fit(split, 100)));
        ms.put("ItemKnn(k=100)", (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        res.put("Markov", ev.evaluate(split, Target.TEST, Markov.fit(split)));
        ms.put("Markov", (System.nanoTime() - t0) / 1e6);
        return new Result(load, median(load), evalMs, copy, overhead, threads, res, ms);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Command-line entry: {@code [dataDir] [threads]}. */
    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args.length > 0 ? args[0] : "../shared/data");
        int threads = args.length > 1
                ? Integer.parseInt(args[1])
                : Runtime.getRuntime().availableProcessors();
        Result r = run(dir, 5, 5, threads);
        LOG.info("\n{}", r.report());
    }
}
