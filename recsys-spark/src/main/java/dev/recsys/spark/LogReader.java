package dev.recsys.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.ItemMeta;
import dev.recsys.eval.data.MovieLensFiles;
import dev.recsys.eval.data.Sasrec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads an interaction log into a table of {@code row, user, item, rating, timestamp, event, bad,
 * raw}, with the column rules of the single-JVM readers: {@code csv:PATH} and {@code parquet:PATH}
 * name their columns {@code user}, {@code item} and optionally {@code rating}, {@code timestamp},
 * {@code event} (any case; other columns ignored; a CSV's delimiter is a tab if its header holds
 * one, else a semicolon if it holds no comma, else a comma), and the MovieLens releases
 * ({@code ml-100k:DIR}, {@code ml-1m:DIR}, ...) are read from their ratings file with numeric ids.
 * {@code sasrec:FILE} is SASRec's {@code user item} file with the rules of
 * {@link dev.recsys.eval.data.Sasrec}: two integers of at least 1 a line, separated by spaces or
 * tabs, blank lines skipped, each user's items in time order; its ids are kept ({@link Log#fileIds}).
 * {@code row} is the row's position in the log (increasing in file order), which numbers users and
 * items by first appearance as {@link dev.recsys.eval.data.DatasetBuilder} does. A timestamp is an
 * integer or an ISO-8601 date-time or date (UTC). {@code bad} is null for a usable row, else why
 * not; {@code raw} shows the row for the message.
 */
public final class LogReader {
    /** The formats {@link #read} knows. */
    public static final List<String> FORMATS =
            List.of("csv", "parquet", "sasrec", "ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-latest");

    private static final String CORRUPT = "_corrupt_record";

    private LogReader() {}

    /**
     * A log read.
     *
     * @param table     the rows (see the class comment); rating, timestamp, event are null when absent
     * @param name      the data set's name, as the single-JVM reader gives it
     * @param longIds   whether external ids are numbers
     * @param ratings   whether there is a rating column
     * @param timestamps whether there is a timestamp column
     * @param events    whether there is an event column
     * @param fileIds   whether the dense ids are the file's own ids (sasrec: dense id = file id, the
     *                  catalogue 1..largest id, as {@link dev.recsys.eval.data.Sasrec#read} numbers
     *                  them) rather than the order of first appearance
     * @param meta      where the items' titles come from, or null
     */
    public record Log(
            Dataset<Row> table,
            String name,
            boolean longIds,
            boolean ratings,
            boolean timestamps,
            boolean events,
            boolean fileIds,
            MetaSource meta) {}

    /** The titles, genres and years of a catalogue, read on the driver. */
    @FunctionalInterface
    public interface MetaSource {
        /**
         * The metadata of the catalogue whose dense item i has the external id {@code ids[i - 1]};
         * {@code largestId} is the largest item id of the whole log (before filtering).
         */
        ItemMeta meta(long[] ids, long largestId) throws IOException;
    }

    /** Reads {@code spec} ({@code FORMAT:PATH}) without item content files. */
    public static Log read(SparkSession spark, String spec) {
        return read(spark, spec, null, null);
    }

    /**
     * Reads {@code spec} ({@code FORMAT:PATH}); with sasrec, {@code movies} (and the item-id map
     * {@code itemMap}, lines {@code sasrec_id movie_id}; null when the ids are the movies' ids) give
     * the items' titles, as {@link dev.recsys.eval.data.Sasrec#read} attaches them.
     */
    public static Log read(SparkSession spark, String spec, Path itemMap, Path movies) {
        int colon = spec.indexOf(':');
        String format = colon < 0 ? spec : spec.substring(0, colon).toLowerCase(Locale.ROOT);
        String path = colon < 0 ? "" : spec.substring(colon + 1);
        if (!FORMATS.contains(format)) {
            throw new DataException("unknown log format '" + format + "' in " + spec + "; known: " + FORMATS);
        }
        if (path.isEmpty()) {
            throw new DataException(spec + " needs a path: " + format + ":PATH");
        }
        if ((itemMap != null || movies != null) && !format.equals("sasrec")) {
            throw new DataException("--item-map and --movies only apply to --data sasrec:PATH");
        }
        if (itemMap != null && movies == null) {
            throw new DataException("--item-map needs --movies (the titles the map points to)");
        }
        return switch (format) {
            case "csv" -> csv(spark, path);
            case "sasrec" -> sasrec(spark, path, itemMap, movies);
            case "parquet" -> parquet(spark, path);
            default -> movieLens(spark, format, path);
        };
    }

    private static Log csv(SparkSession spark, String path) {
        List<String> first = spark.read().textFile(path).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new DataException(path
                    + ":1: empty file; expected a header naming the columns user,item[,rating][,timestamp][,event]");
        }
        String header = first.get(0).replace("\uFEFF", "");
        String delim = header.contains("\t") ? "\t" : header.contains(";") && !header.contains(",") ? ";" : ",";
        List<String> names = new ArrayList<>();
        for (String n : header.split(java.util.regex.Pattern.quote(delim), -1)) {
            String s = n.strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                s = s.substring(1, s.length() - 1);
            }
            names.add(s);
        }
        Map<String, String> cols = columns(names, path);
        Dataset<Row> raw = readCsv(spark, path, delim, true, names);
        String name = Path.of(path).getFileName().toString();
        return parse(raw, cols, delim, name, false, null);
    }

    private static Log movieLens(SparkSession spark, String format, String dir) {
        MovieLensFiles f = MovieLensFiles.of(format, Path.of(dir));
        List<String> names = List.of("user", "item", "rating", "timestamp");
        Dataset<Row> raw = readCsv(spark, f.ratings().toString(), f.delimiter(), f.header(), names);
        return parse(
                raw,
                columns(names, f.ratings().toString()),
                f.delimiter(),
                format,
                true,
                (ids, largest) -> f.meta(ids));
    }

    private static Log sasrec(SparkSession spark, String path, Path itemMap, Path movies) {
        if (itemMap != null && !Files.isRegularFile(itemMap)) {
            throw new DataException("--item-map file not found: " + itemMap);
        }
        if (movies != null && !Files.isRegularFile(movies)) {
            throw new DataException("--movies file not found: " + movies);
        }
        Dataset<Row> t = spark.read()
                .text(path)
                .withColumn("row", monotonically_increasing_id())
                .withColumn("f", expr("filter(split(value, '[ \\t]+'), x -> x != '')"))
                .filter("size(f) > 0");
        t = t.select(
                col("row"),
                expr("cast(try_cast(f[0] as int) as string)").as("user"),
                expr("cast(try_cast(f[1] as int) as string)").as("item"),
                lit(null).cast("float").as("rating"),
                lit(null).cast("bigint").as("timestamp"),
                lit(null).cast("string").as("event"),
                expr("CASE WHEN size(f) != 2 THEN concat('expected ''user item'' (2 fields), found ', size(f), ' fields')"
                                + " WHEN try_cast(f[0] as int) IS NULL THEN 'user id must be an integer'"
                                + " WHEN try_cast(f[1] as int) IS NULL THEN 'item id must be an integer'"
                                + " WHEN try_cast(f[0] as int) < 1 OR try_cast(f[1] as int) < 1"
                                + " THEN 'SASRec ids start at 1' END")
                        .as("bad"),
                col("value").as("raw"));
        MetaSource meta = movies == null
                ? null
                : (ids, largest) -> {
                    int[] old = new int[ids.length];
                    for (int k = 0; k < ids.length; k++) {
                        old[k] = (int) ids[k];
                    }
                    return Sasrec.itemMeta((int) largest, itemMap, movies).select(old);
                };
        return new Log(t, Sasrec.name(Path.of(path)), true, false, false, false, true, meta);
    }

    private static Log parquet(SparkSession spark, String path) {
        Dataset<Row> raw = spark.read().parquet(path);
        Map<String, String> cols = columns(List.of(raw.columns()), path);
        Dataset<Row> strings = raw.withColumn(CORRUPT, lit(null).cast(DataTypes.StringType));
        for (String c : cols.values()) {
            strings = strings.withColumn(c, col(quoted(c)).cast(DataTypes.StringType));
        }
        return parse(strings, cols, ",", Path.of(path).getFileName().toString(), false, null);
    }

    private static Dataset<Row> readCsv(
            SparkSession spark, String path, String delim, boolean header, List<String> names) {
        StructType schema = new StructType();
        for (String n : names) {
            schema = schema.add(n, DataTypes.StringType, true);
        }
        schema = schema.add(CORRUPT, DataTypes.StringType, true);
        return spark.read()
                .schema(schema)
                .option("header", header)
                .option("sep", delim)
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT)
                .option("encoding", "UTF-8")
                .csv(path);
    }

    /** The log's column for each of user, item, rating, timestamp, event (case-insensitive); fails without user or item. */
    private static Map<String, String> columns(List<String> names, String where) {
        Map<String, String> byLower = new LinkedHashMap<>();
        for (String n : names) {
            byLower.putIfAbsent(n.strip().toLowerCase(Locale.ROOT), n);
        }
        if (!byLower.containsKey("user") || !byLower.containsKey("item")) {
            throw new DataException(where + ": the columns must include 'user' and 'item' (and optionally rating, "
                    + "timestamp, event); found " + names);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : List.of("user", "item", "rating", "timestamp", "event")) {
            if (byLower.containsKey(k)) {
                out.put(k, byLower.get(k));
            }
        }
        return out;
    }

    private static Log parse(
            Dataset<Row> raw, Map<String, String> cols, String delim, String name, boolean longIds, MetaSource meta) {
        Dataset<Row> t = raw.withColumn("row", monotonically_increasing_id());
        String u = trimmed(cols.get("user"));
        String i = trimmed(cols.get("item"));
        Column user = longIds ? expr("cast(try_cast(" + u + " as bigint) as string)") : expr("nullif(" + u + ", '')");
        Column item = longIds ? expr("cast(try_cast(" + i + " as bigint) as string)") : expr("nullif(" + i + ", '')");
        boolean hasR = cols.containsKey("rating");
        boolean hasT = cols.containsKey("timestamp");
        boolean hasE = cols.containsKey("event");
        Column rating = hasR
                ? expr("try_cast(" + trimmed(cols.get("rating")) + " as float)")
                : lit(null).cast("float");
        String tv = hasT ? trimmed(cols.get("timestamp")) : null;
        Column ts = hasT
                ? expr("coalesce(try_cast(" + tv + " as bigint), unix_timestamp(try_to_timestamp(" + tv + ")))")
                : lit(null).cast("bigint");
        Column event = hasE
                ? expr("nullif(" + trimmed(cols.get("event")) + ", '')")
                : lit(null).cast("string");
        List<String> rawCols = new ArrayList<>();
        for (String c : cols.values()) {
            rawCols.add("coalesce(" + quoted(c) + ", '')");
        }
        Column shown = expr("coalesce(" + CORRUPT + ", concat_ws('" + (delim.equals("\t") ? "\\t" : delim) + "', "
                + String.join(", ", rawCols) + "))");
        t = t.select(
                col("row"),
                user.as("user"),
                item.as("item"),
                rating.as("rating"),
                ts.as("timestamp"),
                event.as("event"),
                col(CORRUPT).as("corrupt"),
                shown.as("raw"));
        String idKind = longIds ? "an integer" : "not empty";
        Column bad = expr("CASE WHEN corrupt IS NOT NULL THEN 'wrong number of fields'"
                + " WHEN user IS NULL THEN 'user must be " + idKind + "'"
                + " WHEN item IS NULL THEN 'item must be " + idKind + "'"
                + (hasR ? " WHEN rating IS NULL OR isnan(rating) THEN 'rating must be a number'" : "")
                + (hasT ? " WHEN timestamp IS NULL THEN 'timestamp must be an integer or an ISO-8601 date-time'" : "")
                + (hasE ? " WHEN event IS NULL THEN 'event must not be empty'" : "")
                + " END");
        t = t.withColumn("bad", bad).drop("corrupt");
        return new Log(t, name, longIds, hasR, hasT, hasE, false, meta);
    }

    private static String trimmed(String c) {
        return "trim(" + quoted(c) + ")";
    }

    private static String quoted(String c) {
        return "`" + c.replace("`", "``") + "`";
    }
}
