package dev.recsys.eval.data;

import java.util.Arrays;

/**
 * Summary statistics of a dataset: sizes, density and the distribution of sequence (history)
 * lengths over users with at least one interaction. Percentiles use the nearest-rank method
 * (the smallest length with at least p% of users at or below it).
 *
 * @param users        users U
 * @param items        items N
 * @param interactions interactions
 * @param density      interactions / (U * N)
 * @param minLength    shortest history
 * @param p25          25th percentile
 * @param median       50th percentile
 * @param mean         mean history length
 * @param p75          75th percentile
 * @param p90          90th percentile
 * @param p99          99th percentile
 * @param maxLength    longest history
 */
public record DatasetStats(
        int users,
        int items,
        long interactions,
        double density,
        int minLength,
        int p25,
        int median,
        double mean,
        int p75,
        int p90,
        int p99,
        int maxLength)
        implements java.io.Serializable {

    /** Statistics of {@code d}. */
    public static DatasetStats of(Dataset d) {
        int[] len = new int[d.numUsers()];
        int m = 0;
        for (int u = 1; u <= d.numUsers(); u++) {
            if (d.length(u) > 0) {
                len[m++] = d.length(u);
            }
        }
        return of(d.numUsers(), d.numItems(), Arrays.copyOf(len, m));
    }

    /** Statistics from sequence lengths (one per non-empty user). */
    public static DatasetStats of(int users, int items, int[] lengths) {
        int[] s = lengths.clone();
        Arrays.sort(s);
        long total = 0;
        for (int v : s) {
            total += v;
        }
        double density = users == 0 || items == 0 ? 0 : (double) total / ((double) users * items);
        if (s.length == 0) {
            return new DatasetStats(users, items, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new DatasetStats(
                users,
                items,
                total,
                density,
                s[0],
                pct(s, 25),
                pct(s, 50),
                (double) total / s.length,
                pct(s, 75),
                pct(s, 90),
                pct(s, 99),
                s[s.length - 1]);
    }

    private static int pct(int[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** One-line summary. */
    public String summary() {
        return String.format(
                java.util.Locale.ROOT,
                "%,d users, %,d items, %,d interactions, density %.4f%%; sequence length min %d / p25 %d / median %d / mean %.1f / p75 %d / p90 %d / p99 %d / max %d",
                users,
                items,
                interactions,
                density * 100,
                minLength,
                p25,
                median,
                mean,
                p75,
                p90,
                p99,
                maxLength);
    }
}
