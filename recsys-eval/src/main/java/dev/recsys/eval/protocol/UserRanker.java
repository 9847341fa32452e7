package dev.recsys.eval.protocol;

import dev.recsys.api.recommend.TopK;
import dev.recsys.eval.split.Split;
import dev.recsys.eval.split.Target;
import java.util.Arrays;

/**
 * Ranks one user's target among the candidates, from a row of scores: masks padding and seen items
 * (a stamp-based mask, no clearing between users), counts the candidates scoring at least the target
 * (pessimistic ties; a NaN target ranks last), selects the top K ({@link TopK.Selector}, ties by
 * lower item id) and hands both to {@link PerUserMetrics}. One per thread; reusable buffers, no
 * boxing in the loops.
 */
final class UserRanker {
    private final Split split;
    private final Target target;
    private final int[][] negatives;
    private final PerUserMetrics metrics;
    private final int[] mark;
    private int stamp;
    private final TopK.Selector selector;
    private final int[] top;
    private final boolean[][] covered;

    /**
     * @param negatives each user's sampled negatives (sampled protocol), or null: the full catalogue
     */
    UserRanker(Split split, Target target, int[][] negatives, PerUserMetrics metrics) {
        this.split = split;
        this.target = target;
        this.negatives = negatives;
        this.metrics = metrics;
        this.mark = new int[split.numItems() + 1];
        this.selector = new TopK.Selector(metrics.maxK());
        this.top = new int[selector.capacity()];
        this.covered = metrics.newCoverage();
    }

    /** This thread's coverage flags. */
    boolean[][] covered() {
        return covered;
    }

    /**
     * Ranks user {@code u}'s target against {@code o[base .. base + numItems]} (this row may be
     * overwritten) and records the metrics in {@code slot}.
     *
     * @return true when the target score was NaN
     */
    boolean rank(int u, int[] history, float[] o, int base, int slot) {
        int n = split.numItems();
        int t = split.target(u, target);
        stamp++;
        if (stamp == 0) {
            Arrays.fill(mark, 0);
            stamp = 1;
        }
        final int s = stamp;
        mark[0] = s;
        for (int h : history) {
            mark[h] = s;
        }
        mark[t] = 0;
        final float st = o[base + t];
        final TopK.Selector sel = selector;
        int above = 0;
        int candidates = 0;
        if (negatives == null && st > Float.NEGATIVE_INFINITY && st < Float.POSITIVE_INFINITY) {
            // fast path: overwrite the seen items' scores (this buffer is ours) with -inf, then one
            // branch-light pass over all items; -inf never reaches a finite target score
            // (mark[] is already set for the seen items; candidates is only needed for a NaN target)
            for (int h : history) {
                if (h != t) {
                    o[base + h] = Float.NEGATIVE_INFINITY;
                }
            }
            for (int i = 1; i <= n; i++) {
                float v = o[base + i];
                if (v >= st) {
                    above++;
                }
                if (v == Float.NEGATIVE_INFINITY && mark[i] == s) {
                    continue;
                }
                sel.offer(v, i);
            }
            above--; // the target itself
        } else if (negatives == null) {
            for (int i = 1; i <= n; i++) {
                if (mark[i] == s) {
                    continue;
                }
                candidates++;
                float v = o[base + i];
                if (v >= st && i != t) {
                    above++;
                }
                sel.offer(v, i);
            }
        } else {
            candidates = 1;
            sel.offer(st, t);
            for (int i : negatives[u]) {
                if (i == t || mark[i] == s) {
                    continue;
                }
                candidates++;
                float v = o[base + i];
                if (v >= st) {
                    above++;
                }
                sel.offer(v, i);
            }
        }
        boolean nan = Float.isNaN(st);
        int rank = nan ? candidates : 1 + above;
        int size = sel.drainTo(top);
        metrics.record(slot, rank, top, size, covered);
        return nan;
    }
}
