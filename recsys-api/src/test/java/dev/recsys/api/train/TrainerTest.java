package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.TrainingException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.config.Schedule;
import dev.recsys.api.config.TrainConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop is tested with a quadratic stand-in model whose loss depends on the batch
 * ({@code Σ (w_i - c_i - mean(batch items)/100)^2}), so that order, batching and resume matter.
 */
class TrainerTest {

    static final class Quadratic implements RecModel {
        final ModelConfig config;

        Quadratic() {
            this(2, 5);
        }

        /** A stand-in claiming the shape dim x maxLen (only the negative-sharing rule looks at it). */
        Quadratic(int dim, int maxLen) {
            config = ModelConfig.builder()
                    .numItems(20)
                    .dim(dim)
                    .heads(1)
                    .layers(0)
                    .ffnDim(2)
                    .maxLen(maxLen)
                    .build();
        }

        Weights w = new Weights().put("w.bias", new int[] {2}, new float[] {0f, 0f});
        float nanAtStep = -1;
        int calls;
        final java.util.List<TrainBatch> batches = new java.util.ArrayList<>();

        public ModelConfig config() {
            return config;
        }

        public ItemContent content() {
            return null;
        }

        public float[] userVectors(SeqBatch b) {
            throw new UnsupportedOperationException("scoring is not part of this stand-in");
        }

        public float[] itemVectors() {
            throw new UnsupportedOperationException("scoring is not part of this stand-in");
        }

        public float[] scoreAll(SeqBatch b) {
            throw new UnsupportedOperationException("scoring is not part of this stand-in");
        }

        public float[] scoreCandidates(SeqBatch b, int[] c, int p) {
            throw new UnsupportedOperationException("scoring is not part of this stand-in");
        }

        public ForwardTrace trace(SeqBatch b, int[] c, int p) {
            throw new UnsupportedOperationException("scoring is not part of this stand-in");
        }

        public void close() {}

        public StepResult lossAndGradients(TrainBatch batch, LossSpec loss, boolean training) {
            calls++;
            batches.add(batch);
            double shift = 0;
            int n = 0;
            for (int it : batch.input().items()) {
                if (it != 0) {
                    shift += it;
                    n++;
                }
            }
            shift = shift / n / 100.0;
            float[] x = w.data("w.bias");
            double[] c = {1 + shift, -2 + shift};
            float l = 0;
            float[] g = new float[2];
            for (int i = 0; i < 2; i++) {
                l += (float) ((x[i] - c[i]) * (x[i] - c[i]));
                g[i] = (float) (2 * (x[i] - c[i]));
            }
            if (calls == nanAtStep) {
                l = Float.NaN;
            }
            return new StepResult(l, new Weights().put("w.bias", new int[] {2}, g));
        }

        public Weights weights() {
            return w.copy();
        }

        public void setWeights(Weights weights) {
            w = weights.copy();
        }
    }

    private static TrainingData data() {
        int[][] seqs = new int[30][];
        for (int u = 0; u < 30; u++) {
            seqs[u] = new int[] {1 + u % 20, 1 + (u * 7) % 20, 1 + (u * 3) % 20};
        }
        return TrainingData.of(20, seqs);
    }

    private static TrainConfig config(int epochs, int patience, int checkpointEvery) {
        return config(new LossSpec.Bce(1), epochs, patience, checkpointEvery);
    }

    private static TrainConfig config(LossSpec loss, int epochs, int patience, int checkpointEvery) {
        return new TrainConfig(
                Stage.PRETRAIN,
                loss,
                Sampling.UNIFORM,
                epochs,
                8,
                0.05f,
                0,
                Schedule.CONSTANT,
                0f,
                new OptimizerConfig(OptimizerConfig.Type.ADAM, 0.9f, 0.98f, 1e-8f, 0f, 0f),
                1,
                patience,
                checkpointEvery,
                11L);
    }

    @Test
    void lengthBatchingGroupsSimilarLengthsKeepsEveryUserOnceAndIsReproducible() {
        // 204 users with training lengths 2..41, five of each (four of the last); maxLen 50 caps nothing
        int[][] seqs = new int[204][];
        for (int u = 0; u < 204; u++) {
            seqs[u] = new int[2 + (u * 37) % 40];
            java.util.Arrays.fill(seqs[u], 1 + u % 20);
        }
        TrainingData d = TrainingData.of(20, seqs);
        TrainConfig c = config(1, 0, 0).withBatching(dev.recsys.api.config.Batching.LENGTH);
        Trainer t = new Trainer(new Quadratic(2, 50), c, d);
        int[] users = java.util.stream.IntStream.range(0, 204).toArray();
        int[] order = t.shuffled(users, 0);
        assertThat(order).containsExactlyInAnyOrder(users);
        assertThat(t.shuffled(users, 0)).containsExactly(order);
        assertThat(t.shuffled(users, 1)).isNotEqualTo(order);
        // batches of 8 (25 full ones, then 4 users): a full batch spans at most 3 lengths when sorted
        assertThat(maxSpread(order, seqs)).isLessThanOrEqualTo(2);
        int[] random = new Trainer(new Quadratic(2, 50), config(1, 0, 0), d).shuffled(users, 0);
        assertThat(maxSpread(random, seqs)).isGreaterThan(20);
    }

    /** The largest difference between the longest and shortest sequence in a full batch of 8. */
    private static int maxSpread(int[] order, int[][] seqs) {
        int worst = 0;
        for (int b = 0; b + 8 <= order.length; b += 8) {
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int i = b; i < b + 8; i++) {
                lo = Math.min(lo, seqs[order[i]].length);
                hi = Math.max(hi, seqs[order[i]].length);
            }
            worst = Math.max(worst, hi - lo);
        }
        return worst;
    }

    @Test
    void trainingDrivesTheLossDown() {
        Quadratic m = new Quadratic();
        TrainResult r = new Trainer(m, config(30, 0, 0), data()).fit();
        assertThat(r.steps()).isEqualTo(30 * 4); // 30 users, batch 8 -> 4 steps per epoch
        assertThat(r.epochLosses().get(29)).isLessThan(0.05 * r.epochLosses().get(0));
        assertThat(m.w.data("w.bias")[0]).isBetween(0.9f, 1.3f);
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        Quadratic m = new Quadratic();
        List<float[]> seen = new ArrayList<>();
        // validation prefers w[0] close to 0.2: it improves for a few epochs, then gets worse as w[0] -> 1
        TrainResult r = new Trainer(m, config(50, 2, 0), data())
                .validator(model -> {
                    float[] x = model.weights().data("w.bias");
                    seen.add(x.clone());
                    return -Math.abs(x[0] - 0.2);
                })
                .fit();
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.epochs()).isEqualTo(r.bestEpoch() + 2);
        assertThat(m.w.data("w.bias")).containsExactly(seen.get(r.bestEpoch() - 1));
    }

    @Test
    void aStageThatNeverBeatsItsBaselineKeepsTheStartingWeights() {
        Quadratic m = new Quadratic();
        m.w = new Weights().put("w.bias", new int[] {2}, new float[] {0.2f, 0f});
        // validation prefers w[0] = 0.2 exactly: the start; every epoch moves away from it
        TrainResult r = new Trainer(m, config(3, 0, 0), data())
                .baseline(0.0)
                .validator(model -> -Math.abs(model.weights().data("w.bias")[0] - 0.2))
                .fit();
        assertThat(r.bestEpoch()).isZero();
        assertThat(r.epochs()).isEqualTo(3);
        assertThat(m.w.data("w.bias")).containsExactly(0.2f, 0f);
    }

    @Test
    void aNanLossStopsWithAClearError() {
        Quadratic m = new Quadratic();
        m.nanAtStep = 3;
        assertThatThrownBy(() -> new Trainer(m, config(2, 0, 0), data()).fit())
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("NaN")
                .hasMessageContaining("step 3");
    }

    @Test
    void resumingFromAMidEpochCheckpointReproducesTheUninterruptedRun() {
        Quadratic straight = new Quadratic();
        new Trainer(straight, config(3, 0, 0), data()).fit();

        Quadratic first = new Quadratic();
        List<TrainState> states = new ArrayList<>();
        new Trainer(first, config(3, 0, 5), data()).checkpoints(states::add).fit();
        TrainState atStep5 =
                states.stream().filter(s -> s.step() == 5).findFirst().orElseThrow();
        assertThat(atStep5.stepInEpoch()).isEqualTo(1); // epoch 2, one step in

        Quadratic resumed = new Quadratic();
        TrainResult r = new Trainer(resumed, config(3, 0, 0), data()).fit(atStep5);
        assertThat(r.steps()).isEqualTo(12);
        assertThat(resumed.w.data("w.bias")).containsExactly(straight.w.data("w.bias"));
    }

    @Test
    void negativesAreSharedOnlyWhenPerPositionOnesWouldExceedTheBudget() {
        // batch 8 x maxLen 200 x (1 + 256) x d 64 = 26.3M floats: within the 2^25 budget -> per position
        Quadratic small = new Quadratic(64, 200);
        new Trainer(small, config(new LossSpec.Gbce(256, 0.75f), 1, 0, 0), data()).fit();
        assertThat(small.batches)
                .hasSize(4)
                .allSatisfy(b ->
                        assertThat(((TrainBatch.NextItem) b).negatives()).isInstanceOf(Negatives.PerPosition.class));
        // d 128 doubles it to 52.6M floats: over the budget -> 256 negatives per sequence row, shared by its positions
        Quadratic big = new Quadratic(128, 200);
        new Trainer(big, config(new LossSpec.Gbce(256, 0.75f), 1, 0, 0), data()).fit();
        assertThat(big.batches).hasSize(4).allSatisfy(b -> {
            TrainBatch.NextItem n = (TrainBatch.NextItem) b;
            Negatives.SharedByRow shared = (Negatives.SharedByRow) n.negatives();
            assertThat(shared.k()).isEqualTo(256);
            assertThat(shared.ids()).hasSize(n.input().size() * 256);
        });
        // fewer than 16 negatives are never shared, however large the shape
        Quadratic perPosition = new Quadratic(1024, 200);
        new Trainer(perPosition, config(new LossSpec.Bce(15), 1, 0, 0), data()).fit();
        assertThat(perPosition.batches).hasSize(4).allSatisfy(b -> {
            TrainBatch.NextItem n = (TrainBatch.NextItem) b;
            assertThat(((Negatives.PerPosition) n.negatives()).perRow()).isEqualTo(16);
        });
    }

    @Test
    void itemIdDropoutIsRefusedForAModelWithoutContentAndForFineTuning() {
        TrainConfig c = config(1, 0, 0);
        TrainConfig dropping = new TrainConfig(
                c.stage(),
                c.loss(),
                c.sampling(),
                c.epochs(),
                c.batchSize(),
                c.learningRate(),
                c.warmupSteps(),
                c.schedule(),
                c.minLrRatio(),
                c.optimizer(),
                c.evalEveryEpochs(),
                c.patience(),
                c.checkpointEverySteps(),
                c.batching(),
                0.3f,
                c.seed());
        assertThat(dropping.idDropout()).isEqualTo(0.3f);
        assertThat(dropping.withEpochs(4).idDropout()).isEqualTo(0.3f);
        assertThatThrownBy(() -> new Trainer(new Quadratic(), dropping, data()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idDropout 0.3 needs a content model with item ids");
        assertThatThrownBy(() -> dropping.withLoss(Stage.FINETUNE, new LossSpec.Bpr(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("idDropout is a pre-training option");
    }

    @Test
    void dataForAnotherCatalogueIsRefused() {
        assertThatThrownBy(() ->
                        new Trainer(new Quadratic(), config(1, 0, 0), TrainingData.of(7, new int[][] {{1, 2}})))
                .hasMessageContaining("7 items")
                .hasMessageContaining("20");
    }
}
