package dev.recsys.api.config;

/** Pooling of the cross-attention output over the valid (non-padding) user positions. */
public enum Pooling {
    MEAN,
    MAX
}
