package dev.recsys.api.data;

/**
 * The sampled negatives of a next-item batch ({@link TrainBatch.NextItem}), one record per way of
 * carrying them:
 * <ul>
 * <li>{@link None}: no sampled negatives (full softmax scores the whole catalogue);</li>
 * <li>{@link PerPosition}: {@code C = 1 + K} candidates per position, the target first;</li>
 * <li>{@link SharedByRow}: K negatives per sequence row, shared by that row's positions (the
 *     {@link dev.recsys.api.train.Trainer}'s way for large K);</li>
 * <li>{@link SharedByBatch}: K negatives shared by every position of the batch (the speed
 *     yardstick's way).</li>
 * </ul>
 * With shared negatives a counted position with target t has the candidate group
 * {@code [t, n_1..n_K]} (its row's or the batch's negatives) with every {@code n_k == t} dropped
 * from that position's group: it adds nothing to the loss and gets a zero gradient (a logit of
 * -inf in the softmax). The engine computes the negative logits as one product
 * {@code U [B*L, d] x V_neg^T [d, K]} (batch) or one batched product
 * {@code U [B, L, d] x V_neg^T [B, d, K]} (by row).
 */
public sealed interface Negatives permits Negatives.None, Negatives.PerPosition, Negatives.Shared {

    /** No sampled negatives: full softmax. */
    record None() implements Negatives {}

    /**
     * {@code C = 1 + K} candidates per position.
     *
     * @param candidates {@code [B*L*C]}, per position the target first, then K sampled negatives
     * @param perRow     C (>= 2)
     * @param logQ       log sampling probability of every candidate {@code [B*L*C]} for the log-Q
     *                   correction, or null when not used
     */
    record PerPosition(int[] candidates, int perRow, float[] logQ) implements Negatives {
        public PerPosition {
            if (candidates == null || perRow < 2 || candidates.length % perRow != 0) {
                throw new IllegalArgumentException(
                        "per-position candidates must hold C >= 2 ids per position, found perRow = " + perRow + " and "
                                + (candidates == null ? "null" : candidates.length + " ids"));
            }
            if (logQ != null && logQ.length != candidates.length) {
                throw new IllegalArgumentException("logQ must have one value per candidate: expected "
                        + candidates.length + ", found " + logQ.length);
            }
        }
    }

    /** K negatives shared by several positions (by row or by the whole batch). */
    sealed interface Shared extends Negatives permits SharedByRow, SharedByBatch {
        /** The shared negative ids. */
        int[] ids();

        /** K, the negatives of one position's group. */
        int k();

        /** Log Q of each position's target {@code [B*L]}, or null without the log-Q correction. */
        float[] targetLogQ();

        /** Log Q of each shared negative (the same length as {@link #ids()}), or null. */
        float[] logQ();

        /** Where the negatives of a position (flat index {@code b * length + j}) start in {@link #ids()} and {@link #logQ()}. */
        int offset(int position, int length);
    }

    /**
     * K negatives per sequence row, shared by that row's positions.
     *
     * @param ids        {@code [B*K]}, row b's at {@code [b*K, (b+1)*K)}
     * @param k          K (>= 1)
     * @param targetLogQ log Q of each position's target {@code [B*L]}, or null
     * @param logQ       log Q of each negative {@code [B*K]}, or null (set exactly when targetLogQ is)
     */
    record SharedByRow(int[] ids, int k, float[] targetLogQ, float[] logQ) implements Shared {
        public SharedByRow {
            if (ids == null || k < 1 || ids.length % k != 0 || ids.length == 0) {
                throw new IllegalArgumentException("negatives shared by row must hold K >= 1 ids per row, found K = "
                        + k + " and " + (ids == null ? "null" : ids.length + " ids"));
            }
            checkLogQ(ids, targetLogQ, logQ);
        }

        @Override
        public int offset(int position, int length) {
            return (position / length) * k;
        }
    }

    /**
     * K negatives shared by every position of the batch.
     *
     * @param ids        {@code [K]}
     * @param targetLogQ log Q of each position's target {@code [B*L]}, or null
     * @param logQ       log Q of each negative {@code [K]}, or null (set exactly when targetLogQ is)
     */
    record SharedByBatch(int[] ids, float[] targetLogQ, float[] logQ) implements Shared {
        public SharedByBatch {
            if (ids == null || ids.length < 1) {
                throw new IllegalArgumentException(
                        "shared negatives must hold >= 1 id, found " + (ids == null ? "null" : "0"));
            }
            checkLogQ(ids, targetLogQ, logQ);
        }

        @Override
        public int k() {
            return ids.length;
        }

        @Override
        public int offset(int position, int length) {
            return 0;
        }
    }

    private static void checkLogQ(int[] ids, float[] targetLogQ, float[] logQ) {
        if ((targetLogQ == null) != (logQ == null)) {
            throw new IllegalArgumentException(
                    "targetLogQ and logQ (of the negatives) must be both set or both null, found "
                            + (targetLogQ == null ? "targetLogQ null" : "targetLogQ set") + " and "
                            + (logQ == null ? "logQ null" : "logQ set"));
        }
        if (logQ != null && logQ.length != ids.length) {
            throw new IllegalArgumentException(
                    "logQ must hold one value per shared negative: expected " + ids.length + ", found " + logQ.length);
        }
    }
}
