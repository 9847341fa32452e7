package dev.recsys.api.train;

import dev.recsys.api.TrainingException;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.model.Weights;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019), engine-free, so that every
 * backend takes exactly the same step from the same gradients. Works in place on a master copy
 * of the weights; the caller pushes the result to the backend with
 * {@link dev.recsys.api.spi.RecModel#setWeights}.
 *
 * <p>Step t (1-based) with learning rate lr and gradient g (after global-norm clipping):
 * ADAM with weight decay λ uses {@code g + λ w}; {@code m = β1 m + (1-β1) g},
 * {@code v = β2 v + (1-β2) g²}, {@code w -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)};
 * ADAMW additionally applies {@code w -= lr · λ · w} before the moment update (decoupled) and
 * does not add λw to the gradient. Decay applies only to tensors whose name ends in
 * {@code .weight} and that have two or more dimensions (not to biases or layer-norm gains).
 */
public final class Adam {
    private final OptimizerConfig config;
    private final Weights m;
    private final Weights v;
    private final List<String> names;
    private final boolean[] decay;
    private final boolean[] frozen;
    private long step;

    public Adam(OptimizerConfig config, Weights like) {
        this.config = config;
        this.m = like.zerosLike();
        this.v = like.zerosLike();
        this.names = like.names();
        this.decay = new boolean[names.size()];
        this.frozen = new boolean[names.size()];
        for (int i = 0; i < names.size(); i++) {
            Weights.Tensor t = like.get(names.get(i));
            decay[i] = names.get(i).endsWith(".weight") && t.shape().length >= 2;
        }
    }

    /**
     * Leaves the named tensors unchanged from now on: no update, no weight decay, and their gradients
     * are left out of the clipping norm.
     *
     * @return this
     */
    public Adam freeze(java.util.function.Predicate<String> names) {
        for (int i = 0; i < this.names.size(); i++) {
            frozen[i] = names.test(this.names.get(i));
        }
        return this;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /**
     * Global L2 norm of the gradients.
     *
     * @throws TrainingException naming the tensor if a gradient is NaN or infinite
     */
    public static double globalNorm(Weights grads) {
        double s = 0;
        for (var e : grads.asMap().entrySet()) {
            float[] g = e.getValue().data();
            double ts = 0;
            for (float x : g) {
                ts += (double) x * x;
            }
            if (!Double.isFinite(ts)) {
                throw new TrainingException(
                        "gradient of '" + e.getKey() + "' is NaN or infinite; lower the learning rate, "
                                + "enable clipping or check the input data");
            }
            s += ts;
        }
        return Math.sqrt(s);
    }

    /**
     * Applies one update to weights in place.
     *
     * @return the gradient norm before clipping
     */
    public double update(Weights weights, Weights grads, float lr) {
        for (int k = 0; k < names.size(); k++) {
            if (frozen[k]) {
                java.util.Arrays.fill(grads.data(names.get(k)), 0f); // out of the norm (the caller's buffer)
            }
        }
        double norm = globalNorm(grads);
        double scale = 1.0;
        if (config.clipNorm() > 0 && norm > config.clipNorm()) {
            scale = config.clipNorm() / (norm + 1e-6);
        }
        step++;
        double b1 = config.beta1();
        double b2 = config.beta2();
        double bc1 = 1 - Math.pow(b1, step);
        double bc2 = 1 - Math.pow(b2, step);
        double eps = config.epsilon();
        double wd = config.weightDecay();
        boolean adamw = config.type() == OptimizerConfig.Type.ADAMW;
        for (int k = 0; k < names.size(); k++) {
            if (frozen[k]) {
                continue;
            }
            String name = names.get(k);
            float[] w = weights.data(name);
            float[] g = grads.data(name);
            float[] mm = m.data(name);
            float[] vv = v.data(name);
            boolean dk = decay[k] && wd > 0;
            for (int i = 0; i < w.length; i++) {
                double gi = g[i] * scale;
                if (dk && !adamw) {
                    gi += wd * w[i];
                }
                double wi = w[i];
                if (dk && adamw) {
                    wi -= lr * wd * wi;
                }
                double mi = b1 * mm[i] + (1 - b1) * gi;
                double vi = b2 * vv[i] + (1 - b2) * gi * gi;
                mm[i] = (float) mi;
                vv[i] = (float) vi;
                wi -= lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
                w[i] = (float) wi;
            }
        }
        return norm;
    }

    /** Optimiser state for a resumable checkpoint: {@code m.<param>}, {@code v.<param>} and {@code step}. */
    public Weights state() {
        Weights s = new Weights();
        for (String n : names) {
            s.put("m." + n, m.get(n).shape(), m.data(n).clone());
            s.put("v." + n, v.get(n).shape(), v.data(n).clone());
        }
        s.put("step", new int[] {1}, new float[] {(float) step}); // exact up to 2^24 steps
        return s;
    }

    /** Restores {@link #state()}. */
    public void restore(Weights s) {
        for (String n : names) {
            System.arraycopy(s.data("m." + n), 0, m.data(n), 0, m.data(n).length);
            System.arraycopy(s.data("v." + n), 0, v.data(n), 0, v.data(n).length);
        }
        step = (long) s.data("step")[0];
    }
}
