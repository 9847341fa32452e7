package dev.recsys.api.loss;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.model.InputChecks;

/**
 * The engine-free preparation of one training step, shared by the reference model and every
 * backend: the checks of a batch against its loss (one wording per error), and for next-item
 * batches the loss groups ({@link Groups}: which positions count, their candidates, log Q, the
 * shared negatives each group drops, the loss weights). A backend only builds and runs the network
 * on these arrays.
 */
public final class StepInputs {

    private StepInputs() {}

    /**
     * The loss groups of a next-item batch, one per counted position (a position with a target),
     * in flat position order {@code b * L + j}.
     *
     * @param spec       the loss
     * @param batch      the batch
     * @param numItems   N
     * @param positions  flat position of each group {@code [P]}
     * @param targets    target item of each group {@code [P]}
     * @param width      candidates per group: {@code 1 + K} (ranking losses) or N (full softmax)
     * @param candidates per-position negatives only: the candidates of each group {@code [P * width]},
     *                   target first; else null
     * @param logQ       the log Q of each group's candidates {@code [P * width]} (target first) when
     *                   the batch carries log Q, else null
     * @param dropped    shared negatives only: true where a shared negative equals its group's target
     *                   and is left out of that group {@code [P * width]}; null when none is
     */
    public record Groups(
            LossSpec spec,
            TrainBatch.NextItem batch,
            int numItems,
            int[] positions,
            int[] targets,
            int width,
            int[] candidates,
            float[] logQ,
            boolean[] dropped) {

        /** P, the counted positions (0 when no position has a target: such a batch has no loss). */
        public int count() {
            return positions.length;
        }

        /** The shared negatives of the batch, or null when it has none. */
        public Negatives.Shared shared() {
            return batch.negatives() instanceof Negatives.Shared s ? s : null;
        }

        /** Whether the loss is full softmax over the catalogue. */
        public boolean fullSoftmax() {
            return spec instanceof LossSpec.SoftmaxCe;
        }

        /** Whether the loss reads {@link #logQ()} (sampled softmax with the log-Q correction). */
        public boolean usesLogQ() {
            return spec instanceof LossSpec.SampledSoftmax s && s.logQ();
        }

        /** Where the shared negatives of group g start in {@link Negatives.Shared#ids()}. */
        public int sharedOffset(int g) {
            return shared().offset(positions[g], batch.input().length());
        }

        /** The item of candidate k of group g: items 1..N for full softmax, the target at k = 0 otherwise. */
        public int item(int g, int k) {
            if (fullSoftmax()) {
                return k + 1;
            }
            if (candidates != null) {
                return candidates[g * width + k];
            }
            return k == 0 ? targets[g] : shared().ids()[sharedOffset(g) + k - 1];
        }

        /** Full softmax: each group's target index ({@code id - 1}). */
        public int[] targetIndex() {
            int[] t = new int[targets.length];
            for (int g = 0; g < t.length; g++) {
                t[g] = targets[g] - 1;
            }
            return t;
        }

        /** β of the positive term of a binary ranking loss: gBCE's calibration exponent, 1 for bce. */
        public double beta() {
            return spec instanceof LossSpec.Gbce g ? LossMath.gbceBeta(g.negatives(), numItems, g.t()) : 1.0;
        }

        /** The weight of a positive term of a binary ranking loss (the loss is a mean over groups): β / P. */
        public float positiveWeight() {
            return (float) (beta() / count());
        }

        /** The weight of a group (softmax) or of a negative term (binary ranking): 1 / P. */
        public float groupWeight() {
            return 1f / count();
        }

        /** Whether candidate k (>= 1) of group g is a shared negative dropped from it. */
        public boolean isDropped(int g, int k) {
            return dropped != null && dropped[g * width + k];
        }
    }

    /**
     * Checks a next-item batch against its loss and the model, and lays out its loss groups.
     *
     * @throws IllegalArgumentException when the loss is not a pre-training loss, the batch's
     *                                  negatives do not fit the loss, or an id is outside the catalogue
     */
    public static Groups nextItem(ModelConfig config, TrainBatch.NextItem batch, LossSpec spec) {
        requireBatchAndLoss(batch, spec);
        LossMath.requireStage(spec, dev.recsys.api.loss.Stage.PRETRAIN);
        InputChecks.batch(config, batch.input());
        Negatives negatives = batch.negatives();
        boolean full = spec instanceof LossSpec.SoftmaxCe;
        if (full != negatives instanceof Negatives.None) {
            throw new IllegalArgumentException(
                    full
                            ? "full softmax scores the whole catalogue: the batch must not carry candidates or shared negatives, found "
                                    + describe(negatives)
                            : spec.name()
                                    + " needs sampled candidates per position (target first) or shared negatives, found a batch "
                                    + "without either");
        }
        int width = full
                ? config.numItems()
                : 1
                        + (negatives instanceof Negatives.PerPosition p
                                ? p.perRow() - 1
                                : ((Negatives.Shared) negatives).k());
        if (!full) {
            LossMath.requireGroupSize(spec, width, "groups");
        }
        boolean hasLogQ = negatives instanceof Negatives.PerPosition p
                ? p.logQ() != null
                : negatives instanceof Negatives.Shared s && s.logQ() != null;
        if (spec instanceof LossSpec.SampledSoftmax s && s.logQ() && !hasLogQ) {
            throw new IllegalArgumentException(
                    "sampled-softmax with logQ correction needs the batch's log Q values, found none");
        }
        int[] allTargets = batch.targets();
        InputChecks.itemIds(config, allTargets, "target");
        if (batch.droppedIds() != null) {
            if (!config.hasContent() || !config.itemIds()) {
                throw new IllegalArgumentException(
                        "item-id dropout needs a content model with item ids (an item without its id row must still have a vector)");
            }
            if (batch.droppedIds().length != config.numItems() + 1) {
                throw new IllegalArgumentException("droppedIds must hold one flag per item 0.." + config.numItems()
                        + " (" + (config.numItems() + 1) + "), found " + batch.droppedIds().length);
            }
        }
        if (negatives instanceof Negatives.PerPosition p) {
            InputChecks.itemIds(config, p.candidates(), "candidate");
        } else if (negatives instanceof Negatives.Shared s) {
            InputChecks.itemIds(config, s.ids(), "shared negative");
        }
        int count = 0;
        for (int t : allTargets) {
            if (t != 0) {
                count++;
            }
        }
        int[] positions = new int[count];
        int[] targets = new int[count];
        int g = 0;
        for (int p = 0; p < allTargets.length; p++) {
            if (allTargets[p] != 0) {
                positions[g] = p;
                targets[g++] = allTargets[p];
            }
        }
        int len = batch.input().length();
        int[] candidates = null;
        float[] logQ = hasLogQ && !full ? new float[count * width] : null;
        boolean[] dropped = null;
        if (negatives instanceof Negatives.PerPosition p) {
            // per-position candidate groups of the counted positions
            candidates = new int[count * width];
            for (g = 0; g < count; g++) {
                System.arraycopy(p.candidates(), positions[g] * width, candidates, g * width, width);
                if (logQ != null) {
                    System.arraycopy(p.logQ(), positions[g] * width, logQ, g * width, width);
                }
            }
        } else if (negatives instanceof Negatives.Shared s) {
            // shared negatives are not copied to every group (K = 3,000 at length 200 would be 77 M ids per step)
            if (logQ != null) {
                for (g = 0; g < count; g++) {
                    logQ[g * width] = s.targetLogQ()[positions[g]];
                    System.arraycopy(s.logQ(), s.offset(positions[g], len), logQ, g * width + 1, width - 1);
                }
            }
            dropped = collisions(s, positions, targets, len, config.numItems());
        }
        return new Groups(spec, batch, config.numItems(), positions, targets, width, candidates, logQ, dropped);
    }

    /**
     * Which shared negatives are left out of their group because they equal its target
     * ({@code [P * (1 + K)]}, the target's own column always false), or null when none is: found per
     * row (or once for the batch) through a table of the negatives, so no per-group copy of the K
     * negatives is built.
     */
    private static boolean[] collisions(Negatives.Shared s, int[] positions, int[] targets, int len, int numItems) {
        int k = s.k();
        int width = 1 + k;
        int[] ids = s.ids();
        int[] seenIn = new int[numItems + 1];
        java.util.Arrays.fill(seenIn, -1);
        boolean[] dropped = null;
        int lastOff = -1;
        for (int g = 0; g < positions.length; g++) {
            int off = s.offset(positions[g], len);
            if (off != lastOff) {
                for (int i = 0; i < k; i++) {
                    seenIn[ids[off + i]] = off;
                }
                lastOff = off;
            }
            if (seenIn[targets[g]] == off) {
                if (dropped == null) {
                    dropped = new boolean[positions.length * width];
                }
                for (int i = 0; i < k; i++) {
                    if (ids[off + i] == targets[g]) {
                        dropped[g * width + 1 + i] = true;
                    }
                }
            }
        }
        return dropped;
    }

    /**
     * Checks a fine-tuning batch against its loss and the model: a fine-tuning loss, labels for the
     * pointwise losses (bce, mse), {@code 1 + K} candidates per row for the pairwise ones (bpr,
     * hinge), candidate ids in the catalogue and an item in every row.
     */
    public static void candidates(ModelConfig config, TrainBatch.Candidates batch, LossSpec spec) {
        requireBatchAndLoss(batch, spec);
        LossMath.requireStage(spec, dev.recsys.api.loss.Stage.FINETUNE);
        InputChecks.batch(config, batch.input());
        if (spec instanceof LossSpec.Bce || spec instanceof LossSpec.Mse) {
            LossMath.requireLabels(spec, batch.candidates().length, batch.labels());
        } else {
            LossMath.requireGroupSize(spec, batch.perRow(), "rows");
        }
        InputChecks.candidates(config, batch.input(), batch.candidates(), batch.perRow());
    }

    private static void requireBatchAndLoss(TrainBatch batch, LossSpec spec) {
        if (batch == null || spec == null) {
            throw new IllegalArgumentException("a training step needs a batch and a loss, found "
                    + (batch == null ? "no batch" : "a batch") + " and " + (spec == null ? "no loss" : "a loss"));
        }
    }

    private static String describe(Negatives n) {
        if (n instanceof Negatives.PerPosition p) {
            return "perRow=" + p.perRow();
        }
        if (n instanceof Negatives.Shared s) {
            return s.ids().length + " shared negatives";
        }
        return "none";
    }
}
