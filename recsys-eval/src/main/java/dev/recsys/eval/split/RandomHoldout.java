package dev.recsys.eval.split;

import dev.recsys.eval.data.Dataset;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random holdout of interactions, for rating-prediction tasks: exactly
 * {@code round(testFraction * n)} interactions, chosen uniformly with a seeded shuffle, are held out.
 * The result lists interaction indices into the dataset, each list in increasing order.
 */
public final class RandomHoldout {
    private RandomHoldout() {}

    /**
     * Train and test interaction indices.
     *
     * @param train indices of training interactions, increasing
     * @param test  indices of held-out interactions, increasing
     * @param seed  the seed used
     */
    public record Holdout(int[] train, int[] test, long seed) {}

    /** Holds out {@code testFraction} of {@code d}'s interactions. */
    public static Holdout split(Dataset d, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), found " + testFraction);
        }
        int n = d.numInteractions();
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) {
            idx[k] = k;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = n - 1; k > 0; k--) {
            int j = r.nextInt(k + 1);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
        }
        int nt = (int) Math.round(testFraction * n);
        int[] test = Arrays.copyOf(idx, nt);
        int[] train = Arrays.copyOfRange(idx, nt, n);
        Arrays.sort(test);
        Arrays.sort(train);
        return new Holdout(train, test, seed);
    }
}
