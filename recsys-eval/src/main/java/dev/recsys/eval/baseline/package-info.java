/**
 * Engine-free baselines implementing {@link dev.recsys.eval.protocol.BatchScorer}: most-popular,
 * item-KNN (cosine on co-occurrence), first-order Markov and seeded random. They are the floor every
 * model must beat and a check on the protocol.
 */
package dev.recsys.eval.baseline;
