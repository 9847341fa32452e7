package dev.recsys.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/** The tests' Spark: local[2], few shuffle partitions, no UI; and generated logs. */
final class SparkFixture {
    private SparkFixture() {}

    /** The session (one per test class; Spark keeps one per JVM). */
    static SparkSession session() {
        SparkSession s = Sessions.get("local[2]", "recsys-spark tests");
        s.conf().set("spark.sql.shuffle.partitions", "4");
        s.conf().set("spark.default.parallelism", "2");
        return s;
    }

    /**
     * A CSV log {@code user,item,rating,timestamp[,event]} with text ids: {@code users} users of
     * 5 to {@code maxLen} interactions over {@code items} items (popularity skewed), timestamps with
     * ties, rows not in time order.
     */
    static Path log(Path file, int users, int items, int maxLen, boolean events, long seed) {
        Random r = new Random(seed);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("user,item,rating,timestamp" + (events ? ",event" : "") + "\n");
            for (int u = 0; u < users; u++) {
                int n = 5 + r.nextInt(maxLen - 4);
                long t = 1_000_000L + r.nextInt(1_000_000);
                for (int k = 0; k < n; k++) {
                    double x = r.nextDouble();
                    int item = 1 + (int) (items * x * x * x);
                    long ts = t + r.nextInt(50) * 10L; // ties and out-of-order rows
                    w.write("u" + (u * 7919 % users) + ",m" + item + "," + (1 + r.nextInt(5)) + "," + ts
                            + (events ? "," + (r.nextInt(4) == 0 ? "cart" : "view") : "") + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
