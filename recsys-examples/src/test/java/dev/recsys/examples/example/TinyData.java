package dev.recsys.examples.example;

import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.synthetic.SyntheticMovieLens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tiny logs for the example tests. */
final class TinyData {
    private TinyData() {}

    static Dataset synthetic() {
        return SyntheticMovieLens.generate(new SyntheticMovieLens.Config(60, 40, 8, 0.3, 7L));
    }

    /**
     * Writes the synthetic log as a CSV with text ids ({@code u<n>}, {@code m<n>}) and timestamps,
     * rows in reverse order so that the reader has to sort each user's items by time.
     */
    static Path csv(Path dir) throws IOException {
        Dataset d = synthetic();
        StringBuilder rows = new StringBuilder();
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int u = 1; u <= d.numUsers(); u++) {
            int[] h = d.history(u);
            for (int j = 0; j < h.length; j++) {
                lines.add("u" + u + ",m" + h[j] + "," + (1_000_000 + u * 1000L + j));
            }
        }
        java.util.Collections.reverse(lines);
        rows.append("user,item,timestamp\n");
        lines.forEach(l -> rows.append(l).append('\n'));
        Path f = dir.resolve("log.csv");
        Files.writeString(f, rows.toString());
        return f;
    }
}
