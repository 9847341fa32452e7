package dev.recsys.api.train;

/**
 * What the engine-free trainer learns from: each user's training sequence of dense item ids
 * (1..N, in time order, validation and test items already removed), with optional aligned event
 * types and ratings.
 *
 * @param numItems  catalogue size N
 * @param sequences per user, item ids in order
 * @param events    per user, event types aligned with sequences, or null
 * @param ratings   per user, explicit ratings aligned with sequences, or null (needed for MSE)
 * @param heldOut   items training must never see, not even as a sampled negative (the cold-start
 *                  items protocol: flags {@code [N+1]}), or null for none; no sequence holds one
 */
public record TrainingData(int numItems, int[][] sequences, int[][] events, float[][] ratings, boolean[] heldOut) {
    /** Training data in which every item may be drawn. */
    public TrainingData(int numItems, int[][] sequences, int[][] events, float[][] ratings) {
        this(numItems, sequences, events, ratings, null);
    }

    public TrainingData {
        if (heldOut != null && heldOut.length != numItems + 1) {
            throw new IllegalArgumentException(
                    "heldOut must have numItems + 1 = " + (numItems + 1) + " flags, found " + heldOut.length);
        }
        if (numItems <= 0) {
            throw new IllegalArgumentException("numItems must be > 0, found " + numItems);
        }
        if (sequences == null) {
            throw new IllegalArgumentException("sequences must be set");
        }
        for (int u = 0; u < sequences.length; u++) {
            int[] s = sequences[u];
            if (s == null) {
                throw new IllegalArgumentException("user " + u + " has a null sequence");
            }
            for (int it : s) {
                if (it < 1 || it > numItems) {
                    throw new IllegalArgumentException("user " + u + " has item id " + it + " outside 1.." + numItems);
                }
                if (heldOut != null && heldOut[it]) {
                    throw new IllegalArgumentException(
                            "user " + u + " has item " + it + ", which is held out of training");
                }
            }
            if (events != null && (events[u] == null || events[u].length != s.length)) {
                throw new IllegalArgumentException("user " + u + ": events must align with the sequence");
            }
            if (ratings != null && (ratings[u] == null || ratings[u].length != s.length)) {
                throw new IllegalArgumentException("user " + u + ": ratings must align with the sequence");
            }
        }
    }

    public static TrainingData of(int numItems, int[][] sequences) {
        return new TrainingData(numItems, sequences, null, null);
    }

    /** Whether {@code item} is held out of training (never a negative either). */
    public boolean isHeldOut(int item) {
        return heldOut != null && heldOut[item];
    }

    public int users() {
        return sequences.length;
    }

    /** Training frequency of each item, index = item id (length N+1). */
    public long[] itemCounts() {
        long[] c = new long[numItems + 1];
        for (int[] s : sequences) {
            for (int it : s) {
                c[it]++;
            }
        }
        return c;
    }
}
