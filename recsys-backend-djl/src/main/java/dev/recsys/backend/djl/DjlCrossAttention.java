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
        NDArray add = keyKeep.sub(1f).mul(-Mha.NEG);
        return attendMany(queries, keys.expandDims(1), add.expandDims(1)).squeeze(1);
    }

    /**
     * C candidates per row.
     *
     * @param users  {@code [B, L, d]} encoded user sequences U
     * @param keys   {@code [B, C, T, d]} encoded content (or item vectors, T = 1)
     * @param keyAdd {@code [B, C, T]} additive key mask: 0 = real token, {@code -1e9} = padding
     * @return {@code [B, C, L, d]}
     */
    NDArray attendMany(NDArray users, NDArray keys, NDArray keyAdd) {
        String x = ParamLayout.CROSS;
        Shape ks = keys.getShape();
        long b = ks.get(0);
        long cands = ks.get(1);
        long t = ks.get(2);
        long d = ks.get(3);
        long len = users.getShape().get(1);
        long dh = d / heads;
        NDArray q = c.linear(users, x + ".query").mul((float) (1.0 / Math.sqrt(dh)));
        NDArray kv = c.linear(keys, x + ".kv");
        var parts = kv.split(2, 3);
        NDArray k = parts.get(0);
        NDArray v = parts.get(1);
        NDArray a;
        if (heads == 1) {
            NDArray s = q.matMul(k.reshape(b, cands * t, d).swapAxes(1, 2))
                    .reshape(b, len, cands, t)
                    .add(keyAdd.reshape(b, 1, cands, t));
            NDArray p = s.softmax(3).transpose(0, 2, 1, 3);
            a = p.matMul(v);
        } else {
            NDArray qh = q.reshape(b, len, heads, dh).transpose(0, 2, 1, 3);
            NDArray kh = k.reshape(b, cands * t, heads, dh).transpose(0, 2, 3, 1);
            NDArray s = qh.matMul(kh).reshape(b, heads, len, cands, t).add(keyAdd.reshape(b, 1, 1, cands, t));
            NDArray p = s.softmax(4).transpose(0, 3, 1, 2, 4);
            NDArray vh = v.reshape(b, cands, t, heads, dh).transpose(0, 1, 3, 2, 4);
            a = p.matMul(vh).transpose(0, 1, 3, 2, 4).reshape(b, cands, len, d);
        }
        return c.linear(a, x + ".output");
    }
}
