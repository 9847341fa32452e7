package dev.recsys.api.loss;

/**
 * What a model is trained to minimise. Each loss is defined once, here, with plain-Java reference
 * maths in {@link LossMath}; backends implement the same formula on their engine and are tested
 * against it.
 *
 * <p>Logits come in groups (one group per training position or per user). In a ranking group
 * the positive is candidate 0 and the rest are sampled negatives; a pointwise group carries one
 * label per candidate; a full-softmax group spans the whole catalogue (items 1..N at index id-1)
 * with a target index. Every loss is the mean over groups (pointwise: over candidates) of the
 * per-group value.
 */
public sealed interface LossSpec permits LossSpec.Bce, LossSpec.Mse, LossSpec.Bpr, LossSpec.Hinge,
        LossSpec.SoftmaxCe, LossSpec.SampledSoftmax, LossSpec.Gbce {

    /** Short stable name used in configs and reports. */
    String name();

    /** Whether the loss can be used in the given stage. */
    boolean supports(Stage stage);

    /** Negatives sampled per group (0 for full softmax and for pointwise fine-tuning labels). */
    int negatives();

    /**
     * Binary cross-entropy. Pre-training: per position {@code -log σ(s+) - Σ_k log(1 - σ(s_k))}
     * (SASRec, averaged over positions). Fine-tuning: per candidate
     * {@code -[y log σ(s) + (1-y) log(1-σ(s))]} averaged over candidates.
     */
    record Bce(int negatives) implements LossSpec {
        public Bce {
            if (negatives < 1) {
                throw new IllegalArgumentException("bce needs >= 1 negative per positive, found " + negatives);
            }
        }
        public String name() { return "bce"; }
        public boolean supports(Stage stage) { return true; }
    }

    /** Mean squared error {@code (s - y)^2} on explicit ratings (fine-tuning only). */
    record Mse() implements LossSpec {
        public String name() { return "mse"; }
        public boolean supports(Stage stage) { return stage == Stage.FINETUNE; }
        public int negatives() { return 0; }
    }

    /** Bayesian personalised ranking {@code -log σ(s+ - s_k)}, mean over the K negatives (Rendle et al. 2009). */
    record Bpr(int negatives) implements LossSpec {
        public Bpr {
            if (negatives < 1) {
                throw new IllegalArgumentException("bpr needs >= 1 negative, found " + negatives);
            }
        }
        public String name() { return "bpr"; }
        public boolean supports(Stage stage) { return stage == Stage.FINETUNE; }
    }

    /** Margin hinge {@code max(0, margin - s+ + s_k)}, mean over the K negatives. */
    record Hinge(int negatives, float margin) implements LossSpec {
        public Hinge {
            if (negatives < 1) {
                throw new IllegalArgumentException("hinge needs >= 1 negative, found " + negatives);
            }
            if (!(margin > 0)) {
                throw new IllegalArgumentException("hinge margin must be > 0, found " + margin);
            }
        }
        public String name() { return "hinge"; }
        public boolean supports(Stage stage) { return stage == Stage.FINETUNE; }
    }

    /** Full softmax cross-entropy over items 1..N: {@code -s_t + log Σ_i exp(s_i)} (pre-training only). */
    record SoftmaxCe() implements LossSpec {
        public String name() { return "softmax"; }
        public boolean supports(Stage stage) { return stage == Stage.PRETRAIN; }
        public int negatives() { return 0; }
    }

    /**
     * Sampled softmax: cross-entropy over the positive and K sampled negatives, each logit first
     * corrected by {@code -log Q(i)} when {@code logQ} is set (Bengio and Senécal 2008; Yi et al.
     * 2019), where Q is the sampling distribution. Pre-training only.
     */
    record SampledSoftmax(int negatives, boolean logQ) implements LossSpec {
        public SampledSoftmax {
            if (negatives < 1) {
                throw new IllegalArgumentException("sampled softmax needs >= 1 negative, found " + negatives);
            }
        }
        public String name() { return "sampled-softmax"; }
        public boolean supports(Stage stage) { return stage == Stage.PRETRAIN; }
    }

    /**
     * Generalised BCE of gSASRec (Petrov and Macdonald, RecSys 2023):
     * {@code -β log σ(s+) - Σ_k log(1 - σ(s_k))} with {@code α = K / (N - 1)} and
     * {@code β = α (t (1 - 1/α) + 1/α)}; t = 0 gives β = 1 (plain BCE), t = 1 gives β = α; see
     * {@link LossMath#gbceBeta}. Pre-training only.
     */
    record Gbce(int negatives, float t) implements LossSpec {
        public Gbce {
            if (negatives < 1) {
                throw new IllegalArgumentException("gbce needs >= 1 negative, found " + negatives);
            }
            if (!(t >= 0 && t <= 1)) {
                throw new IllegalArgumentException("gbce calibration t must be in [0, 1], found " + t);
            }
        }
        public String name() { return "gbce"; }
        public boolean supports(Stage stage) { return stage == Stage.PRETRAIN; }
    }
}
