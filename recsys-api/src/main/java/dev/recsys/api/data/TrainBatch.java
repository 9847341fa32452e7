package dev.recsys.api.data;

/**
 * What one optimiser step sees. Built engine-free by {@link dev.recsys.api.train.Batcher}.
 */
public sealed interface TrainBatch permits TrainBatch.NextItem, TrainBatch.Candidates {

    SeqBatch input();

    /**
     * Pre-training: next-item prediction at every position of {@link #input()}.
     *
     * @param input      histories {@code [B, L]}
     * @param targets    the next item at each position {@code [B*L]}, 0 = no target (padding)
     * @param candidates per position {@code C = 1 + K} candidates {@code [B*L*C]} with the target first,
     *                   then K sampled negatives; null for full softmax
     * @param perRow     C (0 when candidates is null)
     * @param logQ       log sampling probability of each candidate {@code [B*L*C]} for the log-Q
     *                   correction; null when not used
     */
    record NextItem(SeqBatch input, int[] targets, int[] candidates, int perRow, float[] logQ) implements TrainBatch {
        public NextItem {
            int positions = input.size() * input.length();
            if (targets == null || targets.length != positions) {
                throw new IllegalArgumentException("targets must hold one id per position (" + positions + ")");
            }
            if (candidates != null && (perRow < 2 || candidates.length != positions * perRow)) {
                throw new IllegalArgumentException("candidates must hold positions*perRow = " + positions + "*" + perRow
                        + " ids with perRow >= 2, found " + candidates.length);
            }
            if (candidates == null && perRow != 0) {
                throw new IllegalArgumentException("perRow must be 0 without candidates");
            }
            if (logQ != null && (candidates == null || logQ.length != candidates.length)) {
                throw new IllegalArgumentException("logQ must have one value per candidate");
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
