package dev.recsys.eval.baseline;

import dev.recsys.eval.protocol.BatchScorer;

/**
 * Random baseline: the score of item i for user u is a hash of (seed, u, i) in [0, 1), so it is
 * deterministic whatever the batching or threading. Its expected full-ranking HR@K is about
 * K / (number of candidates): the floor of the protocol.
 */
public final class RandomScorer implements BatchScorer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int numItems;
    private final long seed;

    /** Scores items 1..numItems with seed {@code seed}. */
    public RandomScorer(int numItems, long seed) {
        if (numItems < 1) {
            throw new IllegalArgumentException("numItems must be >= 1, found " + numItems);
        }
        this.numItems = numItems;
        this.seed = seed;
    }

    @Override
    public void score(int[] users, int[][] histories, float[] out) {
        int stride = numItems + 1;
        for (int r = 0; r < users.length; r++) {
            long us = mix(seed ^ (users[r] * 0x9E3779B97F4A7C15L));
            int base = r * stride;
            for (int i = 0; i <= numItems; i++) {
                out[base + i] = (mix(us + i * 0xD1B54A32D192ED03L) >>> 40) * 0x1.0p-24f;
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public String toString() {
        return "Random(seed=" + seed + ")";
    }
}
