package dev.recsys.api.train;

import dev.recsys.api.config.Sampling;
import java.util.SplittableRandom;

/**
 * Draws negative items from 1..N, uniformly or proportionally to popularity, never returning the
 * positive it is given nor an item held out of training ({@link Sampling#UNSEEN}: the exclusion of the user's items is the
 * {@link Batcher}'s; here it draws uniformly). Immutable and thread-safe; randomness comes from the caller's generator so
 * that a run is repeatable from one seed.
 */
public final class NegativeSampler {
    private final int numItems;
    private final Sampling sampling;
    /** Cumulative counts for popularity sampling, index i-1 for item i. */
    private final long[] cumulative;

    private final float[] logQ;
    /** Uniform sampling with held-out items: the items that may be drawn (null = all of 1..N). */
    private final int[] allowed;

    /**
     * @param numItems catalogue size N
     * @param counts   training frequency of each item, index = item id (length N+1); used for POPULARITY
     *                 and for logQ; may be null for UNIFORM
     */
    public NegativeSampler(int numItems, Sampling sampling, long[] counts) {
        this(numItems, sampling, counts, null);
    }

    /**
     * As above; items flagged in {@code heldOut} ({@code [N+1]}, or null) are never drawn and
     * have log Q = -inf (the cold-start items protocol).
     */
    public NegativeSampler(int numItems, Sampling sampling, long[] counts, boolean[] heldOut) {
        if (numItems < 2) {
            throw new IllegalArgumentException("negative sampling needs at least 2 items, found " + numItems);
        }
        int drawable = 0;
        for (int i = 1; i <= numItems; i++) {
            drawable += heldOut != null && heldOut[i] ? 0 : 1;
        }
        if (drawable < 2) {
            throw new IllegalArgumentException(
                    "negative sampling needs at least 2 items that are not held out, found " + drawable);
        }
        this.numItems = numItems;
        this.sampling = sampling;
        this.logQ = new float[numItems + 1];
        if (sampling == Sampling.POPULARITY) {
            if (counts == null || counts.length != numItems + 1) {
                throw new IllegalArgumentException(
                        "popularity sampling needs counts for items 0..N (length " + (numItems + 1) + ")");
            }
            cumulative = new long[numItems];
            long acc = 0;
            for (int i = 1; i <= numItems; i++) {
                acc += weight(counts, heldOut, i); // +1 smoothing: every item that is not held out can be drawn
                cumulative[i - 1] = acc;
            }
            for (int i = 1; i <= numItems; i++) {
                long w = weight(counts, heldOut, i);
                logQ[i] = w == 0 ? Float.NEGATIVE_INFINITY : (float) Math.log((double) w / acc);
            }
            allowed = null;
        } else {
            cumulative = null;
            java.util.Arrays.fill(logQ, (float) -Math.log(drawable));
            if (heldOut == null) {
                allowed = null;
            } else {
                allowed = new int[drawable];
                int k = 0;
                for (int i = 1; i <= numItems; i++) {
                    if (heldOut[i]) {
                        logQ[i] = Float.NEGATIVE_INFINITY;
                    } else {
                        allowed[k++] = i;
                    }
                }
            }
        }
        logQ[0] = 0f;
    }

    private static long weight(long[] counts, boolean[] heldOut, int i) {
        return heldOut != null && heldOut[i] ? 0 : Math.max(0, counts[i]) + 1;
    }

    public Sampling sampling() {
        return sampling;
    }

    /** log Q(item) of the sampling distribution (for the log-Q correction). */
    public float logQ(int item) {
        return logQ[item];
    }

    /** One item from 1..N drawn from the sampling distribution, with no exclusion (shared negatives). */
    public int sampleAny(SplittableRandom r) {
        return sample(r, 0);
    }

    /** One item from 1..N that is not {@code positive}. */
    public int sample(SplittableRandom r, int positive) {
        while (true) {
            int item;
            if (cumulative == null) {
                item = allowed == null ? 1 + r.nextInt(numItems) : allowed[r.nextInt(allowed.length)];
            } else {
                long x = r.nextLong(cumulative[numItems - 1]);
                int lo = 0;
                int hi = numItems - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (cumulative[mid] > x) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                item = lo + 1;
            }
            if (item != positive) {
                return item;
            }
        }
    }
}
