package dev.recsys.api.config;

/** How positions enter the encoders. */
public enum Positional {
    /** Fixed sinusoids of the original Transformer: PE(p,2i)=sin(p/10000^(2i/d)), PE(p,2i+1)=cos(..). */
    SINUSOIDAL,
    /** A learned table {@code [maxLen, d]}. */
    LEARNED
}
