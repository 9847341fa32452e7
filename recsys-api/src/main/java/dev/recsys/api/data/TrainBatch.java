package dev.recsys.api.data;

/**
 * What one optimiser step sees. Built engine-free by {@link dev.recsys.api.train.Batcher}.
 */
public sealed interface TrainBatch permits TrainBatch.NextItem, TrainBatch.Candidates {

    SeqBatch input();

    /**
     * Pre-training: next-item prediction at every position of {@link #input()}.
     *
     * <p>Two ways to carry the sampled negatives of ranking losses (bce, gbce, sampled softmax):
     * <ul>
     * <li>per position: {@code candidates [B*L*C]} with {@code C = 1 + K} (target first, then K
     *     negatives drawn for that position), {@code shared} null;</li>
     * <li>shared: {@code candidates} null and {@code perRow} 0, and either K negatives shared by the
     *     whole batch ({@code shared [K]}, {@code sharedByRow} false) or K negatives per sequence row
     *     shared by that row's positions ({@code shared [B*K]}, row b's at {@code [b*K, (b+1)*K)},
     *     {@code sharedByRow} true). A counted position with target t then has the candidate group
     *     {@code [t, n_1..n_K]} (its row's negatives) with every {@code n_k == t} dropped from that
     *     position's group (it adds nothing to the loss and gets a zero gradient; a logit of -inf in
     *     the softmax). The engine computes the negative logits as one product
     *     {@code U [B*L, d] x V_neg^T [d, K]} (batch) or one batched product
     *     {@code U [B, L, d] x V_neg^T [B, d, K]} (per row).</li>
     * </ul>
     * Full softmax carries neither ({@code candidates} and {@code shared} null).
     *
     * @param input      histories {@code [B, L]}
     * @param targets    the next item at each position {@code [B*L]}, 0 = no target (padding)
     * @param candidates per position {@code C = 1 + K} candidates {@code [B*L*C]} with the target first,
     *                   then K sampled negatives; null for full softmax and for shared negatives
     * @param perRow     C (0 when candidates is null)
     * @param logQ       log sampling probability for the log-Q correction, null when not used: per
     *                   candidate {@code [B*L*C]} with per-position candidates; of each position's
     *                   target {@code [B*L]} with shared negatives
     * @param shared      shared negative item ids ({@code [K]} or, by row, {@code [B*K]}), or null
     * @param sharedLogQ  log Q of each shared negative, the same length as {@code shared} (set exactly
     *                    when {@code logQ} is), or null
     * @param sharedByRow whether {@code shared} holds K negatives per sequence row rather than K for the batch
     */
    record NextItem(SeqBatch input, int[] targets, int[] candidates, int perRow, float[] logQ, int[] shared, float[] sharedLogQ,
                    boolean sharedByRow) implements TrainBatch {
        public NextItem {
            int positions = input.size() * input.length();
            if (targets == null || targets.length != positions) {
                throw new IllegalArgumentException("targets must hold one id per position (" + positions + "), found "
                        + (targets == null ? "null" : targets.length));
            }
            if (shared != null) {
                if (candidates != null || perRow != 0) {
                    throw new IllegalArgumentException("a batch with shared negatives carries no per-position candidates: expected "
                            + "candidates = null and perRow = 0, found " + (candidates == null ? "null" : candidates.length + " ids")
                            + " and perRow = " + perRow);
                }
                if (shared.length < 1) {
                    throw new IllegalArgumentException("shared negatives must hold >= 1 id, found 0");
                }
                if (sharedByRow && shared.length % input.size() != 0) {
                    throw new IllegalArgumentException("negatives shared by row must hold K per row of the batch (B = " + input.size()
                            + "), found " + shared.length + " ids, not a multiple of " + input.size());
                }
                if (logQ != null && logQ.length != positions) {
                    throw new IllegalArgumentException("with shared negatives logQ holds the target's log Q per position: expected "
                            + positions + " values, found " + logQ.length);
                }
                if (sharedLogQ != null && sharedLogQ.length != shared.length) {
                    throw new IllegalArgumentException("sharedLogQ must hold one value per shared negative: expected " + shared.length
                            + ", found " + sharedLogQ.length);
                }
                if ((logQ == null) != (sharedLogQ == null)) {
                    throw new IllegalArgumentException("logQ (targets) and sharedLogQ (negatives) must be both set or both null, found "
                            + (logQ == null ? "logQ null" : "logQ set") + " and " + (sharedLogQ == null ? "sharedLogQ null" : "sharedLogQ set"));
                }
            } else {
                if (sharedByRow) {
                    throw new IllegalArgumentException("sharedByRow needs shared negatives, found shared = null");
                }
                if (sharedLogQ != null) {
                    throw new IllegalArgumentException("sharedLogQ needs shared negatives, found shared = null");
                }
                if (candidates != null && (perRow < 2 || candidates.length != positions * perRow)) {
                    throw new IllegalArgumentException("candidates must hold positions*perRow = " + positions + "*" + perRow
                            + " ids with perRow >= 2, found " + candidates.length);
                }
                if (candidates == null && perRow != 0) {
                    throw new IllegalArgumentException("perRow must be 0 without candidates, found " + perRow);
                }
                if (logQ != null && (candidates == null || logQ.length != candidates.length)) {
                    throw new IllegalArgumentException("logQ must have one value per candidate: expected "
                            + (candidates == null ? 0 : candidates.length) + ", found " + logQ.length);
                }
            }
        }

        /** Per-position candidates (or none, for full softmax): the batch shares no negatives. */
        public NextItem(SeqBatch input, int[] targets, int[] candidates, int perRow, float[] logQ) {
            this(input, targets, candidates, perRow, logQ, null, null, false);
        }

        /** K negatives shared by the whole batch. */
        public NextItem(SeqBatch input, int[] targets, int[] candidates, int perRow, float[] logQ, int[] shared, float[] sharedLogQ) {
            this(input, targets, candidates, perRow, logQ, shared, sharedLogQ, false);
        }

        /** Whether the negatives are shared ({@link #shared()} set), by the batch or by row. */
        public boolean sharesNegatives() {
            return shared != null;
        }

        /** K, the shared negatives of one position's group (0 without shared negatives). */
        public int sharedK() {
            return shared == null ? 0 : sharedByRow ? shared.length / input.size() : shared.length;
        }

        /**
         * Where the shared negatives of a position (flat index {@code b * L + j}) start in
         * {@link #shared()} and {@link #sharedLogQ()}: {@code b * K} by row, else 0.
         */
        public int sharedOffset(int position) {
            return sharedByRow ? (position / input.length()) * sharedK() : 0;
        }
    }

    /**
     * Fine-tuning the stage-2 scorer: C candidates per user.
     *
     * @param input      histories {@code [B, L]}
     * @param candidates {@code [B*C]}; for ranking losses the positive first
     * @param perRow     C
     * @param labels     {@code [B*C]} for pointwise losses (1/0 or a rating), null for ranking losses
     */
    record Candidates(SeqBatch input, int[] candidates, int perRow, float[] labels) implements TrainBatch {
        public Candidates {
            if (perRow < 1 || candidates == null || candidates.length != input.size() * perRow) {
                throw new IllegalArgumentException("candidates must hold size*perRow ids with perRow >= 1");
            }
            if (labels != null && labels.length != candidates.length) {
                throw new IllegalArgumentException("labels must have one value per candidate");
            }
        }
    }
}
