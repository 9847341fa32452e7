package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scaled dot-product multi-head attention on raw NDArrays: head h owns columns
 * {@code h*dh .. (h+1)*dh} of the projections; disallowed keys carry an additive {@code -1e9},
 * which gives them a weight of exactly 0 in float32 (every row keeps at least one allowed key).
 */
final class Mha {
    /** Additive value of a disallowed (query, key) pair. */
    static final float NEG = -1e9f;

    private static final Map<Integer, float[]> CAUSAL = new ConcurrentHashMap<>();

    private Mha() {}

    /**
     * Attention of {@code q [*, Lq, d]} over {@code k, v [*, Lk, d]}; {@code mask} is additive and
     * broadcasts to {@code [*, Lq, Lk]} when {@code heads == 1}, to {@code [*, H, Lq, Lk]} otherwise;
     * {@code c} owns the scale constant (see {@link Ctx#scalar}).
     *
     * @return {@code [*, Lq, d]} (before the output projection)
     */
    static NDArray attend(Ctx c, NDArray q, NDArray k, NDArray v, NDArray mask, int heads) {
        return attend(c, q, k, v, mask, heads, false);
    }

    /**
     * {@link #attend(Ctx, NDArray, NDArray, NDArray, NDArray, int)}, with {@code dropWeights} also
     * dropout on the attention weights (the softmax output, {@code [*, H, Lq, Lk]} in that order
     * whatever the layout of the scores) when {@code c} is a training call ({@link Ctx#drop}).
     */
    static NDArray attend(Ctx c, NDArray q, NDArray k, NDArray v, NDArray mask, int heads, boolean dropWeights) {
        Shape qs = q.getShape();
        int r = qs.dimension();
        long d = qs.get(r - 1);
        long dh = d / heads;
        NDArray qs1 = q.mul(c.scalar((float) (1.0 / Math.sqrt(dh))));
        boolean keysFirst = k.getShape().get(r - 2) < SMALL_KEYS;
        Ctx drop = dropWeights ? c : null;
        if (heads == 1) {
            return weighted(qs1, k, v, mask, r - 1, keysFirst, drop);
        }
        return mergeHeads(
                weighted(splitHeads(qs1, heads), splitHeads(k, heads), splitHeads(v, heads), mask, r, keysFirst, drop));
    }

    /**
     * Key lengths below which the scores are laid out keys-first ({@code [*, Lk, Lq]}, softmax over
     * a middle axis): PyTorch's CPU softmax over a short last axis is 10-20 times slower than over a
     * middle one of the same tensor (one thread: {@code [100, 200, 12]} 3.4 ms against 0.17 ms; at 200
     * keys the last axis is faster). Same values either way.
     */
    static final int SMALL_KEYS = 128;

    /**
     * {@code softmax(q k^T + mask) v} over the last two axes (axis {@code last} is the last one),
     * with dropout on the softmax output when {@code drop} is not null.
     */
    private static NDArray weighted(
            NDArray q, NDArray k, NDArray v, NDArray mask, int last, boolean keysFirst, Ctx drop) {
        NDArray p;
        if (!keysFirst) {
            p = q.matMul(k.swapAxes(last - 1, last)).add(mask).softmax(last);
        } else {
            NDArray maskT = mask.getShape().dimension() < 2 ? mask : swapLastTwo(mask);
            p = k.matMul(q.swapAxes(last - 1, last))
                    .add(maskT)
                    .softmax(last - 1)
                    .swapAxes(last - 1, last); // softmax over keys laid out [*, Lk, Lq], back to [*, Lq, Lk]
        }
        return (drop == null ? p : drop.drop(p)).matMul(v);
    }

    private static NDArray swapLastTwo(NDArray x) {
        int r = x.getShape().dimension();
        return x.swapAxes(r - 2, r - 1);
    }

    /** {@code [..., L, d] -> [..., H, L, dh]}. */
    static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        int r = s.dimension();
        long[] dims = new long[r + 1];
        for (int i = 0; i < r - 1; i++) {
            dims[i] = s.get(i);
        }
        dims[r - 1] = heads;
        dims[r] = s.get(r - 1) / heads;
        return x.reshape(new Shape(dims)).swapAxes(r - 2, r - 1);
    }

    /** {@code [..., H, L, dh] -> [..., L, d]}. */
    static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        int r = s.dimension();
        long[] dims = new long[r - 1];
        for (int i = 0; i < r - 3; i++) {
            dims[i] = s.get(i);
        }
        dims[r - 3] = s.get(r - 2);
        dims[r - 2] = s.get(r - 3) * s.get(r - 1);
        return x.swapAxes(r - 3, r - 2).reshape(new Shape(dims));
    }

    /** Additive causal mask {@code [L, L]}: 0 where key ≤ query, {@code -1e9} above the diagonal (shared, read-only). */
    static float[] causal(int len) {
        return CAUSAL.computeIfAbsent(len, l -> {
            float[] m = new float[l * l];
            for (int i = 0; i < l; i++) {
                for (int j = i + 1; j < l; j++) {
                    m[i * l + j] = NEG;
                }
            }
            return m;
        });
    }
}
