package dev.recsys.api.loss;

import java.util.Arrays;

/**
 * Plain-Java reference maths of every {@link LossSpec}: the value and its gradient with respect
 * to the logits, in double precision, exactly as docs/MODEL.md "Losses" defines them. Backends
 * are tested against these numbers; a backend may also compute its logits on its engine, call
 * this class for the loss and the logit gradient, and back-propagate that gradient.
 *
 * <p>All forms are numerically stable: {@code log σ(x) = -softplus(-x)},
 * {@code log(1 - σ(x)) = -softplus(x)} with {@code softplus(x) = max(x, 0) + log1p(exp(-|x|))},
 * and softmax through log-sum-exp shifted by the maximum.
 *
 * <p>Layouts. Pre-training logits are {@code [groups, groupSize]} row-major, one group per
 * counted training position (positions without a target are left out by the caller). In a
 * ranking group (bce, gbce, sampled softmax) candidate 0 is the positive and candidates
 * {@code 1..K} are the sampled negatives, so {@code groupSize = 1 + K}. A full-softmax group
 * spans the whole catalogue: {@code groupSize = numItems}, item {@code i} at index {@code i-1},
 * and {@code targetIndex[g]} is the index of the target. Fine-tuning scores are
 * {@code [rows, perRow]}; ranking losses (bpr, hinge) put the positive first.
 */
public final class LossMath {

    private LossMath() {}

    /**
     * A loss value and its gradient with respect to each logit (same layout as the logits).
     *
     * @param value    the loss (a mean, see {@link LossSpec})
     * @param gradient {@code d value / d logit[i]}
     */
    public record Result(double value, double[] gradient) {
        public Result {
            if (gradient == null) {
                throw new IllegalArgumentException("gradient must not be null");
            }
        }

        /** The gradient as float32, for engines. */
        public float[] gradientAsFloat() {
            float[] f = new float[gradient.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) gradient[i];
            }
            return f;
        }

        @Override
        public String toString() {
            return "Result[value=" + value + ", gradient=" + Arrays.toString(gradient) + "]";
        }
    }

    /**
     * The gBCE exponent of gSASRec: {@code α = K / (N - 1)}, {@code β = α (t (1 - 1/α) + 1/α)}.
     * {@code t = 0} gives 1 (plain BCE), {@code t = 1} gives {@code α}.
     *
     * @param negatives K, sampled negatives per positive
     * @param numItems  N, catalogue size (negatives are drawn from the N - 1 other items)
     * @param t         calibration in [0, 1]
     */
    public static double gbceBeta(int negatives, int numItems, double t) {
        if (negatives < 1) {
            throw new IllegalArgumentException("gbce needs >= 1 negative, found " + negatives);
        }
        if (numItems < 2) {
            throw new IllegalArgumentException("gbce needs numItems >= 2 (α = K / (N - 1)), found " + numItems);
        }
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("gbce calibration t must be in [0, 1], found " + t);
        }
        double alpha = (double) negatives / (numItems - 1);
        return alpha * (t * (1 - 1 / alpha) + 1 / alpha);
    }

    /** {@code log(1 + e^x)} without overflow or loss of precision for large |x|. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** The logistic function {@code 1 / (1 + e^-x)}, stable for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** {@code log σ(x) = -softplus(-x)}. */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }

    /**
     * A pre-training loss (stage-1 logits, next-item prediction).
     *
     * @param spec        bce, gbce, sampled-softmax or softmax
     * @param logits      {@code [groups * groupSize]}
     * @param groups      number of counted positions (the loss is the mean over them); must be > 0
     * @param groupSize   {@code 1 + K} for ranking losses, {@code numItems} for softmax
     * @param targetIndex softmax only: the target's index ({@code id - 1}) per group; else ignored (may be null)
     * @param logQ        sampled softmax with {@code logQ=true} only: {@code log Q} of every candidate,
     *                    same layout as logits; ignored otherwise (may be null)
     * @param numItems    catalogue size N (gbce's α and softmax's group size)
     */
    public static Result pretrain(
            LossSpec spec, float[] logits, int groups, int groupSize, int[] targetIndex, float[] logQ, int numItems) {
        return pretrain(spec, widen(logits), groups, groupSize, targetIndex, logQ, numItems, null);
    }

    /** {@link #pretrain(LossSpec, float[], int, int, int[], float[], int)} on double-precision logits. */
    public static Result pretrain(
            LossSpec spec, double[] logits, int groups, int groupSize, int[] targetIndex, float[] logQ, int numItems) {
        return pretrain(spec, logits, groups, groupSize, targetIndex, logQ, numItems, null);
    }

    /**
     * A pre-training loss over ranking groups in which some negatives are dropped: a dropped
     * candidate adds nothing to the loss (bce, gbce: no {@code log(1 - σ(s_k))} term; sampled
     * softmax: a logit of -inf) and gets a zero gradient. This is how a batch with shared negatives
     * ({@link dev.recsys.api.data.Negatives.Shared}) treats a shared negative equal to
     * the position's target. gbce keeps {@code K = groupSize - 1} in α whatever is dropped.
     *
     * @param dropped same layout as {@code logits}, true for a dropped candidate; the positive
     *                (index 0 of each group) can never be dropped; null = nothing dropped. Ranking
     *                losses only (softmax accepts only null).
     * @see #pretrain(LossSpec, float[], int, int, int[], float[], int)
     */
    public static Result pretrain(
            LossSpec spec,
            float[] logits,
            int groups,
            int groupSize,
            int[] targetIndex,
            float[] logQ,
            int numItems,
            boolean[] dropped) {
        return pretrain(spec, widen(logits), groups, groupSize, targetIndex, logQ, numItems, dropped);
    }

    /** {@link #pretrain(LossSpec, float[], int, int, int[], float[], int, boolean[])} on double-precision logits. */
    public static Result pretrain(
            LossSpec spec,
            double[] logits,
            int groups,
            int groupSize,
            int[] targetIndex,
            float[] logQ,
            int numItems,
            boolean[] dropped) {
        requireStage(spec, Stage.PRETRAIN);
        checkLayout(logits, groups, groupSize);
        if (numItems < 1) {
            throw new IllegalArgumentException("numItems must be > 0, found " + numItems);
        }
        if (spec instanceof LossSpec.SoftmaxCe) {
            if (dropped != null) {
                throw new IllegalArgumentException(
                        "full softmax has no sampled negatives to drop: expected dropped = null");
            }
            return softmax(logits, groups, groupSize, targetIndex, numItems);
        }
        requireGroupSize(spec, groupSize, "groups");
        if (dropped != null) {
            if (dropped.length != logits.length) {
                throw new IllegalArgumentException("dropped must have one flag per logit: expected " + logits.length
                        + ", found " + dropped.length);
            }
            for (int r = 0; r < groups; r++) {
                if (dropped[r * groupSize]) {
                    throw new IllegalArgumentException("the positive (index 0) of group " + r + " cannot be dropped");
                }
            }
        }
        if (spec instanceof LossSpec.Bce) {
            return binaryRanking(logits, groups, groupSize, 1.0, dropped);
        }
        if (spec instanceof LossSpec.Gbce g) {
            return binaryRanking(logits, groups, groupSize, gbceBeta(g.negatives(), numItems, g.t()), dropped);
        }
        if (spec instanceof LossSpec.SampledSoftmax s) {
            if (s.logQ() && (logQ == null || logQ.length != logits.length)) {
                throw new IllegalArgumentException(
                        "sampled softmax with logQ correction needs one log Q per candidate: expected " + logits.length
                                + ", found " + (logQ == null ? "null" : logQ.length));
            }
            return sampledSoftmax(logits, groups, groupSize, s.logQ() ? logQ : null, dropped);
        }
        throw new IllegalArgumentException("no pre-training maths for loss " + spec.name());
    }

    /**
     * A fine-tuning loss (stage-2 scores of candidates).
     *
     * @param spec   bce or mse (pointwise, labels required), bpr or hinge (positive first)
     * @param scores {@code [rows * perRow]}
     * @param rows   users B (> 0)
     * @param perRow candidates C per user; {@code 1 + K} for bpr and hinge
     * @param labels pointwise losses: one label per score (0/1 for bce, a rating for mse); else ignored
     */
    public static Result finetune(LossSpec spec, float[] scores, int rows, int perRow, float[] labels) {
        return finetune(spec, widen(scores), rows, perRow, labels);
    }

    /** {@link #finetune(LossSpec, float[], int, int, float[])} on double-precision scores. */
    public static Result finetune(LossSpec spec, double[] scores, int rows, int perRow, float[] labels) {
        requireStage(spec, Stage.FINETUNE);
        checkLayout(scores, rows, perRow);
        if (spec instanceof LossSpec.Bce || spec instanceof LossSpec.Mse) {
            requireLabels(spec, scores.length, labels);
            return spec instanceof LossSpec.Bce ? pointwiseBce(scores, labels) : mse(scores, labels);
        }
        requireGroupSize(spec, perRow, "rows");
        if (spec instanceof LossSpec.Bpr) {
            return pairwise(scores, rows, perRow, Double.NaN);
        }
        if (spec instanceof LossSpec.Hinge h) {
            return pairwise(scores, rows, perRow, h.margin());
        }
        throw new IllegalArgumentException("no fine-tuning maths for loss " + spec.name());
    }

    /**
     * The loss of a next-item batch's groups ({@link StepInputs#nextItem}) from their logits
     * ({@code [P * width]}, candidate k of group g at {@code g * width + k}).
     */
    public static Result pretrain(StepInputs.Groups groups, double[] logits) {
        return pretrain(
                groups.spec(),
                logits,
                groups.count(),
                groups.width(),
                groups.fullSoftmax() ? groups.targetIndex() : null,
                groups.logQ(),
                groups.numItems(),
                groups.dropped());
    }

    /** The one wording of "this loss does not belong to this stage". */
    static void requireStage(LossSpec spec, Stage stage) {
        if (spec == null || !spec.supports(stage)) {
            throw new IllegalArgumentException("loss " + (spec == null ? "null" : spec.name()) + " cannot be used for "
                    + (stage == Stage.PRETRAIN
                            ? "pre-training; use bce, gbce, sampled-softmax or softmax"
                            : "fine-tuning; use bce, mse, bpr or hinge"));
        }
    }

    /** The one wording of "a ranking loss with K negatives needs groups (or rows) of 1 + K candidates". */
    static void requireGroupSize(LossSpec spec, int size, String unit) {
        if (size != 1 + spec.negatives()) {
            throw new IllegalArgumentException(spec.name() + " with " + spec.negatives() + " negatives expects " + unit
                    + " of 1 + " + spec.negatives() + " = " + (1 + spec.negatives())
                    + " candidates (positive first), found " + size);
        }
    }

    /** The one wording of "a pointwise fine-tuning loss needs a label per candidate". */
    static void requireLabels(LossSpec spec, int candidates, float[] labels) {
        if (labels == null || labels.length != candidates) {
            throw new IllegalArgumentException(spec.name() + " fine-tuning needs one label per candidate: expected "
                    + candidates + ", found " + (labels == null ? "null" : labels.length));
        }
    }

    private static double[] widen(float[] x) {
        if (x == null) {
            return null;
        }
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static void checkLayout(double[] logits, int groups, int groupSize) {
        if (groups < 1 || groupSize < 1) {
            throw new IllegalArgumentException("groups and groupSize must be > 0, found " + groups + " x " + groupSize
                    + " (a batch without any counted position has no loss)");
        }
        if (logits == null || logits.length != groups * groupSize) {
            throw new IllegalArgumentException("logits must hold groups*groupSize = " + groups + "*" + groupSize + " = "
                    + groups * groupSize + " values, found " + (logits == null ? "null" : logits.length));
        }
    }

    /** {@code -β log σ(s_0) - Σ_{k>=1, not dropped} log(1 - σ(s_k))} per group, mean over groups. */
    private static Result binaryRanking(double[] s, int groups, int size, double beta, boolean[] dropped) {
        double[] g = new double[s.length];
        double total = 0;
        for (int r = 0; r < groups; r++) {
            int o = r * size;
            double pos = s[o];
            total += beta * softplus(-pos);
            g[o] = -beta * sigmoid(-pos) / groups;
            for (int k = 1; k < size; k++) {
                if (dropped != null && dropped[o + k]) {
                    continue;
                }
                double neg = s[o + k];
                total += softplus(neg);
                g[o + k] = sigmoid(neg) / groups;
            }
        }
        return new Result(total / groups, g);
    }

    /** {@code -log softmax(s - logQ)[0]} per group over the candidates not dropped, mean over groups. */
    private static Result sampledSoftmax(double[] s, int groups, int size, float[] logQ, boolean[] dropped) {
        double[] g = new double[s.length];
        double total = 0;
        double[] z = new double[size];
        for (int r = 0; r < groups; r++) {
            int o = r * size;
            for (int k = 0; k < size; k++) {
                z[k] = dropped != null && dropped[o + k]
                        ? Double.NEGATIVE_INFINITY
                        : s[o + k] - (logQ == null ? 0.0 : logQ[o + k]);
            }
            total += crossEntropy(z, 0, g, o, groups);
        }
        return new Result(total / groups, g);
    }

    /** {@code -log softmax(s)[target]} over items 1..N per group, mean over groups. */
    private static Result softmax(double[] s, int groups, int size, int[] targetIndex, int numItems) {
        if (size != numItems) {
            throw new IllegalArgumentException(
                    "full softmax groups span the catalogue: expected groupSize = numItems = " + numItems + ", found "
                            + size);
        }
        if (targetIndex == null || targetIndex.length != groups) {
            throw new IllegalArgumentException("full softmax needs one target index per group: expected " + groups
                    + ", found " + (targetIndex == null ? "null" : targetIndex.length));
        }
        double[] g = new double[s.length];
        double total = 0;
        double[] z = new double[size];
        for (int r = 0; r < groups; r++) {
            int t = targetIndex[r];
            if (t < 0 || t >= size) {
                throw new IllegalArgumentException(
                        "target index of group " + r + " must be in [0, " + size + ") (item id - 1), found " + t);
            }
            int o = r * size;
            for (int k = 0; k < size; k++) {
                z[k] = s[o + k];
            }
            total += crossEntropy(z, t, g, o, groups);
        }
        return new Result(total / groups, g);
    }

    /**
     * {@code -z[target] + logsumexp(z)}; writes {@code (softmax(z) - onehot) / groups} into g at offset.
     */
    private static double crossEntropy(double[] z, int target, double[] g, int offset, int groups) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        for (int k = 0; k < z.length; k++) {
            double p = Math.exp(z[k] - lse);
            g[offset + k] = (p - (k == target ? 1 : 0)) / groups;
        }
        return lse - z[target];
    }

    /** {@code -[y log σ(s) + (1-y) log(1-σ(s))] = y softplus(-s) + (1-y) softplus(s)}, mean over all. */
    private static Result pointwiseBce(double[] s, float[] y) {
        int n = s.length;
        double[] g = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double x = s[i];
            total += y[i] * softplus(-x) + (1 - y[i]) * softplus(x);
            g[i] = (sigmoid(x) - y[i]) / n;
        }
        return new Result(total / n, g);
    }

    /** {@code (s - y)^2}, mean over all. */
    private static Result mse(double[] s, float[] y) {
        int n = s.length;
        double[] g = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double e = s[i] - y[i];
            total += e * e;
            g[i] = 2 * e / n;
        }
        return new Result(total / n, g);
    }

    /**
     * BPR {@code -log σ(s_0 - s_k)} (margin NaN) or hinge {@code max(0, margin - s_0 + s_k)}; mean
     * over k = 1..C-1, then over rows. The hinge's sub-gradient is 0 where the term is exactly 0.
     */
    private static Result pairwise(double[] s, int rows, int size, double margin) {
        double[] g = new double[s.length];
        double total = 0;
        int k1 = size - 1;
        double scale = 1.0 / ((double) rows * k1);
        for (int r = 0; r < rows; r++) {
            int o = r * size;
            double pos = s[o];
            for (int k = 1; k < size; k++) {
                double diff = pos - s[o + k];
                double dTerm; // d term / d diff
                if (Double.isNaN(margin)) {
                    total += softplus(-diff);
                    dTerm = -sigmoid(-diff);
                } else {
                    double h = margin - diff;
                    if (h > 0) {
                        total += h;
                        dTerm = -1;
                    } else {
                        dTerm = 0;
                    }
                }
                g[o] += dTerm * scale;
                g[o + k] -= dTerm * scale;
            }
        }
        return new Result(total * scale, g);
    }
}
