package dev.recsys.eval.protocol;

import java.io.Serializable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sums that combine evaluations of disjoint users (RankSys's {@code add} / {@code combine}): per
 * metric the sum of the per-user values, the number of users, and per cut-off the items in some
 * user's top K (coverage). {@link #means()} gives the metrics of {@link
 * dev.recsys.eval.metrics.EvalResult}: each per-user metric's mean, and coverage@K = covered items /
 * catalogue size. Immutable.
 */
public final class EvalTotals implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ks;
    private final int numItems;
    private final String[] keys;
    private final long users;
    private final double[] sums;
    private final BitSet[] covered;
    private final long skipped;

    EvalTotals(int[] ks, int numItems, String[] keys, long users, double[] sums, BitSet[] covered, long skipped) {
        this.ks = ks;
        this.numItems = numItems;
        this.keys = keys;
        this.users = users;
        this.sums = sums;
        this.covered = covered;
        this.skipped = skipped;
    }

    /** Users evaluated. */
    public long users() {
        return users;
    }

    /** Users without a target. */
    public long skipped() {
        return skipped;
    }

    /** These sums and {@code o}'s, for disjoint users of the same evaluation. */
    public EvalTotals merge(EvalTotals o) {
        if (!Arrays.equals(ks, o.ks) || numItems != o.numItems || !Arrays.equals(keys, o.keys)) {
            throw new IllegalArgumentException("cannot merge the totals of different evaluations: cut-offs "
                    + Arrays.toString(ks) + " vs " + Arrays.toString(o.ks) + ", items " + numItems + " vs "
                    + o.numItems);
        }
        double[] s = new double[sums.length];
        for (int k = 0; k < s.length; k++) {
            s[k] = sums[k] + o.sums[k];
        }
        BitSet[] cov = new BitSet[covered.length];
        for (int q = 0; q < cov.length; q++) {
            cov[q] = (BitSet) covered[q].clone();
            cov[q].or(o.covered[q]);
        }
        return new EvalTotals(ks, numItems, keys, users + o.users, s, cov, skipped + o.skipped);
    }

    /**
     * The means: for each K ndcg, recall, hr, precision, map; then mrr; coverage@K for each K;
     * popularity@K for each K (the order of {@link dev.recsys.eval.metrics.EvalResult#metrics()}).
     */
    public Map<String, Double> means() {
        Map<String, Double> m = new LinkedHashMap<>();
        boolean coverageDone = false;
        for (int k = 0; k < keys.length; k++) {
            if (!coverageDone && keys[k].startsWith("popularity@")) {
                putCoverage(m);
                coverageDone = true;
            }
            m.put(keys[k], users == 0 ? 0 : sums[k] / users);
        }
        if (!coverageDone) {
            putCoverage(m);
        }
        return m;
    }

    private void putCoverage(Map<String, Double> m) {
        for (int q = 0; q < ks.length; q++) {
            m.put("coverage@" + ks[q], (double) covered[q].cardinality() / numItems);
        }
    }
}
