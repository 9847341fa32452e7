package dev.recsys.api.train;

import dev.recsys.api.model.Weights;

/**
 * Everything needed to resume training exactly: the position in the run, the weights, the
 * optimiser moments and the early-stopping state. Batches and negatives are derived from
 * {@code (seed, epoch, step)}, so no generator state needs saving.
 *
 * @param epochsDone   completed epochs
 * @param step         global steps done
 * @param stepInEpoch  steps done inside the current (incomplete) epoch
 * @param weights      current weights
 * @param optimizer    {@link Adam#state()}
 * @param bestMetric   best validation metric so far (NaN if none)
 * @param bestEpoch    epoch of the best metric (0 if none)
 * @param badChecks    validations since the best
 * @param bestWeights  weights at the best validation, or null
 */
public record TrainState(
        int epochsDone,
        long step,
        int stepInEpoch,
        Weights weights,
        Weights optimizer,
        double bestMetric,
        int bestEpoch,
        int badChecks,
        Weights bestWeights) {}
