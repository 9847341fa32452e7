package dev.recsys.spark;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.eval.data.ItemMeta;
import dev.recsys.eval.data.PreparedFormat;
import dev.recsys.eval.data.PreparedFormat.ItemLine;
import dev.recsys.eval.data.PreparedFormat.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;

/**
 * A prepared folder ({@link PreparedFormat}) as the Spark jobs read it: the manifest and the item
 * catalogue on the driver, the user sequence lines as a distributed collection.
 *
 * @param dir      the folder
 * @param manifest its manifest
 * @param itemIds  external item ids by dense id (index 0 unused)
 * @param meta     the items' titles, genres and years (titles null when unknown)
 */
public record PreparedInput(String dir, Manifest manifest, String[] itemIds, ItemMeta meta) {
    /** Reads {@code dir}'s manifest and catalogue. */
    public static PreparedInput open(SparkSession spark, String dir) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir);
        org.apache.hadoop.fs.Path mf = new org.apache.hadoop.fs.Path(root, PreparedFormat.MANIFEST);
        String json;
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root)) {
                throw new DataException(dir + " not found; expected a folder written by recsys spark prepare");
            }
            if (!fs.exists(mf)) {
                throw new DataException(dir + " holds no " + PreparedFormat.MANIFEST
                        + "; expected a folder written by recsys spark prepare");
            }
            try (InputStream in = fs.open(mf)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mf + ": " + e.getMessage(), e);
        }
        Manifest m = PreparedFormat.parseManifest(json, mf.toString());
        String[] ids = new String[m.items() + 1];
        String[] titles = new String[m.items() + 1];
        String[][] genres = new String[m.items() + 1][];
        int[] years = new int[m.items() + 1];
        genres[0] = new String[0];
        List<String> lines = spark.read()
                .textFile(new org.apache.hadoop.fs.Path(root, PreparedFormat.ITEMS).toString())
                .collectAsList();
        for (String line : lines) {
            if (!line.isEmpty()) {
                ItemLine it = ItemLine.parse(line, m.items(), dir + "/" + PreparedFormat.ITEMS);
                ids[it.item()] = it.external();
                titles[it.item()] = it.title();
                genres[it.item()] = it.genres();
                years[it.item()] = it.year();
            }
        }
        for (int i = 1; i <= m.items(); i++) {
            if (ids[i] == null) {
                throw new DataException(dir + "/" + PreparedFormat.ITEMS + ": item " + i + " of 1.." + m.items()
                        + " is missing; the folder is incomplete");
            }
        }
        return new PreparedInput(dir, m, ids, new ItemMeta(titles, genres, years));
    }

    /** The user lines, one string each. */
    public JavaRDD<String> sequences(SparkSession spark) {
        return spark.sparkContext()
                .textFile(
                        new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(dir), PreparedFormat.SEQUENCES)
                                .toString(),
                        spark.sparkContext().defaultParallelism())
                .toJavaRDD()
                .filter(s -> !s.isEmpty());
    }

    /**
     * Fails unless the checkpoint in {@code model} was trained on this catalogue: the same number of
     * items, and the same external id for every dense id when the checkpoint records them. Read on
     * the driver, before any task starts.
     */
    public void requireModelFits(String model) {
        CheckpointData cd;
        try {
            cd = Checkpoint.read(Path.of(model));
        } catch (IOException e) {
            throw new CheckpointException("cannot read the model folder " + model + ": " + e.getMessage(), e);
        }
        int n = cd.config().numItems();
        if (n != manifest.items()) {
            throw new DataException("model " + model + " was trained on " + n + " items but " + dir + " has "
                    + manifest.items() + "; use the data it was trained on");
        }
        List<String> ids = cd.itemIds();
        if (ids != null) {
            for (int i = 1; i <= n; i++) {
                if (!ids.get(i).equals(itemIds[i])) {
                    throw new DataException("model " + model + " was trained on another catalogue: its item " + i
                            + " is '" + ids.get(i) + "', in " + dir + " it is '" + itemIds[i]
                            + "'; use the data it was trained on");
                }
            }
        }
    }
}
