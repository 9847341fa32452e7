package dev.recsys.api.config;

/**
 * Adam / AdamW settings. The optimiser runs engine-free in {@link dev.recsys.api.train.Adam}, so
 * both backends take exactly the same step.
 *
 * @param type        ADAM (L2 folded into the gradient when weightDecay &gt; 0) or ADAMW (decoupled decay)
 * @param beta1       first-moment decay
 * @param beta2       second-moment decay
 * @param epsilon     denominator epsilon
 * @param weightDecay weight decay (0 = none)
 * @param clipNorm    clip the global gradient L2 norm to this value (0 = no clipping)
 */
public record OptimizerConfig(Type type, float beta1, float beta2, float epsilon, float weightDecay, float clipNorm) {

    public enum Type {
        ADAM,
        ADAMW
    }

    public OptimizerConfig {
        if (type == null) {
            throw new IllegalArgumentException("optimizer type must be ADAM or ADAMW");
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), found " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), found " + beta2);
        }
        if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be a finite number > 0, found " + epsilon);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be a finite number >= 0, found " + weightDecay);
        }
        if (!(clipNorm >= 0) || Float.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be >= 0 (0 = off), found " + clipNorm);
        }
    }

    /** Adam(0.9, 0.98, 1e-8), as SASRec, no decay, clipping at 5. */
    public static OptimizerConfig adam() {
        return of(Type.ADAM, 0f, 5f);
    }

    /** The SASRec betas and epsilon (0.9, 0.98, 1e-8) with this type, weight decay and clipping. */
    public static OptimizerConfig of(Type type, float weightDecay, float clipNorm) {
        return new OptimizerConfig(type, 0.9f, 0.98f, 1e-8f, weightDecay, clipNorm);
    }
}
