package dev.recsys.api.config;

/** Distribution negatives are drawn from (never the positive). */
public enum Sampling {
    UNIFORM,
    /** Proportional to training-set frequency. */
    POPULARITY
}
