package dev.recsys.eval.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset preparation: rating threshold to implicit feedback and k-core filtering. Both return a
 * new dataset with users and items that lost all interactions removed and dense ids renumbered
 * (old order kept), so ids stay 1..n without holes.
 */
public final class Preprocess {
    private static final Logger LOG = LoggerFactory.getLogger(Preprocess.class);

    private Preprocess() {}

    /** Keeps interactions rated at least {@code minRating} (e.g. 4 for "liked"). */
    public static Dataset implicit(Dataset d, float minRating) {
        if (!d.hasRatings()) {
            throw new IllegalArgumentException(
                    "dataset " + d.name() + " has no ratings; a rating threshold needs them");
        }
        boolean[] keep = new boolean[d.numInteractions()];
        for (int k = 0; k < keep.length; k++) {
            keep[k] = d.rating(k) >= minRating;
        }
        Dataset out = d.filter(keep, d.name() + "|rating>=" + fmt(minRating));
        LOG.info("rating >= {}: {} -> {}", minRating, d, out);
        return out;
    }

    /**
     * Iterated k-core: removes users with fewer than {@code minPerUser} interactions and items with
     * fewer than {@code minPerItem}, repeatedly, until every remaining user and item meets its
     * minimum (removing an item can push a user below it, and the other way round).
     */
    public static Dataset kCore(Dataset d, int minPerUser, int minPerItem) {
        if (minPerUser < 1 || minPerItem < 1) {
            throw new IllegalArgumentException(
                    "k-core minimums must be >= 1, found users " + minPerUser + ", items " + minPerItem);
        }
        int n = d.numInteractions();
        boolean[] keep = new boolean[n];
        java.util.Arrays.fill(keep, true);
        int[] userOf = new int[n];
        for (int u = 1; u <= d.numUsers(); u++) {
            for (int k = d.start(u); k < d.end(u); k++) {
                userOf[k] = u;
            }
        }
        int rounds = 0;
        while (true) {
            rounds++;
            int[] uc = new int[d.numUsers() + 1];
            int[] ic = new int[d.numItems() + 1];
            for (int k = 0; k < n; k++) {
                if (keep[k]) {
                    uc[userOf[k]]++;
                    ic[d.item(k)]++;
                }
            }
            boolean changed = false;
            for (int k = 0; k < n; k++) {
                if (keep[k] && (uc[userOf[k]] < minPerUser || ic[d.item(k)] < minPerItem)) {
                    keep[k] = false;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        Dataset out = d.filter(keep, d.name() + "|core" + minPerUser + "/" + minPerItem);
        LOG.info("{}-core (users) / {}-core (items) after {} rounds: {} -> {}", minPerUser, minPerItem, rounds, d, out);
        return out;
    }

    private static String fmt(float f) {
        return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
    }
}
