/**
 * The engine-free training machinery: batching with left padding, seeded negative sampling, the
 * Adam/AdamW optimiser, learning-rate schedules, the training loop with early stopping, NaN/Inf
 * guard, listeners and resumable checkpoints.
 */
package dev.recsys.api.train;
