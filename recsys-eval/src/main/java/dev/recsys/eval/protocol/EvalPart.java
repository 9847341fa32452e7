package dev.recsys.eval.protocol;

import dev.recsys.eval.metrics.EvalResult;
import java.io.Serializable;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The evaluation of some of a split's users ({@link Evaluator#evaluatePart}): every evaluated
 * user's metric values and the items in their top lists. Parts of disjoint users combine exactly:
 * their {@link #totals()} {@linkplain EvalTotals#merge merge} into the means a single evaluation
 * of all the users gives ({@link Evaluator#evaluate} is one part), so the users can be evaluated
 * in partitions on several machines. Immutable once built; arrays are not handed out.
 */
public final class EvalPart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ks;
    private final int numItems;
    private final int[] users;
    private final String[] keys;
    private final double[][] values;
    private final BitSet[] covered;
    private final int skipped;

    /**
     * @param ks       the cut-offs
     * @param numItems catalogue size
     * @param users    the evaluated users, one slot each
     * @param keys     the per-user metric names, in {@link EvalResult}'s order
     * @param values   {@code [key][slot]}
     * @param covered  per cut-off, the items in at least one user's top K
     * @param skipped  users of the part without a target
     */
    EvalPart(int[] ks, int numItems, int[] users, String[] keys, double[][] values, BitSet[] covered, int skipped) {
        this.ks = ks.clone();
        this.numItems = numItems;
        this.users = users;
        this.keys = keys;
        this.values = values;
        this.covered = covered;
        this.skipped = skipped;
    }

    /** Number of evaluated users. */
    public int size() {
        return users.length;
    }

    /** The user of slot {@code j}. */
    public int user(int j) {
        return users[j];
    }

    /** The per-user metric names, in order (a copy). */
    public String[] keys() {
        return keys.clone();
    }

    /** The value of metric {@code keys()[k]} for the user of slot {@code j}. */
    public double value(int k, int j) {
        return values[k][j];
    }

    /** The same part with users renamed: user {@code u} becomes {@code ids[u]} (e.g. a shard's to the whole split's). */
    public EvalPart renumbered(int[] ids) {
        int[] us = new int[users.length];
        for (int j = 0; j < us.length; j++) {
            us[j] = ids[users[j]];
        }
        return new EvalPart(ks, numItems, us, keys, values, covered, skipped);
    }

    /** The sums that combine this part with others. */
    public EvalTotals totals() {
        double[] sums = new double[keys.length];
        for (int k = 0; k < keys.length; k++) {
            double s = 0;
            for (double x : values[k]) {
                s += x;
            }
            sums[k] = s;
        }
        BitSet[] cov = new BitSet[covered.length];
        for (int q = 0; q < cov.length; q++) {
            cov[q] = (BitSet) covered[q].clone();
        }
        return new EvalTotals(ks, numItems, keys.clone(), users.length, sums, cov, skipped);
    }

    /** The result of this part alone (users must be increasing). */
    public EvalResult result(String dataset, String split, String target, String protocol, double seconds) {
        Map<String, double[]> perUser = new LinkedHashMap<>();
        for (int k = 0; k < keys.length; k++) {
            perUser.put(keys[k], values[k]);
        }
        return new EvalResult(dataset, split, target, protocol, ks, totals().means(), users, perUser, skipped, seconds);
    }

    @Override
    public String toString() {
        return "EvalPart[" + users.length + " users, keys " + Arrays.toString(keys) + "]";
    }
}
