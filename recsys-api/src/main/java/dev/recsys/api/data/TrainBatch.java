package dev.recsys.api.data;

/**
 * What one optimiser step sees. Built engine-free by {@link dev.recsys.api.train.Batcher}.
 */
public sealed interface TrainBatch permits TrainBatch.NextItem, TrainBatch.Candidates {

    SeqBatch input();

    /**
     * Pre-training: next-item prediction at every position of {@link #input()}.
     *
     * @param input     histories {@code [B, L]}
     * @param targets   the next item at each position {@code [B*L]}, 0 = no target (padding)
     * @param negatives the sampled negatives: {@link Negatives.None} for full softmax, else per
     *                  position or shared (see {@link Negatives})
     * @param droppedIds item-id dropout (docs/MODEL.md "Item-id dropout"): {@code [N+1]}, true for the
     *                  items whose id row this step leaves out, on the input and the output side, so that
     *                  their vectors are their content alone, as a cold item's; null: none (content models
     *                  with item ids only)
     */
    record NextItem(SeqBatch input, int[] targets, Negatives negatives, boolean[] droppedIds) implements TrainBatch {
        /** A batch without item-id dropout. */
        public NextItem(SeqBatch input, int[] targets, Negatives negatives) {
            this(input, targets, negatives, null);
        }

        /** Whether item {@code id}'s id row is left out in this step. */
        public boolean dropsId(int id) {
            return droppedIds != null && droppedIds[id];
        }

        public NextItem {
            if (droppedIds != null && droppedIds.length > 0 && droppedIds[0]) {
                throw new IllegalArgumentException("droppedIds[0] must be false: item 0 is the padding item");
            }
            int positions = input.size() * input.length();
            if (targets == null || targets.length != positions) {
                throw new IllegalArgumentException("targets must hold one id per position (" + positions + "), found "
                        + (targets == null ? "null" : targets.length));
            }
            if (negatives == null) {
                throw new IllegalArgumentException("negatives must not be null; use Negatives.None for full softmax");
            }
            if (negatives instanceof Negatives.PerPosition p && p.candidates().length != positions * p.perRow()) {
                throw new IllegalArgumentException("candidates must hold positions*perRow = " + positions + "*"
                        + p.perRow() + " ids, found " + p.candidates().length);
            }
            if (negatives instanceof Negatives.SharedByRow r && r.ids().length != input.size() * r.k()) {
                throw new IllegalArgumentException("negatives shared by row must hold K per row of the batch (B = "
                        + input.size() + ", K = " + r.k() + "), found " + r.ids().length + " ids");
            }
            if (negatives instanceof Negatives.Shared s
                    && s.targetLogQ() != null
                    && s.targetLogQ().length != positions) {
                throw new IllegalArgumentException(
                        "with shared negatives targetLogQ holds the target's log Q per position: expected " + positions
                                + " values, found " + s.targetLogQ().length);
            }
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
