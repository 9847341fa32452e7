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

    /** {@code csv} prepared into {@code out} (no filter, leave-one-out, two shards); returns {@code out}. */
    static Path prepare(SparkSession spark, Path csv, Path out) throws IOException {
        Prepare.run(
                spark,
                new Prepare.Options("csv:" + csv, out.toString(), null, 1, 1, "leave-one-out", 0, 2, null, null));
        return out;
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

    /**
     * A SASRec {@code user item} file (users in id order, each user's items in time order) of
     * {@code users} users with 3 to {@code maxLen} interactions over item ids up to {@code items}
     * (popularity skewed, so some ids never occur), every 13th user id left out (but the last, who
     * holds item {@code items}), a blank line; beside it
     * {@code FILE.map} (SASRec id to movie id {@code 3 * id + 1}) and {@code FILE.movies}
     * ({@code movies.dat} lines with titles of a few shared words, a year and genres).
     */
    static Path sasrec(Path file, int users, int items, int maxLen, long seed) {
        Random r = new Random(seed);
        String[] words = {"love", "night", "war", "star", "city", "dark", "king", "river", "ghost", "summer"};
        String[] genres = {"Drama", "Comedy", "Action", "Sci-Fi", "Horror", "Romance"};
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                Writer map = Files.newBufferedWriter(Path.of(file + ".map"), StandardCharsets.UTF_8);
                Writer movies = Files.newBufferedWriter(Path.of(file + ".movies"), StandardCharsets.ISO_8859_1)) {
            for (int u = 1; u <= users; u++) {
                if (u % 13 == 0) {
                    continue;
                }
                int n = 3 + r.nextInt(maxLen - 2);
                for (int k = 0; k < n; k++) {
                    double x = r.nextDouble();
                    w.write(u + (k % 5 == 0 ? "\t" : " ") + (1 + (int) ((items - 1) * x * x)) + "\n");
                }
                w.write(u == users / 2 ? " \n" : "");
            }
            w.write(users + " " + items + "\n"); // the map covers the ids up to the largest
            for (int i = 1; i <= items; i++) {
                map.write(i + " " + (3 * i + 1) + "\n");
                movies.write((3 * i + 1) + "::The " + words[r.nextInt(words.length)] + " of "
                        + words[r.nextInt(words.length)] + " (" + (1950 + r.nextInt(50)) + ")::"
                        + genres[r.nextInt(genres.length)] + "|" + genres[r.nextInt(genres.length)] + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
