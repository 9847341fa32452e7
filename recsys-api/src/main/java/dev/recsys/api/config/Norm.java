package dev.recsys.api.config;

/**
 * The layout of an encoder layer: where layer normalisation sits, what the attention reads and
 * where attention dropout applies (docs/MODEL.md "Building blocks" and "Dropout"). Every layout
 * has the same parameters except the final norm, which only the layouts with
 * {@link #finalNorm()} have.
 */
public enum Norm {
    /**
     * {@code x + Drop(Attn(LN(x), LN(x)))}, {@code x + FFN(LN(x))}, and a final LN after the last
     * layer; dropout on the attention sub-layer's output.
     */
    PRE,
    /** {@code LN(x + Drop(Attn(x, x)))}, {@code LN(x + FFN(x))}; no final LN. */
    POST,
    /**
     * The reference SASRec code's layer (Kang &amp; McAuley 2018, and this project's yardstick):
     * {@code q = LN(x)}, {@code x = q + Attn(queries q, keys and values x)} with dropout on the
     * attention weights (not on the sub-layer output), {@code x + FFN(LN(x))}, and a final LN after
     * the last layer. The attention mask is this project's (causal and key not padding), unlike the
     * reference code, which masks no padded key.
     */
    SASREC;

    /** Whether the encoder ends with {@code final_norm} (a parameter of the model). */
    public boolean finalNorm() {
        return this != POST;
    }
}
