package dev.recsys.eval.baseline;

import dev.recsys.eval.protocol.BatchScorer;
import dev.recsys.eval.split.Split;

/**
 * Most-popular baseline: every user gets the same scores, the items' training interaction counts.
 * Fitted on training sequences only (never on validation or test items).
 */
public final class MostPopular implements BatchScorer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] scores;

    private MostPopular(float[] scores) {
        this.scores = scores;
    }

    /** Fits on {@code split}'s training sequences. */
    public static MostPopular fit(Split split) {
        return fit(split.numItems(), split.train());
    }

    /** Fits on {@code sequences} (index 0 may be empty) over items 1..numItems. */
    public static MostPopular fit(int numItems, int[][] sequences) {
        float[] s = new float[numItems + 1];
        for (int[] seq : sequences) {
            if (seq == null) {
                continue;
            }
            for (int i : seq) {
                s[i] += 1f;
            }
        }
        return new MostPopular(s);
    }

    /** The baseline of training interaction counts already counted ({@code [N+1]}, e.g. summed over partitions). */
    public static MostPopular ofCounts(int[] counts) {
        float[] s = new float[counts.length];
        for (int i = 0; i < counts.length; i++) {
            s[i] = counts[i];
        }
        return new MostPopular(s);
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int stride = scores.length;
        for (int r = 0; r < users.length; r++) {
            System.arraycopy(scores, 0, out, r * stride, stride);
        }
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String toString() {
        return "MostPopular";
    }
}
