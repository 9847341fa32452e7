package dev.recsys.api.reference;

import java.util.function.Consumer;

/**
 * The building blocks of docs/MODEL.md as plain double-precision loops: dense layers, layer norm,
 * sinusoidal positions and masked multi-head attention. Matrices are row-major; a dense layer is
 * {@code y = x W + b} with {@code W} stored {@code [in, out]}.
 */
public final class RefOps {
    private RefOps() {}

    /**
     * {@code y = x W + b}.
     *
     * @param x    {@code [rows, in]}
     * @param w    {@code [in, out]}
     * @param b    {@code [out]}, or null for no bias
     * @return {@code [rows, out]}
     */
    public static double[] linear(double[] x, int rows, int in, double[] w, double[] b, int out) {
        check("x", x, rows * in);
        check("W", w, in * out);
        if (b != null) {
            check("b", b, out);
        }
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[i * out + o];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    /**
     * {@code LN(x) = (x - mean) / sqrt(var + eps) * gain + bias} over the last axis, biased variance.
     *
     * @param x {@code [rows, d]}
     * @return a new {@code [rows, d]}
     */
    public static double[] layerNorm(double[] x, int rows, int d, double[] gain, double[] bias, double eps) {
        check("x", x, rows * d);
        check("gain", gain, d);
        check("bias", bias, d);
        double[] y = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += x[r * d + i];
            }
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                double c = x[r * d + i] - mean;
                var += c * c;
            }
            var /= d;
            double inv = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < d; i++) {
                y[r * d + i] = (x[r * d + i] - mean) * inv * gain[i] + bias[i];
            }
        }
        return y;
    }

    /**
     * The sinusoid of the original Transformer at one position: column {@code c} uses
     * {@code i = c / 2} and the angle {@code p / 10000^(2i/d)}; even columns take the sine, odd
     * columns the cosine (with odd d the last column is a sine).
     */
    public static double[] sinusoid(int position, int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dim must be > 0, found " + dim);
        }
        double[] pe = new double[dim];
        for (int c = 0; c < dim; c++) {
            int i = c / 2;
            double angle = position / Math.pow(10000.0, 2.0 * i / dim);
            pe[c] = c % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
        }
        return pe;
    }

    /** The sinusoids of positions {@code 0..rows-1}, {@code [rows, dim]} as float32, for engines. */
    public static float[] sinusoidTable(int rows, int dim) {
        float[] t = new float[rows * dim];
        for (int p = 0; p < rows; p++) {
            double[] pe = sinusoid(p, dim);
            for (int c = 0; c < dim; c++) {
                t[p * dim + c] = (float) pe[c];
            }
        }
        return t;
    }

    /**
     * Masked scaled dot-product attention of already projected queries, keys and values, head by
     * head: head h takes columns {@code h*dh..(h+1)*dh}, {@code S = Q_h K_h^T / sqrt(dh)},
     * disallowed entries get weight exactly 0, {@code A_h = softmax(S) V_h}; the heads are
     * concatenated (the output projection is not applied here).
     *
     * @param q       {@code [lq, d]}
     * @param k       {@code [lk, d]}
     * @param v       {@code [lk, d]}
     * @param allowed {@code [lq * lk]}: whether query i may see key j; every row needs one allowed key
     * @return {@code [lq, d]}
     */
    public static double[] attend(
            double[] q, double[] k, double[] v, int lq, int lk, int d, int heads, boolean[] allowed) {
        return attend(q, k, v, lq, lk, d, heads, allowed, null);
    }

    /**
     * {@link #attend(double[], double[], double[], int, int, int, int, boolean[])} that also keeps
     * the attention weights.
     *
     * @param weights {@code [heads, lq, lk]} filled with {@code softmax(S)} of every head, or null
     */
    public static double[] attend(
            double[] q, double[] k, double[] v, int lq, int lk, int d, int heads, boolean[] allowed, double[] weights) {
        return attend(q, k, v, lq, lk, d, heads, allowed, weights, null);
    }

    /**
     * {@link #attend(double[], double[], double[], int, int, int, int, boolean[], double[])} with
     * dropout on the attention weights: {@code weightDropout} (null: none) rewrites each query's
     * row of {@code softmax(S)} ({@code lk} values, disallowed keys 0) in place before it weighs
     * the values, head by head, query by query; {@code weights} keeps them before dropout.
     */
    public static double[] attend(
            double[] q,
            double[] k,
            double[] v,
            int lq,
            int lk,
            int d,
            int heads,
            boolean[] allowed,
            double[] weights,
            Consumer<double[]> weightDropout) {
        check("q", q, lq * d);
        check("k", k, lk * d);
        check("v", v, lk * d);
        if (allowed.length != lq * lk) {
            throw new IllegalArgumentException(
                    "mask must hold lq*lk = " + lq * lk + " entries, found " + allowed.length);
        }
        if (heads <= 0 || d % heads != 0) {
            throw new IllegalArgumentException("d must be divisible by heads, found d=" + d + ", heads=" + heads);
        }
        int dh = d / heads;
        double scale = 1 / Math.sqrt(dh);
        double[] out = new double[lq * d];
        double[] s = new double[lk];
        for (int h = 0; h < heads; h++) {
            int c0 = h * dh;
            for (int i = 0; i < lq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < lk; j++) {
                    if (!allowed[i * lk + j]) {
                        continue;
                    }
                    double dot = 0;
                    for (int c = 0; c < dh; c++) {
                        dot += q[i * d + c0 + c] * k[j * d + c0 + c];
                    }
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    throw new IllegalArgumentException(
                            "attention query " + i + " has no allowed key; every query needs at least one");
                }
                double sum = 0;
                for (int j = 0; j < lk; j++) {
                    s[j] = allowed[i * lk + j] ? Math.exp(s[j] - max) : 0;
                    sum += s[j];
                }
                for (int j = 0; j < lk; j++) {
                    s[j] /= sum;
                    if (weights != null) {
                        weights[(h * lq + i) * lk + j] = s[j];
                    }
                }
                if (weightDropout != null) {
                    weightDropout.accept(s);
                }
                for (int j = 0; j < lk; j++) {
                    double a = s[j];
                    if (a == 0) {
                        continue;
                    }
                    for (int c = 0; c < dh; c++) {
                        out[i * d + c0 + c] += a * v[j * d + c0 + c];
                    }
                }
            }
        }
        return out;
    }

    /** {@code max(0, x)} element-wise, in place; returns x. */
    public static double[] reluInPlace(double[] x) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < 0) {
                x[i] = 0;
            }
        }
        return x;
    }

    /** {@code Σ a[ao+i] b[bo+i]} for i in 0..n-1. */
    public static double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** Rounds to float32. */
    public static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    private static void check(String name, double[] a, int n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(
                    name + " must hold " + n + " values, found " + (a == null ? "null" : a.length));
        }
    }
}
