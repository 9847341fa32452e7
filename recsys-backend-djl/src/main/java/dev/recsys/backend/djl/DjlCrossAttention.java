package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.recsys.api.model.CrossAttention;
import dev.recsys.api.model.ParamLayout;

/**
 * Multi-head attention from the encoded user sequence (queries) onto a candidate's content
 * tokens (keys and values), prefix {@code cross.attention}, no norm and no residual. The query
 * projection is computed once per user and shared by all of the user's candidates; key and
 * value projections are one fused GEMM.
 */
final class DjlCrossAttention implements CrossAttention<NDArray> {
    private final Ctx c;
    private final int heads;

    DjlCrossAttention(Ctx c, int heads) {
        this.c = c;
        this.heads = heads;
    }

    /** One candidate per row: queries {@code [B, L, d]}, keys {@code [B, n, d]}, keyKeep {@code [B, n]} (1 = real). */
    @Override
    public NDArray attend(NDArray queries, NDArray keys, NDArray keyKeep) {
        NDArray add = keyKeep.sub(c.scalar(1f)).mul(c.scalar(-Mha.NEG));
        return attendMany(queries, keyValues(keys.expandDims(1)), add.expandDims(1))
                .squeeze(1);
    }

    /**
     * The fused key and value projections {@code [..., 2d]} of encoded content (or item vectors)
     * {@code [..., d]}: per item, so scoring computes them once per weight version for the whole
     * catalogue and gathers the candidates' rows.
     */
    NDArray keyValues(NDArray keys) {
        return c.linear(keys, ParamLayout.CROSS + ".kv");
    }

    /**
     * C candidates per row.
     *
     * @param users  {@code [B, L, d]} encoded user sequences U
     * @param kv     {@code [B, C, T, 2d]} {@link #keyValues} of the encoded content (or item vectors, T = 1)
     * @param keyAdd {@code [B, C, T]} additive key mask: 0 = real token, {@code -1e9} = padding
     * @return {@code [B, C, L, d]}
     */
    NDArray attendMany(NDArray users, NDArray kv, NDArray keyAdd) {
        Probabilities pr = probabilities(users, kv, keyAdd);
        long b = pr.b;
        long cands = pr.cands;
        long len = pr.len;
        long d = pr.d;
        NDArray a;
        if (heads == 1) {
            a = pr.p.transpose(0, 1, 3, 2).matMul(pr.v); // [B, C, L, T] x [B, C, T, d]
        } else {
            NDArray vh = pr.v.reshape(b, cands, pr.t, heads, d / heads).transpose(0, 1, 3, 2, 4);
            a = pr.p.transpose(0, 2, 1, 4, 3) // P [B, H, C, T, L] -> [B, C, H, L, T]
                    .matMul(vh)
                    .transpose(0, 1, 3, 2, 4)
                    .reshape(b, cands, len, d);
        }
        return c.linear(a, ParamLayout.CROSS + ".output");
    }

    /**
     * MEAN-pooled stage-2 scores without materialising A (same value as {@link DjlScorer} over
     * {@link #attendMany}, less the stage-1 score and the scorer bias): with
     * {@code Uw[j] = U[j] ⊙ w · keep_j / count}, {@code A[c, j] = Σ_h Σ_t P_h[c, t, j] V_h[c, t] Wo_h + bo}
     * and {@code Y = Uw Wo} ({@code [L, d]}, per user):
     * {@code Σ_j A[c, j] · Uw[j] = Σ_h Σ_t Σ_j P_h[c, t, j] (V_h[c, t] · Y_h[j]) + bo · Σ_j Uw[j]}: one
     * batched matmul {@code [C·T, d] x [d, L]} of the same shape as the attention scores, no
     * {@code [B, C, L, d]} tensor and no per-candidate product with {@code Wo} (the DL4J backend
     * computes the same form).
     *
     * @param kv       {@code [B, C, T, 2d]} {@link #keyValues}
     * @param userKeep {@code [B, L]} float
     * @return {@code [B, C]}
     */
    NDArray meanPooledScores(NDArray users, NDArray kv, NDArray keyAdd, NDArray userKeep) {
        Probabilities pr = probabilities(users, kv, keyAdd);
        long b = pr.b;
        long cands = pr.cands;
        long t = pr.t;
        long len = pr.len;
        long d = pr.d;
        NDArray w = c.p(ParamLayout.SCORER_WEIGHT).reshape(1, 1, d);
        NDArray cnt = userKeep.sum(new int[] {1}, true).maximum(c.scalar(1f));
        NDArray uw = users.mul(w).mul(userKeep.div(cnt).reshape(b, len, 1)); // [B, L, d]
        NDArray wo = c.p(ParamLayout.CROSS + ".output.weight"); // [d_out, d_in]
        NDArray bo = c.p(ParamLayout.CROSS + ".output.bias"); // [d_out]
        NDArray constant = uw.sum(new int[] {1}).matMul(bo.reshape(d, 1)); // [B, 1]
        NDArray yT = uw.matMul(wo).swapAxes(1, 2); // Y^T [B, d_in, L]
        NDArray total;
        if (heads == 1) {
            NDArray m = pr.v.reshape(b, cands * t, d).matMul(yT).reshape(b, cands, t, len);
            total = pr.p.mul(m).sum(new int[] {2, 3}); // P and M [B, C, T, L]
        } else {
            long dh = d / heads;
            NDArray vh = pr.v.reshape(b, cands * t, heads, dh).transpose(0, 2, 1, 3); // [B, H, C*T, dh]
            NDArray yh = yT.reshape(b, heads, dh, len); // [B, H, dh, L]
            NDArray m = vh.matMul(yh).reshape(b, heads, cands, t, len);
            total = pr.p.mul(m).sum(new int[] {1, 3, 4}); // P and M [B, H, C, T, L]
        }
        return total.add(constant);
    }

    /**
     * Projections and attention probabilities, laid out keys-first: P {@code [B, C, T, L]} (one head)
     * or {@code [B, H, C, T, L]}, the softmax over the token axis T, which is not the last one (see
     * {@link Mha#SMALL_KEYS}: over a last axis of 12 tokens PyTorch's softmax took 20 times longer).
     */
    private Probabilities probabilities(NDArray users, NDArray kv, NDArray keyAdd) {
        String x = ParamLayout.CROSS;
        Shape ks = kv.getShape();
        long b = ks.get(0);
        long cands = ks.get(1);
        long t = ks.get(2);
        long d = ks.get(3) / 2;
        long len = users.getShape().get(1);
        long dh = d / heads;
        NDArray q = c.linear(users, x + ".query").mul(c.scalar((float) (1.0 / Math.sqrt(dh))));
        var parts = kv.split(2, 3);
        NDArray k = parts.get(0);
        NDArray v = parts.get(1);
        NDArray p;
        if (heads == 1) {
            NDArray s = k.reshape(b, cands * t, d)
                    .matMul(q.swapAxes(1, 2))
                    .reshape(b, cands, t, len)
                    .add(keyAdd.reshape(b, cands, t, 1));
            p = s.softmax(2);
        } else {
            NDArray qh = q.reshape(b, len, heads, dh).transpose(0, 2, 3, 1); // [B, H, dh, L]
            NDArray kh = k.reshape(b, cands * t, heads, dh).transpose(0, 2, 1, 3); // [B, H, C*T, dh]
            NDArray s = kh.matMul(qh).reshape(b, heads, cands, t, len).add(keyAdd.reshape(b, 1, cands, t, 1));
            p = s.softmax(3);
        }
        return new Probabilities(p, v, b, cands, t, len, d);
    }

    private record Probabilities(NDArray p, NDArray v, long b, long cands, long t, long len, long d) {}
}
