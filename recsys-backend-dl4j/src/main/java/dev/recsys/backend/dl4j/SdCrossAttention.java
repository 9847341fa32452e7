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
        String p = ParamLayout.CROSS;
        int h = net.config.heads();
        long d = net.config.dim();
        long dh = d / h;
        long b = batch;
        long l = length;
        long c = candidates;
        long t = keyLen;
        SDVariable q = net.dense(queries.reshape(b * l, d), p + ".query").reshape(b, l, h, dh).permute(0, 2, 1, 3);
        SDVariable keys2 = keys.reshape(b * c * t, d);
        // [B, C, T, H, dh] -> [B, H, dh, C, T] -> [B, H, dh, C*T]
        SDVariable k = net.dense(keys2, p + ".key").reshape(b, c, t, h, dh).permute(0, 3, 4, 1, 2).reshape(b, h, dh, c * t);
        // [B, C, T, H, dh] -> [B, H, C, T, dh] -> [B*H, C, T, dh]
        SDVariable v = net.dense(keys2, p + ".value").reshape(b, c, t, h, dh).permute(0, 3, 1, 2, 4).reshape(b * h, c, t, dh);
        SDVariable mask = keyKeep.sub(1.0).mul(1e9).reshape(b, 1, 1, c, t);
        SDVariable s = net.sd.mmul(q, k).mul(1.0 / Math.sqrt(dh)).reshape(b, h, l, c, t).add(mask);
        SDVariable prob = net.sd.nn.softmax(s, 4).permute(0, 1, 3, 2, 4).reshape(b * h, c, l, t);
        // [B*H, C, L, dh] -> [B, H, C, L, dh] -> [B, C, L, H, dh] -> [B*C*L, d]
        SDVariable o = net.sd.mmul(prob, v).reshape(b, h, c, l, dh).permute(0, 2, 3, 1, 4).reshape(b * c * l, d);
        return net.dense(o, p + ".output").reshape(b, c, l, d);
    }
}
