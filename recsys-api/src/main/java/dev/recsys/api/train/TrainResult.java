package dev.recsys.api.train;

import java.util.List;

/**
 * Outcome of {@link Trainer#fit}.
 *
 * @param epochs        epochs run (in total, including resumed ones)
 * @param steps         optimiser steps (in total)
 * @param bestMetric    best validation metric (NaN if never validated)
 * @param bestEpoch     epoch of the best validation (0 if never validated); the model holds its weights
 * @param stoppedEarly  whether early stopping ended the run
 * @param seconds       wall time of this call
 * @param epochLosses   mean training loss per epoch run by this call
 * @param validation    (epoch, metric) pairs of this call
 * @param sequencesPerSecond training throughput of this call
 */
public record TrainResult(
        int epochs,
        long steps,
        double bestMetric,
        int bestEpoch,
        boolean stoppedEarly,
        double seconds,
        List<Double> epochLosses,
        List<double[]> validation,
        double sequencesPerSecond) {}
