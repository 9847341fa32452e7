package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.model.Encoder;
import dev.recsys.api.model.ParamLayout;

/**
 * A Transformer encoder (MODEL.md "Encoder layer") bound to one call's {@link Ctx}: dropout on
 * the input, then {@code x * keep}, then the layers (PRE, POST or SASREC layout), each followed
 * by {@code x * keep}, then the final norm in PRE and SASREC mode. The user encoder is causal
 * (query i sees valid keys j ≤ i); the content encoder is bidirectional over valid tokens.
 */
final class DjlEncoder implements Encoder<NDArray> {
    private final Ctx c;
    private final ModelConfig cfg;
    private final String prefix;
    private final int layers;
    private final boolean causal;
    private final String traceLayerPrefix;

    /**
     * @param traceLayerPrefix when the call is traced, layer i's output is recorded as
     *                         {@code traceLayerPrefix + i} (null: not recorded)
     */
    DjlEncoder(Ctx c, ModelConfig cfg, String prefix, int layers, boolean causal, String traceLayerPrefix) {
        this.c = c;
        this.cfg = cfg;
        this.prefix = prefix;
        this.layers = layers;
        this.causal = causal;
        this.traceLayerPrefix = traceLayerPrefix;
    }

    /**
     * @param input {@code [B, L, d]}
     * @param keep  {@code [B, L]} float, 1 = real position
     */
    @Override
    public NDArray encode(NDArray input, NDArray keep) {
        Shape s = input.getShape();
        long b = s.get(0);
        int len = Math.toIntExact(s.get(1));
        NDArray mask = keep.sub(c.scalar(1f)).mul(c.scalar(-Mha.NEG)).reshape(b, 1, len);
        if (causal) {
            mask = mask.add(c.floats(Mha.causal(len), len, len));
        }
        if (cfg.heads() > 1) {
            mask = mask.expandDims(1);
        }
        return encodeMasked(input, keep.reshape(b, len, 1), mask);
    }

    /** The encoder with a prepared additive mask (broadcasting to the attention scores) and {@code keep [B, L, 1]}. */
    NDArray encodeMasked(NDArray input, NDArray keep3, NDArray mask) {
        float eps = cfg.layerNormEps();
        NDArray x = c.drop(input).mul(keep3);
        for (int i = 0; i < layers; i++) {
            String p = ParamLayout.layer(prefix, i);
            if (cfg.norm() == Norm.SASREC) {
                NDArray q = c.layerNorm(x, p + ".attention_norm", eps);
                x = q.add(sasrecAttention(q, x, p + ".attention", mask));
                x = x.add(c.drop(ffn(c.layerNorm(x, p + ".ffn_norm", eps), p)));
            } else if (cfg.norm() == Norm.PRE) {
                NDArray h = c.layerNorm(x, p + ".attention_norm", eps);
                x = x.add(c.drop(selfAttention(h, p + ".attention", mask)));
                h = c.layerNorm(x, p + ".ffn_norm", eps);
                x = x.add(c.drop(ffn(h, p)));
            } else {
                x = c.layerNorm(x.add(c.drop(selfAttention(x, p + ".attention", mask))), p + ".attention_norm", eps);
                x = c.layerNorm(x.add(c.drop(ffn(x, p))), p + ".ffn_norm", eps);
            }
            x = x.mul(keep3);
            if (traceLayerPrefix != null) {
                c.record(traceLayerPrefix + i, x);
            }
        }
        if (cfg.norm().finalNorm()) {
            x = c.layerNorm(x, prefix + ".final_norm", eps);
        }
        return x;
    }

    private NDArray selfAttention(NDArray h, String p, NDArray mask) {
        NDArray qkv = c.linear(h, p + ".qkv");
        var parts = qkv.split(3, qkv.getShape().dimension() - 1);
        NDArray a = Mha.attend(c, parts.get(0), parts.get(1), parts.get(2), mask, cfg.heads());
        return c.linear(a, p + ".output");
    }

    /** SASREC: queries from {@code q = LN(x)}, keys and values from x, dropout on the attention weights. */
    private NDArray sasrecAttention(NDArray q, NDArray x, String p, NDArray mask) {
        NDArray kv = c.linear(x, p + ".kv");
        var parts = kv.split(2, kv.getShape().dimension() - 1);
        NDArray a = Mha.attend(c, c.linear(q, p + ".query"), parts.get(0), parts.get(1), mask, cfg.heads(), true);
        return c.linear(a, p + ".output");
    }

    private NDArray ffn(NDArray h, String p) {
        NDArray hidden = c.drop(Activation.relu(c.linear(h, p + ".ffn.in")));
        return c.linear(hidden, p + ".ffn.out");
    }
}
