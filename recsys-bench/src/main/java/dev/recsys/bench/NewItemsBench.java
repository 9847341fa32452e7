package dev.recsys.bench;

import dev.recsys.api.data.NewItem;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.Backends;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.ItemFile;
import dev.recsys.eval.data.Sasrec;
import dev.recsys.eval.pipeline.SavedModel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * New items without retraining (issue 15): the time to add items to a loaded content model, and
 * {@code recommend} latency before and after.
 *
 * <pre>
 * NewItemsBench items --model DIR --data sasrec/ml-1m.txt --movies ml-1m/movies.dat [--backend djl|dl4j]
 *                     [--count 1000] [--rounds 5] [--users 300] [--k 10] [--rerank R (default: the model's)]
 * </pre>
 *
 * <p>Adding: {@code count} new movies are made from the movies file (the i-th movie's title with
 * " Part N", its genres, its year + 5, ids 1000001..), written as a {@code movies.dat} file; each
 * round times reading that file ({@link ItemFile#readNewItems}: parsing and the training's token
 * rules), extending the checkpoint engine-free ({@link ItemAddition#of}), building the backend's
 * model ({@link SavedModel#withData}) and its first {@code itemVectors()} (the cost the first request
 * after a swap pays). Latency: one user per call (the histories of the first {@code users} users of
 * the data), stage 1 over the catalogue and the model's re-ranking, p50 / p99 in ms, and the median
 * of the per-user ratio after / before, the two models' calls for a user made back to back.
 */
public final class NewItemsBench {
    private static final PrintStream OUT = System.out;

    private NewItemsBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Dl4jBench.options(args);
        Path model = Path.of(required(o, "model"));
        Path data = Path.of(required(o, "data"));
        Path movies = Path.of(required(o, "movies"));
        String backendName = o.getOrDefault("backend", "djl");
        int count = Integer.parseInt(o.getOrDefault("count", "1000"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        int users = Integer.parseInt(o.getOrDefault("users", "300"));
        int k = Integer.parseInt(o.getOrDefault("k", "10"));
        Dataset d = Sasrec.read(data, null, null);
        Path file = Files.createTempFile("recsys-new-items-", ".dat");
        try (Backend backend = Backends.create(backendName, new BackendOptions(1, 1, null));
                SavedModel base = SavedModel.load(model, backend)) {
            writeItems(ItemFile.read(movies), count, file);
            int rerank = o.containsKey("rerank") ? Integer.parseInt(o.get("rerank")) : base.rerank();
            OUT.printf(
                    Locale.ROOT,
                    "model %s: %d items, d %d, content T %d, vocabulary %d; backend %s; %d new items; rerank %d%n",
                    model,
                    base.data().config().numItems(),
                    base.data().config().dim(),
                    base.data().config().contentLen(),
                    base.data().config().contentVocab(),
                    backend.engineVersion(),
                    count,
                    rerank);
            double[] read = new double[rounds];
            double[] extend = new double[rounds];
            double[] create = new double[rounds];
            double[] vectors = new double[rounds];
            double[] total = new double[rounds];
            List<double[]> before = new ArrayList<>();
            List<double[]> after = new ArrayList<>();
            double[] ratios = new double[rounds];
            int[][] hist = new int[Math.min(users, d.numUsers())][];
            for (int u = 0; u < hist.length; u++) {
                hist[u] = d.history(u + 1);
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                List<NewItem> items = ItemFile.readNewItems(file);
                long t1 = System.nanoTime();
                SavedModel.requireContentRules(base.data());
                ItemAddition a = ItemAddition.of(base.data(), items, false);
                long t2 = System.nanoTime();
                try (SavedModel added = base.withData(backend, a.data())) {
                    long t3 = System.nanoTime();
                    added.model().itemVectors();
                    long t4 = System.nanoTime();
                    read[r] = ms(t1 - t0);
                    extend[r] = ms(t2 - t1);
                    create[r] = ms(t3 - t2);
                    vectors[r] = ms(t4 - t3);
                    total[r] = ms(t4 - t0);
                    double[][] pair = pairedLatency(
                            new Recommender(base.model(), rerank), new Recommender(added.model(), rerank), hist, k);
                    before.add(pair[0]);
                    after.add(pair[1]);
                    ratios[r] = pair[2][0];
                }
                OUT.printf(
                        Locale.ROOT,
                        "round %d: add %d items %.0f ms (read+tokens %.0f, extend %.0f, build model %.0f, first item"
                                + " vectors %.0f); recommend p50 %.2f -> %.2f ms, median per-user ratio %.3f%n",
                        r + 1,
                        count,
                        total[r],
                        read[r],
                        extend[r],
                        create[r],
                        vectors[r],
                        before.get(r)[0],
                        after.get(r)[0],
                        ratios[r]);
            }
            double b50 = median(before, 0);
            double a50 = median(after, 0);
            OUT.printf(
                    Locale.ROOT,
                    "add %d items: median %.0f ms (read+tokens %.0f, extend %.0f, build model %.0f, first item vectors"
                            + " %.0f)%n",
                    count,
                    median(total),
                    median(read),
                    median(extend),
                    median(create),
                    median(vectors));
            OUT.printf(
                    Locale.ROOT,
                    "recommend (%d users, k %d, rerank %d): p50 %.2f -> %.2f ms (%+.1f %%), p99 %.2f -> %.2f ms;"
                            + " median per-user time ratio after/before %.3f (%+.1f %%)%n",
                    hist.length,
                    k,
                    rerank,
                    b50,
                    a50,
                    100 * (a50 - b50) / b50,
                    median(before, 1),
                    median(after, 1),
                    median(ratios),
                    100 * (median(ratios) - 1));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code count} made-up sequels of the given movies in the movies.dat format, ids 1000001... */
    private static void writeItems(List<ItemFile.Entry> movies, int count, Path file) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ItemFile.Entry m = movies.get(i % movies.size());
            int part = 2 + i / movies.size();
            b.append(1_000_001 + i)
                    .append("::")
                    .append(m.title())
                    .append(" Part ")
                    .append(part)
                    .append(" (")
                    .append(m.year() > 0 ? m.year() + 5 : 2005)
                    .append(")::")
                    .append(String.join("|", m.genres()))
                    .append('\n');
        }
        Files.writeString(file, b, StandardCharsets.ISO_8859_1);
    }

    /**
     * One recommend call per history on each model, the two calls of a user back to back (which
     * goes first alternates), after a warm-up pass of each: {p50, p99} in ms of each model and the
     * median of the per-user ratios after / before, so that load drifting on a shared machine hits
     * both sides alike.
     */
    private static double[][] pairedLatency(Recommender before, Recommender after, int[][] hist, int k) {
        for (int u = 0; u < hist.length; u++) {
            before.recommend(hist[u], k);
            after.recommend(hist[u], k);
        }
        double[] tb = new double[hist.length];
        double[] ta = new double[hist.length];
        double[] ratio = new double[hist.length];
        for (int u = 0; u < hist.length; u++) {
            if (u % 2 == 0) {
                tb[u] = time(before, hist[u], k);
                ta[u] = time(after, hist[u], k);
            } else {
                ta[u] = time(after, hist[u], k);
                tb[u] = time(before, hist[u], k);
            }
            ratio[u] = ta[u] / tb[u];
        }
        return new double[][] {percentiles(tb), percentiles(ta), {median(ratio)}};
    }

    private static double time(Recommender rec, int[] hist, int k) {
        long t0 = System.nanoTime();
        rec.recommend(hist, k);
        return ms(System.nanoTime() - t0);
    }

    private static double[] percentiles(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        return new double[] {t[t.length / 2], t[Math.min(t.length - 1, (int) Math.ceil(0.99 * t.length) - 1)]};
    }

    private static double median(List<double[]> v, int i) {
        return median(v.stream().mapToDouble(x -> x[i]).toArray());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
