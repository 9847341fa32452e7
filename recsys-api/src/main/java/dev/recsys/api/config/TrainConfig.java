package dev.recsys.api.config;

import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;

/**
 * One training stage.
 *
 * @param stage           pre-training (next item) or fine-tuning (stage-2 scorer)
 * @param loss            the loss; must support the stage
 * @param sampling        negative sampling distribution
 * @param epochs          passes over all training users
 * @param batchSize       sequences per optimiser step
 * @param learningRate    peak learning rate
 * @param warmupSteps     linear warm-up steps (0 = none)
 * @param schedule        decay after warm-up
 * @param minLrRatio      floor of the decay as a fraction of the peak
 * @param optimizer       Adam / AdamW, clipping
 * @param evalEveryEpochs validate every this many epochs (0 = never)
 * @param patience        stop after this many validations without improvement (0 = no early stopping)
 * @param checkpointEverySteps write a resumable checkpoint every this many steps (0 = never)
 * @param batching        how an epoch groups users into batches (null: {@link Batching#RANDOM})
 * @param idDropout       pre-training of content models with item ids: the probability that a batch
 *                        leaves out an item's id row (its vector is then its content alone, as a cold
 *                        item's), docs/MODEL.md "Item-id dropout"; 0 = off
 * @param seed            the single seed of shuffling, sampling and dropout
 */
public record TrainConfig(
        Stage stage,
        LossSpec loss,
        Sampling sampling,
        int epochs,
        int batchSize,
        float learningRate,
        int warmupSteps,
        Schedule schedule,
        float minLrRatio,
        OptimizerConfig optimizer,
        int evalEveryEpochs,
        int patience,
        int checkpointEverySteps,
        Batching batching,
        float idDropout,
        long seed) {

    /** A stage with {@link Batching#RANDOM} batches and no item-id dropout. */
    public TrainConfig(
            Stage stage,
            LossSpec loss,
            Sampling sampling,
            int epochs,
            int batchSize,
            float learningRate,
            int warmupSteps,
            Schedule schedule,
            float minLrRatio,
            OptimizerConfig optimizer,
            int evalEveryEpochs,
            int patience,
            int checkpointEverySteps,
            long seed) {
        this(
                stage,
                loss,
                sampling,
                epochs,
                batchSize,
                learningRate,
                warmupSteps,
                schedule,
                minLrRatio,
                optimizer,
                evalEveryEpochs,
                patience,
                checkpointEverySteps,
                Batching.RANDOM,
                0f,
                seed);
    }

    public TrainConfig {
        if (batching == null) {
            batching = Batching.RANDOM;
        }
        if (stage == null || loss == null || sampling == null || schedule == null || optimizer == null) {
            throw new IllegalArgumentException("stage, loss, sampling, schedule and optimizer must be set");
        }
        if (!loss.supports(stage)) {
            throw new IllegalArgumentException("loss '" + loss.name() + "' cannot be used for " + stage
                    + " (pre-training: " + String.join(", ", LossSpec.names(Stage.PRETRAIN)) + "; fine-tuning: "
                    + String.join(", ", LossSpec.names(Stage.FINETUNE)) + ")");
        }
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, found " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, found " + batchSize);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a finite number > 0, found " + learningRate);
        }
        nonNegative("warmupSteps", warmupSteps);
        nonNegative("evalEveryEpochs", evalEveryEpochs);
        nonNegative("patience", patience);
        nonNegative("checkpointEverySteps", checkpointEverySteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("minLrRatio must be in [0, 1], found " + minLrRatio);
        }
        if (!(idDropout >= 0 && idDropout < 1)) {
            throw new IllegalArgumentException("idDropout must be in [0, 1), found " + idDropout);
        }
        if (idDropout > 0 && stage != Stage.PRETRAIN) {
            throw new IllegalArgumentException(
                    "idDropout is a pre-training option (fine-tuning reads the item vectors as pre-training left them), found "
                            + idDropout + " for " + stage);
        }
    }

    private static void nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, found " + v);
        }
    }

    /** SASRec-style pre-training defaults: BCE with one negative, 200 epochs, Adam 1e-3, batch 128, validation every 20 epochs. */
    public static TrainConfig pretrainDefaults() {
        return new TrainConfig(
                Stage.PRETRAIN,
                new LossSpec.Bce(1),
                Sampling.UNIFORM,
                200,
                128,
                1e-3f,
                0,
                Schedule.CONSTANT,
                0f,
                OptimizerConfig.adam(),
                20,
                3,
                0,
                42L);
    }

    /** Fine-tuning defaults: BPR with 8 negatives, 5 epochs, Adam 2e-4, batch 128, validation every epoch. */
    public static TrainConfig finetuneDefaults() {
        return new TrainConfig(
                Stage.FINETUNE,
                new LossSpec.Bpr(8),
                Sampling.UNIFORM,
                5,
                128,
                2e-4f,
                0,
                Schedule.CONSTANT,
                0f,
                OptimizerConfig.adam(),
                1,
                2,
                0,
                42L);
    }

    public TrainConfig withEpochs(int n) {
        return copy(stage, loss, n, batching, seed);
    }

    public TrainConfig withLoss(Stage newStage, LossSpec newLoss) {
        return copy(newStage, newLoss, epochs, batching, seed);
    }

    public TrainConfig withSeed(long s) {
        return copy(stage, loss, epochs, batching, s);
    }

    public TrainConfig withBatching(Batching b) {
        return copy(stage, loss, epochs, b, seed);
    }

    /** This config with the fields the {@code with} methods change replaced. */
    private TrainConfig copy(Stage newStage, LossSpec newLoss, int newEpochs, Batching newBatching, long newSeed) {
        return new TrainConfig(
                newStage,
                newLoss,
                sampling,
                newEpochs,
                batchSize,
                learningRate,
                warmupSteps,
                schedule,
                minLrRatio,
                optimizer,
                evalEveryEpochs,
                patience,
                checkpointEverySteps,
                newBatching,
                idDropout,
                newSeed);
    }
}
