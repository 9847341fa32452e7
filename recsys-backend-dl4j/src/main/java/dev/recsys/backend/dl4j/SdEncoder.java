package dev.recsys.backend.dl4j;

import dev.recsys.api.config.Norm;
import dev.recsys.api.model.Encoder;
import dev.recsys.api.model.ParamLayout;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Transformer encoder of docs/MODEL.md on SameDiff: {@code x0 * keep}, then PRE, POST or
 * SASREC layers of masked multi-head self-attention and a ReLU feed-forward, each followed by
 * {@code x * keep}, then the final norm in PRE and SASREC mode. The attention mask is built in
 * the graph from {@code keep}: causal (query i sees key j iff {@code j <= i} and {@code keep[j]}, or
 * {@code j == i}) for the user encoder, bidirectional ({@code keep[j]} or {@code j == i}) for the
 * content encoder, as an additive {@code -1e9}.
 */
final class SdEncoder implements Encoder<SDVariable> {
    private final Net net;
    private final String prefix;
    private final int layers;
    private final boolean causal;
    private final long batch;
    private final long length;
    private final List<SDVariable> layerOutputs = new ArrayList<>();

    SdEncoder(Net net, String prefix, int layers, boolean causal, long batch, long length) {
        this.net = net;
        this.prefix = prefix;
        this.layers = layers;
        this.causal = causal;
        this.batch = batch;
        this.length = length;
    }

    /** Outputs of each layer {@code [B*L, d]} of the last {@link #encode} call. */
    List<SDVariable> layerOutputs() {
        return layerOutputs;
    }

    /**
     * @param input {@code [B, L, d]} or {@code [B*L, d]}
     * @param keep  {@code [B, L]} 1 for real positions
     * @return {@code [B*L, d]}
     */
    @Override
    public SDVariable encode(SDVariable input, SDVariable keep) {
        long d = net.config.dim();
        long rows = batch * length;
        SDVariable keepCol = keep.reshape(rows, 1);
        SDVariable keepExp = net.differentiable ? net.expandCol(keepCol, rows, d) : keepCol;
        SDVariable mask = attentionMask(keep);
        SDVariable h = input.reshape(rows, d).mul(keepExp);
        layerOutputs.clear();
        for (int i = 0; i < layers; i++) {
            String p = ParamLayout.layer(prefix, i);
            if (net.config.norm() == Norm.SASREC) {
                SDVariable q = net.layerNorm(h, p + ".attention_norm", rows);
                h = q.add(attention(q, h, mask, p + ".attention", true));
                h = h.add(feedForward(net.layerNorm(h, p + ".ffn_norm", rows), p, rows));
            } else if (net.config.norm() == Norm.PRE) {
                SDVariable a = selfAttention(net.layerNorm(h, p + ".attention_norm", rows), mask, p + ".attention");
                h = h.add(net.dropout(a, rows, d));
                h = h.add(feedForward(net.layerNorm(h, p + ".ffn_norm", rows), p, rows));
            } else {
                SDVariable a = selfAttention(h, mask, p + ".attention");
                h = net.layerNorm(h.add(net.dropout(a, rows, d)), p + ".attention_norm", rows);
                h = net.layerNorm(h.add(feedForward(h, p, rows)), p + ".ffn_norm", rows);
            }
            h = h.mul(keepExp);
            layerOutputs.add(h);
        }
        if (net.config.norm().finalNorm()) {
            h = net.layerNorm(h, prefix + ".final_norm", rows);
        }
        return h;
    }

    private SDVariable feedForward(SDVariable x, String p, long rows) {
        SDVariable f = net.relu(net.dense(x, p + ".ffn.in"));
        f = net.dropout(f, rows, net.config.ffnDim());
        f = net.dense(f, p + ".ffn.out");
        return net.dropout(f, rows, net.config.dim());
    }

    /** Additive mask {@code [B, 1, L, L]}: 0 where allowed, -1e9 elsewhere. */
    private SDVariable attentionMask(SDVariable keep) {
        int l = (int) length;
        INDArray pattern = Nd4j.zeros(DataType.FLOAT, 1, 1, l, l);
        INDArray eye = Nd4j.zeros(DataType.FLOAT, 1, 1, l, l);
        for (int i = 0; i < l; i++) {
            eye.putScalar(new long[] {0, 0, i, i}, 1f);
            for (int j = 0; j < l; j++) {
                if (j != i && (!causal || j < i)) {
                    pattern.putScalar(new long[] {0, 0, i, j}, 1f);
                }
            }
        }
        SDVariable allowed = net.sd
                .constant(net.uniq("mask_pattern"), pattern)
                .mul(keep.reshape(batch, 1, 1, length))
                .add(net.sd.constant(net.uniq("mask_eye"), eye));
        return allowed.sub(1.0).mul(1e9);
    }

    /** Multi-head self-attention of {@code x [B*L, d]} with prefix p. */
    private SDVariable selfAttention(SDVariable x, SDVariable mask, String p) {
        return attention(x, x, mask, p, false);
    }

    /**
     * Multi-head attention of queries from {@code xq [B*L, d]} over keys and values from
     * {@code xkv [B*L, d]} with prefix p; with {@code dropWeights}, dropout on the attention
     * weights {@code [B, H, L, L]} (training graphs).
     */
    private SDVariable attention(SDVariable xq, SDVariable xkv, SDVariable mask, String p, boolean dropWeights) {
        int h = net.config.heads();
        long d = net.config.dim();
        long dh = d / h;
        SDVariable q = heads(net.dense(xq, p + ".query"), h, dh);
        SDVariable k = heads(net.dense(xkv, p + ".key"), h, dh);
        SDVariable v = heads(net.dense(xkv, p + ".value"), h, dh);
        SDVariable s =
                net.sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(dh)).add(mask);
        SDVariable a;
        if (!net.differentiable) {
            // softmax(s) v as exp(s - max) v / Σ exp(s - max), the division on [L, dh] instead of [L, L]: libnd4j's
            // softmax over [200, 200] took 0.3-0.6 ms on one thread, these ops about half of it (user encoder of a
            // single-user recommendation, stage 1: 0.3 ms less in all). The sum is a product with a column of
            // ones, not a legacy reduction (see Net.standardize); libnd4j's log-sum-exp op, which would replace the
            // max too, was slower than all of these together.
            SDVariable e = net.sd.math.exp(s.sub(s.max(true, 3)));
            SDVariable sum = net.sd
                    .mmul(e.reshape(batch * h * length, length), net.ones(length, 1))
                    .reshape(batch, h, length, 1);
            a = net.sd.mmul(e, v).div(sum);
        } else {
            SDVariable w = net.sd.nn.softmax(s, 3);
            if (dropWeights) {
                w = net.dropout(w, batch, h, length, length);
            }
            a = net.sd.mmul(w, v);
        }
        SDVariable merged =
                h == 1 ? a.reshape(batch * length, d) : a.permute(0, 2, 1, 3).reshape(batch * length, d);
        return net.dense(merged, p + ".output");
    }

    /** {@code [B*L, d]} → {@code [B, H, L, dh]}. */
    private SDVariable heads(SDVariable x, int h, long dh) {
        if (h == 1) {
            return x.reshape(batch, 1, length, dh);
        }
        return x.reshape(batch, length, h, dh).permute(0, 2, 1, 3);
    }
}
