package dev.recsys.backend.dl4j;

import dev.recsys.api.model.CrossAttention;
import dev.recsys.api.model.ParamLayout;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Stage-2 cross-attention {@code A = MHA(U, I_c, allowed = ckeep)} with prefix
 * {@code cross.attention} (no norm, no residual), for C candidates per user at once.
 *
 * <p>Shapes extend {@link CrossAttention} by a candidate axis: queries {@code [B, L, d]} (shared
 * by the candidates of a row, never copied), keys {@code [B, C, T, d]}, keyKeep {@code [B, C, T]},
 * result {@code [B, C, L, d]}. The scores of all candidates of a row come from one batched matmul
 * {@code [B, H, L, dh] x [B, H, dh, C*T]}.
 */
final class SdCrossAttention implements CrossAttention<SDVariable> {
    private static final String P = ParamLayout.CROSS;
    private final Net net;
    private final long batch;
    private final long length;
    private final long candidates;
    private final long keyLen;

    SdCrossAttention(Net net, long batch, long length, long candidates, long keyLen) {
        this.net = net;
        this.batch = batch;
        this.length = length;
        this.candidates = candidates;
        this.keyLen = keyLen;
    }

    @Override
    public SDVariable attend(SDVariable queries, SDVariable keys, SDVariable keyKeep) {
        int h = net.config.heads();
        long d = net.config.dim();
        long dh = d / h;
        long b = batch;
        long l = length;
        long c = candidates;
        long t = keyLen;
        SDVariable keys2 = keys.reshape(b * c * t, d);
        SDVariable prob = probabilities(queries.reshape(b * l, d), keys2, keyKeep)
                .permute(0, 1, 3, 2, 4)
                .reshape(b * h, c, l, t);
        // [B, C, T, H, dh] -> [B, H, C, T, dh] -> [B*H, C, T, dh]
        SDVariable v = net.dense(keys2, P + ".value")
                .reshape(b, c, t, h, dh)
                .permute(0, 3, 1, 2, 4)
                .reshape(b * h, c, t, dh);
        // [B*H, C, L, dh] -> [B, H, C, L, dh] -> [B, C, L, H, dh] -> [B*C*L, d]
        SDVariable o = net.sd
                .mmul(prob, v)
                .reshape(b, h, c, l, dh)
                .permute(0, 2, 3, 1, 4)
                .reshape(b * c * l, d);
        return net.dense(o, P + ".output").reshape(b, c, l, d);
    }

    /** Attention probabilities {@code [B, H, L, C, T]} of the queries {@code u2 [B*L, d]} over the keys {@code [B*C*T, d]}. */
    private SDVariable probabilities(SDVariable u2, SDVariable keys2, SDVariable keyKeep) {
        int h = net.config.heads();
        long dh = net.config.dim() / h;
        SDVariable q = heads(net.dense(u2, P + ".query").mul(1.0 / Math.sqrt(dh)), h, dh);
        SDVariable k = keyHeads(net.dense(keys2, P + ".key"), h, dh);
        SDVariable mask = keyKeep.sub(1.0).mul(1e9).reshape(batch, 1, 1, candidates, keyLen);
        return net.sd.nn.softmax(
                net.sd.mmul(q, k).reshape(batch, h, length, candidates, keyLen).add(mask), 4);
    }

    /**
     * MEAN-pooled stage-2 scores without materialising the cross-attention output (the same value
     * as {@link SdScorer} over {@link #attend}, less the stage-1 score and the scorer bias; the DJL
     * backend computes the same form). With {@code Uw[j] = U[j] ⊙ w · keep_j / n} and
     * {@code A[c, j] = Σ_h Σ_t P_h[c, j, t] V_h[c, t] Wo_h + bo}:
     * {@code Σ_j A[c, j] · Uw[j] = Σ_h Σ_j Σ_t P_h[c, j, t] G_h[j, c, t] + bo · Σ_j Uw[j]}, where
     * {@code G_h = (Uw Wo^T)_h V_h^T} is one batched matmul of the same shape as the attention
     * scores. Costs {@code C·T·L·d} instead of {@code C·L·d²}, and about half the ops.
     *
     * @param queries  {@code [B, L, d]} the user encoding
     * @param keys     {@code [B, C, T, d]}
     * @param keyKeep  {@code [B, C, T]}
     * @param userKeep {@code [B, L]}
     * @return {@code [B, C]}
     */
    SDVariable meanPooledScores(SDVariable queries, SDVariable keys, SDVariable keyKeep, SDVariable userKeep) {
        int h = net.config.heads();
        long d = net.config.dim();
        long b = batch;
        long l = length;
        SDVariable u2 = queries.reshape(b * l, d);
        SDVariable keys2 = keys.reshape(b * candidates * keyLen, d);
        SDVariable prob = probabilities(u2, keys2, keyKeep); // [B, H, L, C, T]
        SDVariable v = keyHeads(net.dense(keys2, P + ".value"), h, d / h); // [B, H, dh, C*T]
        // Uw [B*L, d]: U ⊙ w ⊙ keep / n
        SDVariable count = net.sd.math.max(userKeep.sum(true, 1), net.sd.constant(1f)); // [B, 1]
        SDVariable weight = userKeep.div(count).reshape(b * l, 1);
        SDVariable uw =
                net.mulCol(net.mulRow(u2, net.param(ParamLayout.SCORER_WEIGHT).reshape(d), b * l, d), weight, b * l, d);
        SDVariable wo = net.param(P + ".output.weight");
        SDVariable y = heads(net.sd.mmul(uw, wo, false, true, false), h, d / h); // [B, H, L, dh]
        SDVariable g = net.sd.mmul(y, v).reshape(b, h, l, candidates, keyLen); // [B, H, L, C, T]
        SDVariable total = prob.mul(g).sum(false, 1, 2, 4); // [B, C]
        SDVariable constant = net.sd.mmul(
                uw.reshape(b, l, d).sum(false, 1), net.param(P + ".output.bias").reshape(d, 1)); // [B, 1]
        return total.add(constant);
    }

    /** {@code [B*L, d]} → {@code [B, H, L, dh]}. */
    private SDVariable heads(SDVariable x, int h, long dh) {
        return h == 1
                ? x.reshape(batch, 1, length, dh)
                : x.reshape(batch, length, h, dh).permute(0, 2, 1, 3);
    }

    /** {@code [B*C*T, d]} → {@code [B, H, dh, C*T]}. */
    private SDVariable keyHeads(SDVariable x, int h, long dh) {
        long ct = candidates * keyLen;
        return h == 1
                ? x.reshape(batch, 1, ct, dh).permute(0, 1, 3, 2)
                : x.reshape(batch, ct, h, dh).permute(0, 2, 3, 1);
    }
}
