package dev.recsys.backend.dl4j;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.model.ParamLayout;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One SameDiff graph under construction, with the building blocks every component uses.
 *
 * <p>Performance rules learnt by profiling (see README.md): activations stay 2-D {@code [rows, d]}
 * outside attention; a broadcasting {@code multiply} is never differentiated (its backward pass,
 * {@code multiply_bp}, costs about 8 ms on {@code [6400, 64]} against 0.5 ms for equal shapes),
 * so a column or row is first expanded to the full shape by an outer product with ones (a matmul,
 * whose backward pass is a cheap matmul) and then multiplied element-wise; layer norm is written
 * from primitive ops (the fused {@code layer_norm_bp} is slower and its epsilon is not ours).
 */
final class Net {
    final SameDiff sd;
    final ModelConfig config;
    /** Apply dropout masks (training graphs with dropout > 0). */
    final boolean dropout;
    /** The graph will be differentiated: prefer ops with cheap backward passes over fewer ops. */
    final boolean differentiable;
    /** Canonical parameter name → trainable variable. */
    final Map<String, SDVariable> params = new LinkedHashMap<>();
    /** Dropout mask placeholder name → shape; filled with Bernoulli(1-p)/(1-p) before every run. */
    final Map<String, long[]> dropoutMasks = new LinkedHashMap<>();

    private final Map<String, int[]> shapes = new HashMap<>();
    private final Map<String, SDVariable> filled = new HashMap<>();
    private int counter;

    Net(ModelConfig config, boolean dropout, boolean differentiable) {
        this.sd = SameDiff.create();
        this.config = config;
        this.dropout = dropout && config.dropout() > 0f;
        this.differentiable = differentiable;
        for (ParamLayout.Param p : ParamLayout.of(config)) {
            shapes.put(p.name(), p.shape());
        }
    }

    /** The trainable variable of a canonical parameter (created on first use; values are copied in later). */
    SDVariable param(String name) {
        SDVariable v = params.get(name);
        if (v == null) {
            int[] s = shapes.get(name);
            if (s == null) {
                throw new IllegalStateException("parameter '" + name + "' is not part of this model config");
            }
            v = sd.var(name, DataType.FLOAT, toLong(s));
            params.put(name, v);
        }
        return v;
    }

    String uniq(String base) {
        return base + "_" + (counter++);
    }

    /** {@code x W + b} with x {@code [rows, in]} (the fused {@code xw_plus_b} measured slower in scoring graphs). */
    SDVariable dense(SDVariable x, String prefix) {
        return sd.mmul(x, param(prefix + ".weight")).add(param(prefix + ".bias"));
    }

    /** A constant {@code [rows, cols]} of ones (cached per shape). */
    SDVariable ones(long rows, long cols) {
        return filled(rows, cols, 1.0);
    }

    /** A constant {@code [rows, cols]} of one value (cached per shape and value). */
    SDVariable filled(long rows, long cols, double value) {
        return filled.computeIfAbsent(
                rows + "x" + cols + "*" + value,
                k -> sd.constant(uniq("filled"), Nd4j.valueArrayOf(new long[] {rows, cols}, (float) value)));
    }

    /** {@code col [rows, 1]} repeated to {@code [rows, width]} (an outer product, cheap to differentiate). */
    SDVariable expandCol(SDVariable col, long rows, long width) {
        return sd.mmul(col, ones(1, width));
    }

    /** {@code row [width]} repeated to {@code [rows, width]}. */
    SDVariable expandRow(SDVariable row, long rows, long width) {
        return sd.mmul(ones(rows, 1), row.reshape(1, width));
    }

    /**
     * {@code x [rows, width] * col [rows, 1]}: in graphs that are differentiated, col is first
     * expanded to the full shape (cheap backward pass); in forward-only graphs a plain broadcast
     * (fewer ops: SameDiff's per-op overhead dominates small scoring batches).
     */
    SDVariable mulCol(SDVariable x, SDVariable col, long rows, long width) {
        return differentiable ? x.mul(expandCol(col, rows, width)) : x.mul(col);
    }

    /** {@code x [rows, width] * row [width]}, see {@link #mulCol}. */
    SDVariable mulRow(SDVariable x, SDVariable row, long rows, long width) {
        return differentiable ? x.mul(expandRow(row, rows, width)) : x.mul(row);
    }

    /** Layer norm over the last axis of {@code x [rows, d]} with biased variance and the config's epsilon. */
    SDVariable layerNorm(SDVariable x, String prefix, long rows) {
        long d = config.dim();
        return mulRow(standardize(x, rows), param(prefix + ".weight"), rows, d).add(param(prefix + ".bias"));
    }

    /**
     * {@code (x - mean(x)) / sqrt(var(x) + eps)} over the last axis of {@code x [rows, d]}.
     * (Folding the gain and bias into the following projections was measured: more small
     * matmuls, no gain.)
     */
    private SDVariable standardize(SDVariable x, long rows) {
        long d = config.dim();
        if (differentiable) {
            SDVariable c = x.sub(x.mean(true, 1));
            SDVariable inv = sd.math.rsqrt(c.mul(c).mean(true, 1).add(config.layerNormEps()));
            return mulCol(c, inv, rows, d);
        }
        // The sums over the last axis as products with a constant column: ND4J's legacy reduce ops (mean,
        // squared norm) wrap their tensor-along-dimension buffers in new Java data buffers on every call, each
        // registered for deallocation, which a serving JVM then carries through a young collection (README
        // "Scoring allocations"); a matrix product makes none. rsqrt(Σc²/d + eps) = sqrt(d) · rsqrt(Σc² + d·eps).
        SDVariable c = x.sub(sd.mmul(x, filled(d, 1, 1.0 / d)));
        SDVariable inv = sd.math
                .rsqrt(sd.mmul(c.mul(c), ones(d, 1)).add(d * (double) config.layerNormEps()))
                .mul(Math.sqrt(d));
        return c.mul(inv);
    }

    /**
     * ReLU. In differentiated graphs as {@code x * (x > 0)}: the comparison is a constant for
     * autodiff, so the backward pass is one equal-shape multiply (ND4J's
     * {@code thresholdedrelu_bp} took ≈ 2 ms on {@code [6400, 64]}); the gradient at exactly 0 is 0,
     * as for ReLU.
     */
    SDVariable relu(SDVariable x) {
        if (!differentiable) {
            return sd.nn.relu(x, 0);
        }
        return x.mul(x.gt(0.0).castTo(DataType.FLOAT));
    }

    /** Inverted dropout with a mask fed per run; identity in eval graphs. */
    SDVariable dropout(SDVariable x, long... shape) {
        if (!dropout) {
            return x;
        }
        String name = uniq("dropout");
        dropoutMasks.put(name, shape.clone());
        return x.mul(sd.placeHolder(name, DataType.FLOAT, shape));
    }

    /** {@code log(1 + e^x)} in the stable form {@code relu(x) + log1p(exp(-|x|))}. */
    SDVariable softplus(SDVariable x) {
        return relu(x).add(sd.math.log1p(sd.math.exp(sd.math.abs(x).neg())));
    }

    static long[] toLong(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    List<String> paramNames() {
        return List.copyOf(params.keySet());
    }
}
