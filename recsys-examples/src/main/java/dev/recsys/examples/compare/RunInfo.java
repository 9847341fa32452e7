package dev.recsys.examples.compare;

import java.util.List;

/**
 * What one backend's run measured besides the evaluation result.
 *
 * @param backend               backend name
 * @param engine                engine and version
 * @param dataFingerprint       fingerprint of the data it trained on
 * @param pretrainLosses        mean training loss per pre-training epoch
 * @param pretrainValidation    (epoch, validation metric) pairs of pre-training
 * @param finetuneLosses        mean loss per fine-tuning epoch
 * @param finetuneValidation    (epoch, validation metric) pairs of fine-tuning
 * @param trainSeconds          wall time of training (both stages, validation included)
 * @param pretrainSequences     sequences of the pre-training optimiser steps
 * @param pretrainStepSeconds   time spent in pre-training steps (forward, backward, update)
 * @param sequencesPerSecond    pre-training throughput over step time (validation excluded)
 * @param medianStepMs          median pre-training step time
 * @param evalSeconds           wall time of the test evaluation
 * @param latencyMs             timed {@code recommend} calls, in call order
 * @param latencyP50Ms          median latency
 * @param latencyP99Ms          99th percentile latency
 * @param rerank                stage-2 depth used by the latency calls and the evaluation
 * @param peakRssBytes          peak resident set size of the process at the end (null: unknown)
 * @param rssBeforeBytes        resident set size before the backend was created (null: unknown)
 * @param rssAfterBytes         resident set size at the end (null: unknown)
 * @param peakHeapBytes         peak JVM heap (sum of pool peaks)
 * @param parityRows            rows of the parity batch
 * @param parityCandidates      stage-2 candidates per parity row
 * @param roundTripMaxAbsDiff   max |trained model - its saved and reloaded copy| (null: this run did not save)
 */
public record RunInfo(
        String backend,
        String engine,
        String dataFingerprint,
        List<Double> pretrainLosses,
        List<double[]> pretrainValidation,
        List<Double> finetuneLosses,
        List<double[]> finetuneValidation,
        double trainSeconds,
        long pretrainSequences,
        double pretrainStepSeconds,
        double sequencesPerSecond,
        double medianStepMs,
        double evalSeconds,
        double[] latencyMs,
        double latencyP50Ms,
        double latencyP99Ms,
        int rerank,
        Long peakRssBytes,
        Long rssBeforeBytes,
        Long rssAfterBytes,
        long peakHeapBytes,
        int parityRows,
        int parityCandidates,
        Double roundTripMaxAbsDiff) {}
