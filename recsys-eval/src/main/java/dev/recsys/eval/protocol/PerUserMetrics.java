package dev.recsys.eval.protocol;

import dev.recsys.eval.metrics.EvalResult;
import dev.recsys.eval.metrics.RankingMetrics;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metric side of an evaluation: one slot per evaluated user, filled from the target's rank and
 * the user's top list ({@link #record}); per-thread coverage flags, merged at the end; the means and
 * per-user arrays of an {@link EvalResult} ({@link #result}). Users write disjoint slots, so threads
 * share one table without locks.
 */
final class PerUserMetrics {
    /** Per-K arrays, in this order: ndcg, recall, hr, precision, map, popularity; then one for mrr. */
    private static final int PER_K = 6;

    private final int[] ks;
    private final int[] pop;
    private final int numItems;
    private final double[][] per;

    /**
     * @param ks    the cut-offs
     * @param pop   training interaction count of every item (popularity@K)
     * @param users number of evaluated users (slots)
     */
    PerUserMetrics(int[] ks, int[] pop, int numItems, int users) {
        this.ks = ks;
        this.pop = pop;
        this.numItems = numItems;
        this.per = new double[ks.length * PER_K + 1][users];
    }

    /** The largest cut-off, at most the catalogue size: the length of the top lists needed. */
    int maxK() {
        int mk = 0;
        for (int k : ks) {
            mk = Math.max(mk, k);
        }
        return Math.min(mk, numItems);
    }

    /** Empty coverage flags for one thread: {@code [K index][item]}. */
    boolean[][] newCoverage() {
        return new boolean[ks.length][numItems + 1];
    }

    /**
     * Records one user: the target's 1-based {@code rank} and the user's best {@code top[0..size)}
     * items (best first), whose items are also marked in the thread's {@code covered} flags.
     */
    void record(int slot, int rank, int[] top, int size, boolean[][] covered) {
        int nk = ks.length;
        for (int q = 0; q < nk; q++) {
            int k = ks[q];
            per[q * PER_K][slot] = RankingMetrics.ndcg(rank, k);
            double hit = RankingMetrics.hit(rank, k);
            per[q * PER_K + 1][slot] = hit;
            per[q * PER_K + 2][slot] = hit;
            per[q * PER_K + 3][slot] = RankingMetrics.precision(rank, k);
            per[q * PER_K + 4][slot] = RankingMetrics.averagePrecision(rank, k);
        }
        per[nk * PER_K][slot] = RankingMetrics.reciprocalRank(rank);
        for (int q = 0; q < nk; q++) {
            int lim = Math.min(ks[q], size);
            long popSum = 0;
            boolean[] cov = covered[q];
            for (int p = 0; p < lim; p++) {
                cov[top[p]] = true;
                popSum += pop[top[p]];
            }
            per[q * PER_K + 5][slot] = lim == 0 ? 0 : (double) popSum / lim;
        }
    }

    /** The result: means and per-user values of every metric, coverage merged over {@code coverage}. */
    EvalResult result(
            Split split,
            Target target,
            String protocol,
            int[] users,
            List<boolean[][]> coverage,
            int skipped,
            double seconds) {
        int nk = ks.length;
        Map<String, Double> means = new LinkedHashMap<>();
        Map<String, double[]> perUser = new LinkedHashMap<>();
        for (int q = 0; q < nk; q++) {
            int k = ks[q];
            String[] names = {"ndcg@" + k, "recall@" + k, "hr@" + k, "precision@" + k, "map@" + k};
            for (int j = 0; j < names.length; j++) {
                means.put(names[j], mean(per[q * PER_K + j]));
                perUser.put(names[j], per[q * PER_K + j]);
            }
        }
        means.put("mrr", mean(per[nk * PER_K]));
        perUser.put("mrr", per[nk * PER_K]);
        for (int q = 0; q < nk; q++) {
            means.put("coverage@" + ks[q], (double) covered(coverage, q) / numItems);
        }
        for (int q = 0; q < nk; q++) {
            means.put("popularity@" + ks[q], mean(per[q * PER_K + 5]));
            perUser.put("popularity@" + ks[q], per[q * PER_K + 5]);
        }
        return new EvalResult(
                split.dataset(), split.name(), target.name(), protocol, ks, means, users, perUser, skipped, seconds);
    }

    /** Items in at least one thread's top K (cut-off index q). */
    private int covered(List<boolean[][]> coverage, int q) {
        int c = 0;
        for (int i = 1; i <= numItems; i++) {
            for (boolean[][] flags : coverage) {
                if (flags[q][i]) {
                    c++;
                    break;
                }
            }
        }
        return c;
    }

    private static double mean(double[] v) {
        if (v.length == 0) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
