package dev.recsys.api.train;

import dev.recsys.api.spi.RecModel;

/** Scores the model on validation data (never test); higher is better, e.g. NDCG@10. */
@FunctionalInterface
public interface Validator {
    double validate(RecModel model);
}
