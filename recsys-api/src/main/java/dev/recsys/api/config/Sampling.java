package dev.recsys.api.config;

/** Distribution negatives are drawn from (never the positive). */
public enum Sampling {
    UNIFORM,
    /** Proportional to training-set frequency. */
    POPULARITY,
    /**
     * Uniform over the items the user has not interacted with in training (none of the user's
     * training sequence is ever a negative, so an item the user clicks later is never pushed down
     * at an earlier position). Shared negatives are drawn without replacement per sequence row,
     * as in SASRec+ with 3,000 negatives (Klenitskiy and Vasilev, RecSys 2023); when a row has fewer
     * unseen items than asked for, all of them come first and the rest repeat uniformly drawn ones.
     * The sampling probability is the same for every candidate of a row, so a log-Q correction
     * changes nothing.
     */
    UNSEEN
}
