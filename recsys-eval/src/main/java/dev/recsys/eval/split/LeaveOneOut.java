package dev.recsys.eval.split;

import dev.recsys.eval.data.Dataset;
import java.util.Arrays;

/**
 * Leave-one-out per user, as in SASRec (Kang &amp; McAuley, ICDM 2018) and BERT4Rec: in each user's
 * time-ordered history (ties in input order), the last item is the test item, the second to last the
 * validation item and the rest the training sequence. A user with fewer than 3 interactions keeps
 * everything for training and has no validation or test item (SASRec's rule), so is skipped by
 * evaluation.
 */
public final class LeaveOneOut {
    /** The split's name. */
    public static final String NAME = "leave-one-out";

    private LeaveOneOut() {}

    /** Splits {@code d}. */
    public static Split split(Dataset d) {
        int nu = d.numUsers();
        int[][] train = new int[nu + 1][];
        int[][] trainEv = d.hasEvents() ? new int[nu + 1][] : null;
        float[][] trainR = d.hasRatings() ? new float[nu + 1][] : null;
        int[] val = new int[nu + 1];
        int[] test = new int[nu + 1];
        int[] valEv = d.hasEvents() ? new int[nu + 1] : null;
        int[] testEv = d.hasEvents() ? new int[nu + 1] : null;
        train[0] = new int[0];
        if (trainEv != null) {
            trainEv[0] = new int[0];
        }
        if (trainR != null) {
            trainR[0] = new float[0];
        }
        for (int u = 1; u <= nu; u++) {
            int[] h = d.history(u);
            int[] ev = d.eventHistory(u);
            float[] r = d.ratingHistory(u);
            int n = h.length;
            int cut = n >= 3 ? n - 2 : n;
            train[u] = cut == n ? h : Arrays.copyOf(h, cut);
            if (trainEv != null) {
                trainEv[u] = cut == n ? ev : Arrays.copyOf(ev, cut);
            }
            if (trainR != null) {
                trainR[u] = cut == n ? r : Arrays.copyOf(r, cut);
            }
            if (n >= 3) {
                val[u] = h[n - 2];
                test[u] = h[n - 1];
                if (valEv != null) {
                    valEv[u] = ev[n - 2];
                    testEv[u] = ev[n - 1];
                }
            }
        }
        return new Split(NAME, d.name(), nu, d.numItems(), train, trainEv, trainR, val, valEv, test, testEv);
    }
}
