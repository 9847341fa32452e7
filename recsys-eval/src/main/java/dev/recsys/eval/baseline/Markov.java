package dev.recsys.eval.baseline;

import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.split.Split;
import java.util.Arrays;

/**
 * First-order Markov baseline: the score of item j for a user whose last item is i is the number of
 * times j directly followed i in the training sequences, plus a popularity back-off
 * {@code count(j) / (maxCount + 1)} (below 1, so it only orders items with equal transition counts,
 * and users with an empty history get most-popular). Transitions are stored sparsely (CSR).
 */
public final class Markov implements BatchScorer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int numItems;
    private final int[] rowStart;
    private final int[] nextItem;
    private final float[] nextCount;
    private final float[] backoff;

    private Markov(int numItems, int[] rowStart, int[] nextItem, float[] nextCount, float[] backoff) {
        this.numItems = numItems;
        this.rowStart = rowStart;
        this.nextItem = nextItem;
        this.nextCount = nextCount;
        this.backoff = backoff;
    }

    /** Fits on {@code split}'s training sequences. */
    public static Markov fit(Split split) {
        return fit(split.numItems(), split.train());
    }

    /** Fits on {@code sequences} over items 1..numItems. */
    public static Markov fit(int numItems, int[][] sequences) {
        long stride = numItems + 1L;
        int pairs = 0;
        float[] pop = new float[numItems + 1];
        for (int[] seq : sequences) {
            if (seq == null) {
                continue;
            }
            pairs += Math.max(0, seq.length - 1);
            for (int i : seq) {
                pop[i] += 1f;
            }
        }
        long[] keys = new long[pairs];
        int p = 0;
        for (int[] seq : sequences) {
            if (seq == null) {
                continue;
            }
            for (int j = 1; j < seq.length; j++) {
                keys[p++] = seq[j - 1] * stride + seq[j];
            }
        }
        Arrays.sort(keys);
        int distinct = 0;
        for (int k = 0; k < pairs; k++) {
            if (k == 0 || keys[k] != keys[k - 1]) {
                distinct++;
            }
        }
        int[] rowStart = new int[numItems + 2];
        int[] nextItem = new int[distinct];
        float[] nextCount = new float[distinct];
        int d = -1;
        for (int k = 0; k < pairs; k++) {
            if (k == 0 || keys[k] != keys[k - 1]) {
                d++;
                nextItem[d] = (int) (keys[k] % stride);
                rowStart[(int) (keys[k] / stride) + 1]++;
            }
            nextCount[d] += 1f;
        }
        for (int i = 1; i < rowStart.length; i++) {
            rowStart[i] += rowStart[i - 1];
        }
        float max = 0;
        for (float v : pop) {
            max = Math.max(max, v);
        }
        float[] backoff = new float[numItems + 1];
        for (int i = 1; i <= numItems; i++) {
            backoff[i] = pop[i] / (max + 1f);
        }
        return new Markov(numItems, rowStart, nextItem, nextCount, backoff);
    }

    /** Number of times {@code next} followed {@code prev} in training. */
    public int transitions(int prev, int next) {
        for (int k = rowStart[prev]; k < rowStart[prev + 1]; k++) {
            if (nextItem[k] == next) {
                return (int) nextCount[k];
            }
        }
        return 0;
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int stride = numItems + 1;
        for (int r = 0; r < users.length; r++) {
            int base = r * stride;
            System.arraycopy(backoff, 0, out, base, stride);
            int[] h = histories[r];
            if (h.length == 0) {
                continue;
            }
            int last = h[h.length - 1];
            for (int k = rowStart[last]; k < rowStart[last + 1]; k++) {
                out[base + nextItem[k]] += nextCount[k];
            }
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String toString() {
        return "Markov";
    }
}
