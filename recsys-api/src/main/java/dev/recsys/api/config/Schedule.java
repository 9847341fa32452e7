package dev.recsys.api.config;

/** Learning-rate schedule after the linear warm-up. */
public enum Schedule {
    CONSTANT,
    /** Linear decay from the peak to {@code minLrRatio × peak} at the last step. */
    LINEAR,
    /** Half-cosine decay from the peak to {@code minLrRatio × peak} at the last step. */
    COSINE
}
