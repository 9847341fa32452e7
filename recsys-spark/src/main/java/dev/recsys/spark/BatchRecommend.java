package dev.recsys.spark;

import dev.recsys.api.DataException;
import dev.recsys.api.recommend.Recommendation;
import dev.recsys.api.recommend.Recommender;
import dev.recsys.eval.data.PreparedFormat.Manifest;
import dev.recsys.eval.data.PreparedFormat.UserLine;
import dev.recsys.eval.pipeline.SavedModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recsys spark recommend}: the top K of every user of a prepared folder (or of a list of
 * users) from a checkpoint, written to Parquet as {@code user, rank, item, score} (external ids,
 * rank 1 = best), atomically. Each executor loads the model once ({@link ModelHolder}) and scores
 * its partitions' users in batches ({@link Recommender}: stage 1, and stage 2 on the model's
 * re-rank depth), the users' seen items left out unless asked.
 */
public final class BatchRecommend {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRecommend.class);

    /** The output's columns. */
    public static final StructType SCHEMA = new StructType()
            .add("user", DataTypes.StringType, false)
            .add("rank", DataTypes.IntegerType, false)
            .add("item", DataTypes.StringType, false)
            .add("score", DataTypes.FloatType, false);

    private BatchRecommend() {}

    /**
     * What to recommend.
     *
     * @param data          the prepared folder
     * @param model         the checkpoint folder (readable at this path on every executor)
     * @param out           the Parquet folder to write (must not exist)
     * @param k             items per user
     * @param users         external user ids to recommend for, or null for all
     * @param includeSeen   whether items of the history may be recommended
     * @param rerank        stage-2 depth, or null for the model's
     * @param batchSize     users per forward pass
     * @param backend       the backend's name, or null for the default
     * @param engineThreads the engine's intra-op threads per executor
     */
    public record Options(
            String data,
            String model,
            String out,
            int k,
            List<String> users,
            boolean includeSeen,
            Integer rerank,
            int batchSize,
            String backend,
            int engineThreads)
            implements java.io.Serializable {
        public Options {
            users = users == null ? null : List.copyOf(users);
            if (k < 1) {
                throw new IllegalArgumentException("-k must be >= 1, found " + k);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be >= 1, found " + batchSize);
            }
            if (engineThreads < 1) {
                throw new IllegalArgumentException("--engine-threads must be >= 1, found " + engineThreads);
            }
            if (rerank != null && rerank < 0) {
                throw new IllegalArgumentException("--rerank must be >= 0, found " + rerank);
            }
        }
    }

    /**
     * What was written.
     *
     * @param users   users recommended for
     * @param rows    rows written
     * @param seconds wall time of the job
     */
    public record Summary(long users, long rows, double seconds) {}

    /** Runs the job. */
    public static Summary run(SparkSession spark, Options o) throws IOException {
        long t0 = System.nanoTime();
        AtomicOutput.requireNew(spark, o.out(), "--out");
        PreparedInput in = PreparedInput.open(spark, o.data());
        in.requireModelFits(o.model());
        Manifest m = in.manifest();
        JavaRDD<String> lines = in.sequences(spark);
        if (o.users() != null) {
            Set<String> wanted = new HashSet<>(o.users());
            Broadcast<Set<String>> w =
                    spark.sparkContext().broadcast(wanted, scala.reflect.ClassTag$.MODULE$.apply(Set.class));
            lines = lines.filter(s -> w.value().contains(external(s)));
            Set<String> found =
                    new HashSet<>(lines.map(BatchRecommend::external).collect());
            List<String> missing =
                    o.users().stream().filter(u -> !found.contains(u)).limit(5).toList();
            if (!missing.isEmpty()) {
                long all = o.users().stream().filter(u -> !found.contains(u)).count();
                throw new DataException(all + " of the " + wanted.size() + " users asked for are not in " + o.data()
                        + ", e.g. " + missing);
            }
        }
        Broadcast<String[]> items =
                spark.sparkContext().broadcast(in.itemIds(), scala.reflect.ClassTag$.MODULE$.apply(String[].class));
        ModelHolder.Key key = new ModelHolder.Key(o.model(), o.backend(), o.engineThreads());
        JavaRDD<Row> rows = lines.mapPartitions(it -> recommend(it, m, key, o, items.value()));
        AtomicOutput.write(spark, o.out(), "--out", out -> {
            spark.createDataFrame(rows, SCHEMA).write().parquet(out.root());
            return null;
        });
        // (Spark reads no folder whose name starts with a dot, so the count is of the published one; from the footers)
        long written = spark.read().parquet(o.out()).count();
        double secs = (System.nanoTime() - t0) / 1e9;
        long users = o.users() != null ? o.users().size() : m.users();
        LOG.info("recommended {} items for {} users in {} s", o.k(), users, secs);
        return new Summary(users, written, secs);
    }

    private static Iterator<Row> recommend(
            Iterator<String> it, Manifest m, ModelHolder.Key key, Options o, String[] itemIds) {
        SavedModel model = ModelHolder.get(key);
        if (model.data().config().numItems() != m.items()) {
            throw new DataException("model " + key.dir() + " has "
                    + model.data().config().numItems() + " items on this executor, the data " + m.items()
                    + "; every executor must see the same model");
        }
        Recommender rec = new Recommender(model.model(), o.rerank() != null ? o.rerank() : model.rerank());
        boolean withEvents = model.data().config().eventTypes() > 0;
        return Batches.of(it, o.batchSize(), lines -> {
            int b = lines.size();
            UserLine[] batch = new UserLine[b];
            int[][] hs = new int[b][];
            int[][] ev = withEvents ? new int[b][] : null;
            for (int r = 0; r < b; r++) {
                batch[r] = UserLine.parse(lines.get(r), m, o.data() + "/sequences");
                hs[r] = batch[r].items();
                if (ev != null) {
                    int[] e = batch[r].events();
                    ev[r] = e == null ? new int[hs[r].length] : e;
                }
            }
            List<List<Recommendation>> top = rec.recommendBatch(hs, ev, o.k(), !o.includeSeen());
            List<Row> out = new ArrayList<>(b * o.k());
            for (int r = 0; r < b; r++) {
                int rank = 1;
                for (Recommendation x : top.get(r)) {
                    out.add(RowFactory.create(batch[r].external(), rank++, itemIds[x.item()], x.score()));
                }
            }
            return out;
        });
    }

    /** The external user id of a sequence line (its second field), unescaped. */
    private static String external(String line) {
        int a = line.indexOf('\t');
        int b = line.indexOf('\t', a + 1);
        return dev.recsys.eval.data.PreparedFormat.unescape(line.substring(a + 1, b));
    }
}
