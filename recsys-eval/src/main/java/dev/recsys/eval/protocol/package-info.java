/**
 * Evaluation protocols: the model-side {@link dev.recsys.eval.protocol.BatchScorer} (for a trained
 * model: {@link dev.recsys.eval.protocol.ModelScorer}, stage 1 or re-ranked by stage 2), full-ranking and
 * sampled evaluation ({@link dev.recsys.eval.protocol.Evaluator}) with masked seen items, pessimistic
 * ties and saved, reusable sampled negatives.
 */
package dev.recsys.eval.protocol;
