package dev.recsys.eval.protocol;

import dev.recsys.eval.metrics.RankingMetrics;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The metric side of an evaluation: one slot per evaluated user, filled from the target's rank and
 * the user's top list ({@link #record}); per-thread coverage flags, merged at the end; the means and
 * per-user arrays of an {@link EvalPart} ({@link #part}). Users write disjoint slots, so threads
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

    /**
     * The part: per-user values of every metric (in {@link dev.recsys.eval.metrics.EvalResult}'s
     * order) and the coverage flags merged over {@code coverage}.
     */
    EvalPart part(int[] users, List<boolean[][]> coverage, int skipped) {
        int nk = ks.length;
        List<String> keys = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (int q = 0; q < nk; q++) {
            int k = ks[q];
            String[] names = {"ndcg@" + k, "recall@" + k, "hr@" + k, "precision@" + k, "map@" + k};
            for (int j = 0; j < names.length; j++) {
                keys.add(names[j]);
                values.add(per[q * PER_K + j]);
            }
        }
        keys.add("mrr");
        values.add(per[nk * PER_K]);
        for (int q = 0; q < nk; q++) {
            keys.add("popularity@" + ks[q]);
            values.add(per[q * PER_K + 5]);
        }
        BitSet[] covered = new BitSet[nk];
        for (int q = 0; q < nk; q++) {
            covered[q] = new BitSet(numItems + 1);
            for (boolean[][] flags : coverage) {
                for (int i = 1; i <= numItems; i++) {
                    if (flags[q][i]) {
                        covered[q].set(i);
                    }
                }
            }
        }
        return new EvalPart(
                ks, numItems, users, keys.toArray(new String[0]), values.toArray(new double[0][]), covered, skipped);
    }
}
