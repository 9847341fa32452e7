package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import dev.recsys.api.loss.LossMath;
import dev.recsys.api.loss.LossSpec;

/**
 * Every loss of {@link LossSpec} on NDArrays, in numerically stable forms
 * ({@code -log σ(x) = softplus(-x)}, log-softmax); the maths of MODEL.md "Losses".
 */
final class DjlLosses {
    private DjlLosses() {}

    /**
     * Pre-training over sampled candidates (target first): mean over the P rows.
     *
     * @param logits  {@code [P, C]}
     * @param logQ    {@code [P, C]} log sampling probabilities, or null
     * @param dropped {@code [P * C]} true for a negative that is left out of its group (a shared
     *                negative equal to the position's target: no term, zero gradient), or null
     */
    static NDArray sampled(Ctx c, LossSpec spec, NDArray logits, NDArray logQ, int numItems, boolean[] dropped) {
        int cands = Math.toIntExact(logits.getShape().get(1));
        long rows = logits.getShape().get(0);
        if (spec instanceof LossSpec.Bce || spec instanceof LossSpec.Gbce) {
            float beta =
                    spec instanceof LossSpec.Gbce g ? (float) LossMath.gbceBeta(g.negatives(), numItems, g.t()) : 1f;
            NDArray terms = binary(c, logits, cands, beta);
            if (dropped != null) {
                float[] keep = new float[dropped.length];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = dropped[i] ? 0f : 1f;
                }
                terms = terms.mul(c.floats(keep, rows, cands));
            }
            return terms.sum().div(c.scalar((float) rows));
        }
        if (spec instanceof LossSpec.SampledSoftmax ss) {
            NDArray z = ss.logQ() && logQ != null ? logits.sub(logQ) : logits;
            if (dropped != null) {
                float[] add = new float[dropped.length];
                for (int i = 0; i < add.length; i++) {
                    add[i] = dropped[i] ? Mha.NEG : 0f;
                }
                z = z.add(c.floats(add, rows, cands));
            }
            float[] first = new float[cands];
            first[0] = 1f;
            NDArray picked = z.logSoftmax(1).mul(c.floats(first, cands)).sum();
            return picked.neg().div(c.scalar((float) rows));
        }
        throw new IllegalArgumentException("loss '" + spec.name() + "' is not a pre-training loss over sampled "
                + "candidates; expected bce, gbce or sampled-softmax");
    }

    /** Σ_c w_c softplus(sign_c s_c): {@code -β log σ(s0) - Σ_k log(1 - σ(s_k))} per row. */
    private static NDArray binary(Ctx c, NDArray logits, int cands, float beta) {
        float[] sign = new float[cands];
        float[] weight = new float[cands];
        java.util.Arrays.fill(sign, 1f);
        java.util.Arrays.fill(weight, 1f);
        sign[0] = -1f;
        weight[0] = beta;
        NDArray sp = Activation.softPlus(logits.mul(c.floats(sign, cands)));
        return beta == 1f ? sp : sp.mul(c.floats(weight, cands));
    }

    /**
     * Full softmax cross-entropy over items 1..N.
     *
     * @param logits  {@code [P, N+1]} (column 0, the padding item, is excluded here)
     * @param targets {@code [P, 1]} int64 item ids
     */
    static NDArray fullSoftmax(Ctx c, NDArray logits, NDArray targets) {
        long cols = logits.getShape().get(1);
        float[] pad = new float[Math.toIntExact(cols)];
        pad[0] = Mha.NEG;
        NDArray lp = logits.add(c.floats(pad, cols)).logSoftmax(1);
        return lp.gather(targets, 1).mean().neg();
    }

    /**
     * Fine-tuning losses on stage-2 scores {@code y [B, C]}.
     *
     * @param labels {@code [B, C]} (required by bce and mse; ignored by bpr and hinge)
     */
    static NDArray finetune(Ctx c, LossSpec spec, NDArray y, NDArray labels) {
        if (spec instanceof LossSpec.Bce) {
            return Activation.softPlus(y).sub(y.mul(labels)).mean();
        }
        if (spec instanceof LossSpec.Mse) {
            NDArray diff = y.sub(labels);
            return diff.mul(diff).mean();
        }
        if (spec instanceof LossSpec.Bpr) {
            return Activation.softPlus(positiveMinusNegatives(y).neg()).mean();
        }
        if (spec instanceof LossSpec.Hinge h) {
            return Activation.relu(positiveMinusNegatives(y).neg().add(c.scalar(h.margin())))
                    .mean();
        }
        throw new IllegalArgumentException(
                "loss '" + spec.name() + "' is not a fine-tuning loss; expected bce, mse, " + "bpr or hinge");
    }

    /** {@code y0 - y_k}, {@code [B, C-1]}. */
    private static NDArray positiveMinusNegatives(NDArray y) {
        if (y.getShape().get(1) < 2) {
            throw new IllegalArgumentException("ranking losses need a positive and >= 1 negative per row, found "
                    + y.getShape().get(1) + " candidate(s)");
        }
        NDList parts = y.split(new long[] {1}, 1);
        return parts.get(0).sub(parts.get(1));
    }
}
