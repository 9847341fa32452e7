package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.BackendOptions;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.train.TrainResult;
import dev.recsys.api.train.TrainState;
import dev.recsys.api.train.Trainer;
import dev.recsys.api.train.TrainingData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with the engine-free Trainer on this backend, interrupted and resumed from a
 * checkpoint written in the canonical format and read back into a fresh model, ends with the
 * very same weights as the uninterrupted run (one thread, no dropout: bit for bit).
 */
class Dl4jResumeTest {
    @TempDir
    Path dir;

    @Test
    void resumingFromACheckpointOnDiskReproducesTheUninterruptedRun() throws Exception {
        int n = 15;
        ModelConfig cfg = ModelConfig.builder()
                .numItems(n)
                .dim(8)
                .heads(2)
                .layers(1)
                .ffnDim(16)
                .maxLen(6)
                .content(10, 3, 1)
                .dropout(0f)
                .layerNormEps(1e-6f)
                .build();
        SplittableRandom r = new SplittableRandom(3);
        int[][] per = new int[n + 1][];
        for (int i = 1; i <= n; i++) {
            per[i] = new int[] {2 + r.nextInt(8), 2 + r.nextInt(8)};
        }
        ItemContent content = ItemContent.of(n, 3, per);
        int[][] seqs = new int[12][];
        for (int u = 0; u < seqs.length; u++) {
            seqs[u] = new int[4 + r.nextInt(5)];
            for (int k = 0; k < seqs[u].length; k++) {
                seqs[u][k] = 1 + r.nextInt(n);
            }
        }
        TrainingData data = TrainingData.of(n, seqs);
        TrainConfig tc = new TrainConfig(
                Stage.PRETRAIN,
                new LossSpec.Bce(1),
                Sampling.UNIFORM,
                3,
                4,
                0.01f,
                0,
                Schedule.CONSTANT,
                0f,
                new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f),
                0,
                0,
                0,
                5L);
        Weights w0 = Initializer.init(cfg, 9);
        try (Backend backend = new Dl4jBackendProvider().create(BackendOptions.defaults())) {
            Weights straight;
            try (RecModel m = backend.create(cfg, content, w0, 1)) {
                new Trainer(m, tc, data).fit();
                straight = m.weights();
            }
            List<TrainState> states = new ArrayList<>();
            TrainConfig withCheckpoints = new TrainConfig(
                    tc.stage(),
                    tc.loss(),
                    tc.sampling(),
                    tc.epochs(),
                    tc.batchSize(),
                    tc.learningRate(),
                    tc.warmupSteps(),
                    tc.schedule(),
                    tc.minLrRatio(),
                    tc.optimizer(),
                    0,
                    0,
                    4,
                    tc.seed());
            try (RecModel m = backend.create(cfg, content, w0, 1)) {
                new Trainer(m, withCheckpoints, data).checkpoints(states::add).fit();
            }
            TrainState mid =
                    states.stream().filter(s -> s.stepInEpoch() > 0).findFirst().orElseThrow();
            Path ckpt = dir.resolve("mid");
            Checkpoint.write(ckpt, CheckpointData.of(cfg, mid.weights(), content));
            CheckpointData read = Checkpoint.read(ckpt);
            TrainState resume = new TrainState(
                    mid.epochsDone(),
                    mid.step(),
                    mid.stepInEpoch(),
                    read.weights(),
                    mid.optimizer(),
                    mid.bestMetric(),
                    mid.bestEpoch(),
                    mid.badChecks(),
                    mid.bestWeights());
            try (RecModel m = backend.create(read.config(), read.content(), read.weights(), 1)) {
                TrainResult res = new Trainer(m, tc, data).fit(resume);
                assertThat(res.steps()).as("steps of the resumed run").isGreaterThan(mid.step());
                Weights resumed = m.weights();
                assertThat(resumed.maxAbsDiff(straight))
                        .as("weights after resuming vs the uninterrupted run")
                        .isZero();
                assertThat(resumed.maxAbsDiff(w0))
                        .as("training moved the weights")
                        .isGreaterThan(1e-3);
            }
        }
    }
}
