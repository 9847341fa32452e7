package dev.recsys.eval.split;

import dev.recsys.eval.data.Dataset;
import java.util.Arrays;

/**
 * Global temporal split: two time cut-offs {@code t1 <= t2} are the quantiles
 * {@code 1 - valFraction - testFraction} and {@code 1 - testFraction} of all timestamps. For each
 * user, the training sequence is the interactions before {@code t1}; the validation item is the
 * user's first interaction in {@code [t1, t2)} and the test item the first at or after {@code t2}.
 * A timestamp equal to a cut-off belongs to the later period. Users with an empty training sequence
 * get no targets (nothing to predict from). At test time the history is the training sequence plus
 * the validation item; other interactions inside the validation period are not used, so no future
 * information reaches the model. Because every interaction used for training precedes every target
 * in time, this split has no leakage across users either, unlike leave-one-out.
 */
public final class TemporalSplit {
    /** The split's name prefix. */
    public static final String NAME = "temporal";

    private TemporalSplit() {}

    /** Splits {@code d}; needs timestamps. */
    public static Split split(Dataset d, double valFraction, double testFraction) {
        if (!d.hasTimestamps()) {
            throw new IllegalArgumentException(
                    "dataset " + d.name() + " has no timestamps; a temporal split needs them");
        }
        if (valFraction < 0 || testFraction <= 0 || valFraction + testFraction >= 1) {
            throw new IllegalArgumentException(
                    "need 0 <= valFraction, 0 < testFraction and valFraction + testFraction < 1, found " + valFraction
                            + ", " + testFraction);
        }
        int n = d.numInteractions();
        long[] ts = new long[n];
        for (int k = 0; k < n; k++) {
            ts[k] = d.timestamp(k);
        }
        Arrays.sort(ts);
        long t1 = ts[Math.min(n - 1, (int) Math.floor((1 - valFraction - testFraction) * n))];
        long t2 = ts[Math.min(n - 1, (int) Math.floor((1 - testFraction) * n))];
        return split(d, t1, t2, NAME + "(" + valFraction + "," + testFraction + ")");
    }

    /** Splits {@code d} at explicit cut-offs {@code t1 <= t2}. */
    public static Split split(Dataset d, long t1, long t2, String name) {
        if (t1 > t2) {
            throw new IllegalArgumentException("cut-offs must satisfy t1 <= t2, found " + t1 + " > " + t2);
        }
        int nu = d.numUsers();
        int[][] train = new int[nu + 1][];
        int[][] trainEv = d.hasEvents() ? new int[nu + 1][] : null;
        float[][] trainR = d.hasRatings() ? new float[nu + 1][] : null;
        int[] val = new int[nu + 1];
        int[] test = new int[nu + 1];
        int[] valEv = d.hasEvents() ? new int[nu + 1] : null;
        int[] testEv = d.hasEvents() ? new int[nu + 1] : null;
        train[0] = new int[0];
        for (int u = 1; u <= nu; u++) {
            int s = d.start(u);
            int e = d.end(u);
            int k = s;
            while (k < e && d.timestamp(k) < t1) {
                k++;
            }
            int cut = k - s;
            train[u] = new int[cut];
            for (int j = 0; j < cut; j++) {
                train[u][j] = d.item(s + j);
            }
            if (trainEv != null) {
                trainEv[u] = new int[cut];
                for (int j = 0; j < cut; j++) {
                    trainEv[u][j] = d.event(s + j);
                }
            }
            if (trainR != null) {
                trainR[u] = new float[cut];
                for (int j = 0; j < cut; j++) {
                    trainR[u][j] = d.rating(s + j);
                }
            }
            if (cut == 0) {
                continue;
            }
            if (k < e && d.timestamp(k) < t2) {
                val[u] = d.item(k);
                if (valEv != null) {
                    valEv[u] = d.event(k);
                }
            }
            while (k < e && d.timestamp(k) < t2) {
                k++;
            }
            if (k < e) {
                test[u] = d.item(k);
                if (testEv != null) {
                    testEv[u] = d.event(k);
                }
            }
        }
        if (trainEv != null) {
            trainEv[0] = new int[0];
        }
        if (trainR != null) {
            trainR[0] = new float[0];
        }
        return new Split(name, d.name(), nu, d.numItems(), train, trainEv, trainR, val, valEv, test, testEv);
    }
}
