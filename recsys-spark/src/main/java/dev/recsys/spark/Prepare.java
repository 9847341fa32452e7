package dev.recsys.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.DatasetStats;
import dev.recsys.eval.data.ItemMeta;
import dev.recsys.eval.data.PreparedFormat;
import dev.recsys.eval.data.PreparedFormat.Filters;
import dev.recsys.eval.data.PreparedFormat.ItemLine;
import dev.recsys.eval.data.PreparedFormat.Manifest;
import dev.recsys.eval.data.PreparedFormat.SplitSpec;
import dev.recsys.eval.data.PreparedFormat.UserLine;
import dev.recsys.eval.split.TemporalSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recsys spark prepare}: reads an interaction log ({@link LogReader}), drops unparsable rows
 * (counted, with examples; more than {@link Options#maxBadRows} fail the job), keeps the ratings at
 * or above a threshold, applies the iterated k-core, numbers users and items densely by first
 * appearance in the log (as the single-JVM readers and {@link dev.recsys.eval.data.Preprocess}
 * do), orders each user's interactions by time (ties in log order) and writes the
 * {@link PreparedFormat} folder, atomically. Everything but the item catalogue and the sequence
 * lengths (for the statistics) stays distributed.
 */
public final class Prepare {
    private static final Logger LOG = LoggerFactory.getLogger(Prepare.class);

    private Prepare() {}

    /**
     * What to prepare.
     *
     * @param source     the log, {@code FORMAT:PATH} ({@link LogReader#FORMATS})
     * @param out        the folder to write (must not exist)
     * @param minRating  keep interactions rated at least this (null: all)
     * @param minPerUser iterated k-core minimum per user (1: none)
     * @param minPerItem iterated k-core minimum per item (1: none)
     * @param split      {@code leave-one-out} or {@code temporal:VAL,TEST} (fractions)
     * @param maxBadRows unparsable rows tolerated (skipped and counted); one more fails the job
     * @param shards     sequence files to write (0: Spark's default parallelism)
     * @param itemMap    sasrec: the item-id map ({@code sasrec_id movie_id} lines), or null when the
     *                   ids are the movies' ids
     * @param movies     sasrec: the movies file for titles, or null
     */
    public record Options(
            String source,
            String out,
            Float minRating,
            int minPerUser,
            int minPerItem,
            String split,
            long maxBadRows,
            int shards,
            Path itemMap,
            Path movies) {
        public Options {
            if (minPerUser < 1 || minPerItem < 1) {
                throw new IllegalArgumentException(
                        "--min-per-user and --min-per-item must be >= 1, found " + minPerUser + ", " + minPerItem);
            }
            if (maxBadRows < 0) {
                throw new IllegalArgumentException("--max-bad-rows must be >= 0, found " + maxBadRows);
            }
            if (shards < 0) {
                throw new IllegalArgumentException("--shards must be >= 0, found " + shards);
            }
        }
    }

    /** Runs the preparation and returns the manifest written. */
    public static Manifest run(SparkSession spark, Options o) throws IOException {
        AtomicOutput.requireNew(spark, o.out(), "--out");
        double[] temporal = parseSplit(o.split());
        LogReader.Log log = LogReader.read(spark, o.source(), o.itemMap(), o.movies());
        if (temporal != null && !log.timestamps()) {
            throw new DataException(o.source() + " has no timestamp column; a temporal split needs one");
        }
        if (o.minRating() != null && !log.ratings()) {
            throw new DataException(o.source() + " has no rating column; --min-rating needs one");
        }
        // the rows' text ("raw") is read again only for the examples of bad rows
        Dataset<Row> all = log.table().drop("raw").persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return AtomicOutput.write(spark, o.out(), "--out", out -> prepare(spark, o, log, all, temporal, out));
        } finally {
            all.unpersist();
        }
    }

    private static Manifest prepare(
            SparkSession spark, Options o, LogReader.Log log, Dataset<Row> all, double[] temporal, AtomicOutput out)
            throws IOException {
        long bad = all.filter(col("bad").isNotNull()).count();
        if (bad > 0) {
            List<String> examples = new ArrayList<>();
            for (Row r : log.table()
                    .filter(col("bad").isNotNull())
                    .select("bad", "raw")
                    .limit(3)
                    .collectAsList()) {
                examples.add(r.getString(0) + ": '" + shorten(r.getString(1)) + "'");
            }
            if (bad > o.maxBadRows()) {
                throw new DataException(o.source() + ": " + bad + " unparsable rows (more than --max-bad-rows "
                        + o.maxBadRows() + "), e.g. " + String.join("; ", examples));
            }
            LOG.warn("{}: skipped {} unparsable rows, e.g. {}", o.source(), bad, String.join("; ", examples));
        }
        Dataset<Row> good = all.filter(col("bad").isNull()).drop("bad");
        long read = all.count() - bad;
        if (read == 0) {
            throw new DataException(o.source() + ": no interactions");
        }
        Dataset<Row> kept = good;
        if (o.minRating() != null) {
            kept = kept.filter(col("rating").geq(o.minRating()));
        }
        kept = kCore(kept, o.minPerUser(), o.minPerItem());
        long n = kept.count();
        if (n == 0) {
            throw new DataException(o.source() + ": no interaction is left after filtering (" + describe(o) + ") of "
                    + read + " read; loosen the filters");
        }
        // dense ids: first appearance in the whole log (before filtering), among those kept; a
        // sasrec file's own ids, or their order when a filter dropped some (as Dataset.filter does)
        boolean fileIds = log.fileIds() && o.minRating() == null && o.minPerUser() == 1 && o.minPerItem() == 1;
        Dataset<Row> userIds = denseIds(spark, kept, good, "user", "u", log.fileIds(), fileIds);
        Dataset<Row> itemIds = denseIds(spark, kept, good, "item", "i", log.fileIds(), fileIds);
        List<String> eventTypes = null;
        Map<String, Integer> eventIds = new HashMap<>();
        if (log.events()) {
            eventTypes = new ArrayList<>();
            for (Row r : good.groupBy("event")
                    .agg(min("row").as("first"))
                    .orderBy("first")
                    .select("event")
                    .collectAsList()) {
                eventTypes.add(r.getString(0));
                eventIds.put(r.getString(0), eventTypes.size());
            }
        }
        int numUsers = fileIds ? largest(userIds, "u") : (int) userIds.count();
        int numItems = fileIds ? largest(itemIds, "i") : (int) itemIds.count();
        SplitSpec split = SplitSpec.leaveOneOut();
        if (temporal != null) {
            split = temporalSplit(kept, n, temporal[0], temporal[1]);
        }
        Manifest shape = new Manifest(
                PreparedFormat.FORMAT,
                PreparedFormat.VERSION,
                log.name(),
                o.source(),
                log.longIds() ? "long" : "string",
                log.longIds() ? "long" : "string",
                numUsers,
                numItems,
                n,
                log.timestamps(),
                log.ratings(),
                eventTypes,
                new Filters(o.minRating(), o.minPerUser(), o.minPerItem()),
                split,
                bad,
                null);
        Dataset<Row> joined = kept.join(userIds, "user").join(itemIds, "item");
        List<org.apache.spark.sql.Column> fields = new ArrayList<>();
        if (log.timestamps()) {
            fields.add(col("timestamp"));
        }
        fields.add(col("row"));
        fields.add(col("i"));
        fields.add(col("rating"));
        fields.add(col("event"));
        Dataset<Row> seqs = joined.groupBy("u")
                .agg(
                        first("user").as("user"),
                        sort_array(collect_list(struct(fields.toArray(new org.apache.spark.sql.Column[0]))))
                                .as("seq"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        int shards = o.shards() > 0 ? o.shards() : spark.sparkContext().defaultParallelism();
        Map<String, Integer> events = eventIds;
        // with a sasrec file's own ids, the users between them without a line are users without interactions
        Dataset<Row> everyUser =
                fileIds ? spark.range(1, numUsers + 1L).toDF("u").join(seqs, new String[] {"u"}, "left") : seqs;
        JavaRDD<String> lines = everyUser
                .repartition(shards, col("u"))
                .sortWithinPartitions("u")
                .javaRDD()
                .map(r -> toLine(r, shape, events).format());
        lines.saveAsTextFile(out.path(PreparedFormat.SEQUENCES));
        int[] lengths =
                seqs.select(org.apache.spark.sql.functions.size(col("seq"))).as(Encoders.INT()).collectAsList().stream()
                        .mapToInt(Integer::intValue)
                        .toArray();
        writeItems(spark, log, itemIds, numItems, fileIds, largestItem(log, good), out);
        seqs.unpersist();
        userIds.unpersist();
        itemIds.unpersist();
        Manifest m = new Manifest(
                shape.format(),
                shape.version(),
                shape.name(),
                shape.source(),
                shape.userIdType(),
                shape.itemIdType(),
                numUsers,
                numItems,
                n,
                shape.timestamps(),
                shape.ratings(),
                eventTypes,
                shape.filters(),
                split,
                bad,
                DatasetStats.of(numUsers, numItems, lengths));
        out.writeString(PreparedFormat.MANIFEST, PreparedFormat.toJson(m));
        LOG.info("prepared {}: {}", out.target(), m.stats().summary());
        return m;
    }

    /**
     * One user's line from {@code (u, user, seq)}, seq sorted by (timestamp,) row; user and seq are
     * null for a user without interactions (whose external id is then u).
     */
    private static UserLine toLine(Row r, Manifest m, Map<String, Integer> eventIds) {
        int u = (int) r.getLong(0);
        String user = r.isNullAt(1) ? Integer.toString(u) : r.getString(1);
        List<Row> seq = r.isNullAt(2) ? List.of() : r.getList(2);
        int k0 = m.timestamps() ? 1 : 0;
        int[] items = new int[seq.size()];
        long[] ts = m.timestamps() ? new long[items.length] : null;
        float[] ratings = m.ratings() ? new float[items.length] : null;
        int[] ev = m.events() ? new int[items.length] : null;
        for (int k = 0; k < items.length; k++) {
            Row e = seq.get(k);
            items[k] = (int) e.getLong(k0 + 1);
            if (ts != null) {
                ts[k] = e.getLong(0);
            }
            if (ratings != null) {
                ratings[k] = e.getFloat(k0 + 2);
            }
            if (ev != null) {
                ev[k] = eventIds.get(e.getString(k0 + 3));
            }
        }
        return new UserLine(u, user, items, ts, ratings, ev);
    }

    private static void writeItems(
            SparkSession spark,
            LogReader.Log log,
            Dataset<Row> itemIds,
            int numItems,
            boolean fileIds,
            long largestItem,
            AtomicOutput out)
            throws IOException {
        String[] external = new String[numItems + 1];
        for (Row r : itemIds.collectAsList()) {
            external[(int) r.getLong(1)] = r.getString(0);
        }
        if (fileIds) {
            // the ids between a sasrec file's items are items without interactions
            for (int i = 1; i <= numItems; i++) {
                if (external[i] == null) {
                    external[i] = Integer.toString(i);
                }
            }
        }
        ItemMeta meta = null;
        if (log.meta() != null) {
            long[] ids = new long[numItems];
            for (int i = 1; i <= numItems; i++) {
                ids[i - 1] = Long.parseLong(external[i]);
            }
            meta = log.meta().meta(ids, largestItem);
        }
        List<String> lines = new ArrayList<>(numItems);
        for (int i = 1; i <= numItems; i++) {
            lines.add(new ItemLine(
                            i,
                            external[i],
                            meta == null ? null : meta.title(i),
                            meta == null ? new String[0] : meta.genres(i),
                            meta == null ? 0 : meta.year(i))
                    .format());
        }
        spark.createDataset(lines, Encoders.STRING()).coalesce(1).write().text(out.path(PreparedFormat.ITEMS));
    }

    /**
     * Dense ids 1.. of the {@code key} values in {@code kept}: in order of their first row in
     * {@code all}; with {@code numeric}, in the order of their value; with {@code same}, the value
     * itself.
     */
    private static Dataset<Row> denseIds(
            SparkSession spark,
            Dataset<Row> kept,
            Dataset<Row> all,
            String key,
            String dense,
            boolean numeric,
            boolean same) {
        if (same) {
            return kept.select(key)
                    .distinct()
                    .withColumn(dense, col(key).cast("bigint"))
                    .persist();
        }
        Dataset<Row> ordered;
        if (numeric) {
            ordered = kept.select(key).distinct().orderBy(col(key).cast("bigint"));
        } else {
            Dataset<Row> firstRow = all.groupBy(key).agg(min("row").as("first"));
            ordered = kept.select(key).distinct().join(firstRow, key).orderBy("first");
        }
        JavaRDD<Row> numbered =
                ordered.javaRDD().zipWithIndex().map(t -> RowFactory.create(t._1().getString(0), t._2() + 1));
        StructType schema =
                new StructType().add(key, DataTypes.StringType, false).add(dense, DataTypes.LongType, false);
        return spark.createDataFrame(numbered, schema).persist();
    }

    /** The largest value of column {@code c}. */
    private static int largest(Dataset<Row> d, String c) {
        return (int) d.agg(org.apache.spark.sql.functions.max(c)).first().getLong(0);
    }

    /** The largest item id of a log with numeric ids that has item content (the catalogue a sasrec map covers), else 0. */
    private static long largestItem(LogReader.Log log, Dataset<Row> good) {
        if (!log.fileIds() || log.meta() == null) {
            return 0;
        }
        return good.agg(org.apache.spark.sql.functions.max(col("item").cast("bigint")))
                .first()
                .getLong(0);
    }

    /** The iterated k-core (the same fixed point as {@link dev.recsys.eval.data.Preprocess#kCore}). */
    static Dataset<Row> kCore(Dataset<Row> d, int minPerUser, int minPerItem) {
        if (minPerUser <= 1 && minPerItem <= 1) {
            return d;
        }
        Dataset<Row> cur = d.localCheckpoint();
        long size = cur.count();
        int rounds = 0;
        while (true) {
            rounds++;
            Dataset<Row> users = cur.groupBy("user")
                    .agg(count("*").as("c"))
                    .filter(col("c").geq(minPerUser))
                    .select("user");
            Dataset<Row> items = cur.groupBy("item")
                    .agg(count("*").as("c"))
                    .filter(col("c").geq(minPerItem))
                    .select("item");
            Dataset<Row> next = cur.join(users, new String[] {"user"}, "left_semi")
                    .join(items, new String[] {"item"}, "left_semi")
                    .localCheckpoint();
            long s = next.count();
            if (s == size) {
                LOG.info(
                        "{}-core (users) / {}-core (items) after {} rounds: {} interactions",
                        minPerUser,
                        minPerItem,
                        rounds,
                        s);
                return next;
            }
            cur = next;
            size = s;
        }
    }

    /** The global cut-offs of {@link TemporalSplit#split(dev.recsys.eval.data.Dataset, double, double)}, exactly. */
    private static SplitSpec temporalSplit(Dataset<Row> kept, long n, double val, double test) {
        long k1 = Math.min(n - 1, (long) Math.floor((1 - val - test) * n));
        long k2 = Math.min(n - 1, (long) Math.floor((1 - test) * n));
        List<scala.Tuple2<Long, Long>> picked = kept.select("timestamp")
                .orderBy("timestamp")
                .javaRDD()
                .zipWithIndex()
                .filter(t -> t._2() == k1 || t._2() == k2)
                .map(t -> new scala.Tuple2<>(t._2(), t._1().getLong(0)))
                .collect();
        long t1 = 0;
        long t2 = 0;
        for (scala.Tuple2<Long, Long> p : picked) {
            if (p._1() == k1) {
                t1 = p._2();
            }
            if (p._1() == k2) {
                t2 = p._2();
            }
        }
        return new SplitSpec(TemporalSplit.NAME, val, test, t1, t2);
    }

    /** {@code leave-one-out} gives null, {@code temporal:V,T} the two fractions. */
    static double[] parseSplit(String s) {
        if (s == null || s.equals(dev.recsys.eval.split.LeaveOneOut.NAME)) {
            return null;
        }
        if (s.startsWith(TemporalSplit.NAME + ":")) {
            String[] f = s.substring(TemporalSplit.NAME.length() + 1).split(",");
            try {
                if (f.length == 2) {
                    double v = Double.parseDouble(f[0].trim());
                    double t = Double.parseDouble(f[1].trim());
                    if (v >= 0 && t > 0 && v + t < 1) {
                        return new double[] {v, t};
                    }
                }
            } catch (NumberFormatException e) {
                // the message below
            }
        }
        throw new IllegalArgumentException("--split must be leave-one-out or temporal:VAL,TEST with fractions "
                + "0 <= VAL, 0 < TEST, VAL + TEST < 1 (e.g. temporal:0.1,0.1), found " + s);
    }

    private static String describe(Options o) {
        List<String> f = new ArrayList<>();
        if (o.minRating() != null) {
            f.add("rating >= " + o.minRating());
        }
        if (o.minPerUser() > 1 || o.minPerItem() > 1) {
            f.add(o.minPerUser() + "-core users / " + o.minPerItem() + "-core items");
        }
        return f.isEmpty() ? "no filter" : String.join(", ", f);
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
