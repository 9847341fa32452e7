/**
 * Evaluation protocols: the model-side {@link dev.recsys.eval.protocol.BatchScorer}, full-ranking and
 * sampled evaluation ({@link dev.recsys.eval.protocol.Evaluator}) with masked seen items, pessimistic
 * ties and saved, reusable sampled negatives.
 */
package dev.recsys.eval.protocol;
