package dev.recsys.spark;

import dev.recsys.api.DataException;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.io.Json;
import dev.recsys.eval.baseline.Baselines;
import dev.recsys.eval.baseline.MostPopular;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.ItemMeta;
import dev.recsys.eval.data.PreparedFormat.Manifest;
import dev.recsys.eval.data.PreparedFormat.UserLine;
import dev.recsys.eval.data.PreparedReader;
import dev.recsys.eval.pipeline.SavedModel;
import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.protocol.EvalPart;
import dev.recsys.eval.protocol.EvalTotals;
import dev.recsys.eval.protocol.Evaluator;
import dev.recsys.eval.protocol.ModelScorer;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recsys spark evaluate}: the full-ranking protocol of recsys-eval ({@link Evaluator}: seen
 * items masked, pessimistic ties, every metric) computed partition by partition and combined
 * exactly ({@link EvalPart}, {@link EvalTotals}). Each partition's users are split as the manifest
 * says (the per-user rule of leave-one-out, or the global cut-offs of the temporal split) and ranked
 * against the whole catalogue; popularity@K uses the training counts of all users, summed first.
 * A baseline ({@link Baselines}: most-popular, item-KNN, Markov, content-KNN, random) is fitted once
 * on the driver, as the single JVM fits it, and broadcast. The result equals the single-JVM
 * {@code recsys evaluate} on the same data and model or baseline; per-user values are written to
 * Parquet when an output folder is given.
 */
public final class DistributedEvaluation {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedEvaluation.class);

    private DistributedEvaluation() {}

    /**
     * What to evaluate.
     *
     * @param data          the prepared folder
     * @param model         the checkpoint folder, or null with a baseline
     * @param baseline      a baseline's name or alias ({@link Baselines}), or null with a model
     * @param target        test or validation
     * @param ks            cut-offs
     * @param out           folder for {@code result.json} and {@code per-user/} (Parquet), or null
     * @param rerank        stage-2 depth, or null for the model's
     * @param batchSize     users per scoring call
     * @param backend       the backend's name, or null for the default
     * @param engineThreads the engine's intra-op threads per executor
     * @param seed          the seed of the random baseline
     */
    public record Options(
            String data,
            String model,
            String baseline,
            Target target,
            int[] ks,
            String out,
            Integer rerank,
            int batchSize,
            String backend,
            int engineThreads,
            long seed)
            implements Serializable {
        public Options {
            if ((model == null) == (baseline == null)) {
                throw new IllegalArgumentException("give exactly one of --model or --baseline");
            }
            if (baseline != null) {
                baseline = Baselines.canonical(baseline);
            }
            if (batchSize < 1 || engineThreads < 1) {
                throw new IllegalArgumentException(
                        "--batch-size and --engine-threads must be >= 1, found " + batchSize + ", " + engineThreads);
            }
            ks = ks.clone();
        }
    }

    /**
     * The result.
     *
     * @param metrics  the means, keys as in {@link dev.recsys.eval.metrics.EvalResult#metrics()}
     * @param users    users evaluated
     * @param skipped  users without a target
     * @param split    the split's name
     * @param dataset  the data set's name
     * @param seconds  wall time
     */
    public record Result(
            Map<String, Double> metrics, long users, long skipped, String split, String dataset, double seconds) {}

    /** One partition's part and the external ids of its slots. */
    private record Part(EvalPart part, String[] externals) implements Serializable {}

    /** Runs the evaluation. */
    public static Result run(SparkSession spark, Options o) throws IOException {
        long t0 = System.nanoTime();
        if (o.out() != null) {
            AtomicOutput.requireNew(spark, o.out(), "--out");
        }
        PreparedInput in = PreparedInput.open(spark, o.data());
        if (o.model() != null) {
            in.requireModelFits(o.model());
        }
        Manifest m = in.manifest();
        JavaRDD<String> lines = in.sequences(spark).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            int[] counts = lines.mapPartitions(it -> Collections.singletonList(
                                    shardSplit(it, m, o).split().trainItemCounts())
                            .iterator())
                    .treeReduce(DistributedEvaluation::add);
            Broadcast<int[]> pop =
                    spark.sparkContext().broadcast(counts, scala.reflect.ClassTag$.MODULE$.apply(int[].class));
            ModelHolder.Key key =
                    o.model() == null ? null : new ModelHolder.Key(o.model(), o.backend(), o.engineThreads());
            Broadcast<BatchScorer> baseline = o.baseline() == null
                    ? null
                    : spark.sparkContext()
                            .broadcast(
                                    fitBaseline(in, lines, counts, o),
                                    scala.reflect.ClassTag$.MODULE$.apply(BatchScorer.class));
            JavaRDD<Part> parts = lines.mapPartitions(
                            it -> evaluate(it, m, o, key, baseline == null ? null : baseline.value(), pop.value()))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                EvalTotals totals = parts.map(p -> p.part().totals()).treeReduce(EvalTotals::merge);
                String splitName = m.split().name();
                Result r = new Result(
                        totals.means(),
                        totals.users(),
                        totals.skipped(),
                        splitName,
                        m.name(),
                        (System.nanoTime() - t0) / 1e9);
                if (o.out() != null) {
                    write(spark, o, parts, r);
                }
                LOG.info("evaluated {} users in {} s", r.users(), r.seconds());
                return r;
            } finally {
                parts.unpersist();
                if (baseline != null) {
                    baseline.destroy();
                }
            }
        } finally {
            lines.unpersist();
        }
    }

    /**
     * The baseline fitted once, on the driver, as {@code recsys evaluate} fits it: most-popular from
     * the summed counts, item-KNN and Markov from the training sequences of all users (collected:
     * 4 bytes per training interaction), content-KNN from the catalogue's titles, random from the seed.
     */
    private static BatchScorer fitBaseline(PreparedInput in, JavaRDD<String> lines, int[] counts, Options o) {
        Manifest m = in.manifest();
        String name = o.baseline();
        if (name.equals("mostpop")) {
            return MostPopular.ofCounts(counts);
        }
        long t0 = System.nanoTime();
        int[][] train = null;
        if (Baselines.fitsOnSequences(name)) {
            train = new int[m.users() + 1][];
            train[0] = new int[0];
            for (scala.Tuple2<Integer, int[]> t : lines.mapPartitions(it -> {
                        ShardSplit ss = shardSplit(it, m, o);
                        List<scala.Tuple2<Integer, int[]>> out =
                                new ArrayList<>(ss.users().size());
                        for (int u = 1; u <= ss.users().size(); u++) {
                            out.add(new scala.Tuple2<>(
                                    ss.users().get(u - 1).user(), ss.split().train()[u]));
                        }
                        return out.iterator();
                    })
                    .collect()) {
                train[t._1()] = t._2();
            }
        }
        ItemContent content = null;
        if (name.equals("contentknn")) {
            ItemMeta meta = in.meta();
            content = meta.titledItems() > 0
                    ? ContentBuilder.standard().build(meta).content()
                    : null;
        }
        BatchScorer b = Baselines.fit(name, m.items(), train, content, o.seed(), m.name());
        LOG.info("fitted {} on the driver in {} ms", b, (System.nanoTime() - t0) / 1_000_000);
        return b;
    }

    /** A scorer that sees the global dense user ids (the random baseline hashes them) instead of a shard's. */
    private record GlobalUsers(BatchScorer inner, int[] global) implements BatchScorer {
        @Override
        public void score(int[] users, int[][] histories, float[] out) {
            int[] g = new int[users.length];
            for (int r = 0; r < users.length; r++) {
                g[r] = global[users[r]];
            }
            inner.score(g, histories, out);
        }

        @Override
        public boolean threadSafe() {
            return inner.threadSafe();
        }
    }

    private record ShardSplit(Split split, List<UserLine> users) {}

    private static ShardSplit shardSplit(Iterator<String> it, Manifest m, Options o) {
        List<UserLine> users = new ArrayList<>();
        while (it.hasNext()) {
            users.add(UserLine.parse(it.next(), m, o.data() + "/sequences"));
        }
        Dataset d = PreparedReader.shard(m, users);
        return new ShardSplit(m.split(d), users);
    }

    private static Iterator<Part> evaluate(
            Iterator<String> it, Manifest m, Options o, ModelHolder.Key key, BatchScorer baseline, int[] counts) {
        ShardSplit ss = shardSplit(it, m, o);
        if (ss.users().isEmpty()) {
            return Collections.emptyIterator();
        }
        Split split = ss.split();
        int[] global = new int[ss.users().size() + 1];
        for (int u = 1; u < global.length; u++) {
            global[u] = ss.users().get(u - 1).user();
        }
        BatchScorer scorer;
        if (key == null) {
            scorer = new GlobalUsers(baseline, global);
        } else {
            SavedModel model = ModelHolder.get(key);
            if (model.data().config().numItems() != m.items()) {
                throw new DataException(
                        "model " + key.dir() + " has " + model.data().config().numItems()
                                + " items on this executor, the data " + m.items()
                                + "; every executor must see the same model");
            }
            scorer = ModelScorer.of(model.model(), o.rerank() != null ? o.rerank() : model.rerank(), split, o.target());
        }
        Evaluator ev = Evaluator.builder()
                .ks(o.ks())
                .batchSize(o.batchSize())
                .threads(1)
                .build();
        EvalPart part = ev.evaluatePart(split, o.target(), scorer, counts);
        String[] externals = new String[part.size()];
        for (int j = 0; j < part.size(); j++) {
            externals[j] = ss.users().get(part.user(j) - 1).external();
        }
        return Collections.singletonList(new Part(part.renumbered(global), externals))
                .iterator();
    }

    private static void write(SparkSession spark, Options o, JavaRDD<Part> parts, Result r) throws IOException {
        List<String> keys = List.of(parts.first().part().keys());
        StructType schema = new StructType()
                .add("user", DataTypes.StringType, false)
                .add("user_index", DataTypes.IntegerType, false);
        for (String k : keys) {
            schema = schema.add(k, DataTypes.DoubleType, false);
        }
        JavaRDD<Row> rows = parts.flatMap(p -> {
            EvalPart e = p.part();
            List<Row> out = new ArrayList<>(e.size());
            int nk = e.keys().length;
            for (int j = 0; j < e.size(); j++) {
                Object[] v = new Object[2 + nk];
                v[0] = p.externals()[j];
                v[1] = e.user(j);
                for (int k = 0; k < nk; k++) {
                    v[2 + k] = e.value(k, j);
                }
                out.add(RowFactory.create(v));
            }
            return out.iterator();
        });
        StructType s = schema;
        AtomicOutput.write(spark, o.out(), "--out", out -> {
            spark.createDataFrame(rows, s).write().parquet(out.path("per-user"));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dataset", r.dataset());
            json.put("split", r.split());
            json.put("target", o.target().name());
            json.put("protocol", "full");
            json.put("model", o.model() != null ? o.model() : "baseline:" + o.baseline());
            json.put("users", r.users());
            json.put("skipped", r.skipped());
            json.put("metrics", r.metrics());
            out.writeString("result.json", Json.pretty(json) + "\n");
            return null;
        });
    }

    private static int[] add(int[] a, int[] b) {
        int[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] += b[i];
        }
        return c;
    }

    /** The result as a table of K rows (as {@code recsys evaluate} prints), for the command line. */
    public static String table(Result r, int[] ks) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s | %s | users %d (skipped %d) | %.1f s%n",
                r.dataset(),
                r.split(),
                r.users(),
                r.skipped(),
                r.seconds()));
        sb.append(String.format(
                Locale.ROOT,
                "%-6s %-8s %-8s %-8s %-8s %-8s %-8s %-8s%n",
                "K",
                "NDCG",
                "Recall",
                "HR",
                "Precision",
                "MAP",
                "Coverage",
                "Pop."));
        for (int k : ks) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-6d %-8.4f %-8.4f %-8.4f %-8.4f %-8.4f %-8.4f %-8.1f%n",
                    k,
                    r.metrics().get("ndcg@" + k),
                    r.metrics().get("recall@" + k),
                    r.metrics().get("hr@" + k),
                    r.metrics().get("precision@" + k),
                    r.metrics().get("map@" + k),
                    r.metrics().get("coverage@" + k),
                    r.metrics().get("popularity@" + k)));
        }
        sb.append(String.format(Locale.ROOT, "MRR %.4f%n", r.metrics().get("mrr")));
        return sb.toString();
    }
}
