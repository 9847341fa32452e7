package dev.recsys.api.config;

/** Where layer normalisation sits in an encoder layer. */
public enum Norm {
    /** {@code x + Attn(LN(x))}, {@code x + FFN(LN(x))}, and a final LN after the last layer. */
    PRE,
    /** {@code LN(x + Attn(x))}, {@code LN(x + FFN(x))}; no final LN. */
    POST
}
