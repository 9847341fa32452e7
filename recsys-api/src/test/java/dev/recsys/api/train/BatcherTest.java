package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.Sampling;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private final TrainingData data = TrainingData.of(9, new int[][] {{1, 2, 3, 4, 5, 6}, {7, 8}, {9}});
    private final NegativeSampler sampler = new NegativeSampler(9, Sampling.UNIFORM, null);

    @Test
    void nextItemBatchesAreLeftPaddedWithShiftedTargets() {
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.Bce(2), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0, 1}, new SplittableRandom(3));
        // user 0: inputs = last 4 of 1..5 = 2,3,4,5 ; targets 3,4,5,6. user 1: input 7 -> target 8, left-padded
        assertThat(batch.input().length()).isEqualTo(4);
        assertThat(batch.input().items()).containsExactly(2, 3, 4, 5, 0, 0, 0, 7);
        assertThat(batch.targets()).containsExactly(3, 4, 5, 6, 0, 0, 0, 8);
        assertThat(batch.perRow()).isEqualTo(3);
        for (int p = 0; p < 8; p++) {
            int t = batch.targets()[p];
            if (t == 0) {
                assertThat(batch.candidates()[p * 3]).isZero();
                continue;
            }
            assertThat(batch.candidates()[p * 3]).isEqualTo(t);
            assertThat(batch.candidates()[p * 3 + 1]).isNotEqualTo(t).isBetween(1, 9);
            assertThat(batch.candidates()[p * 3 + 2]).isNotEqualTo(t).isBetween(1, 9);
        }
    }

    @Test
    void batchLengthShrinksToTheLongestRow() {
        Batcher b = new Batcher(data, 200, Stage.PRETRAIN, new LossSpec.SoftmaxCe(), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {1}, new SplittableRandom(3));
        assertThat(batch.input().length()).isEqualTo(1);
        assertThat(batch.candidates()).isNull();
    }

    @Test
    void sampledSoftmaxCarriesLogQOfEveryCandidate() {
        Batcher b = new Batcher(data, 4, Stage.PRETRAIN, new LossSpec.SampledSoftmax(3, true), sampler, false);
        TrainBatch.NextItem batch = (TrainBatch.NextItem) b.build(new int[] {0}, new SplittableRandom(3));
        assertThat(batch.logQ()).hasSize(16);
        assertThat(batch.logQ()[0]).isEqualTo((float) -Math.log(9));
    }

    @Test
    void fineTuningCutsAHistoryAndPutsThePositiveFirst() {
        Batcher b = new Batcher(data, 10, Stage.FINETUNE, new LossSpec.Bce(2), sampler, false);
        for (long seed = 0; seed < 20; seed++) {
            TrainBatch.Candidates batch = (TrainBatch.Candidates) b.build(new int[] {0}, new SplittableRandom(seed));
            int[] items = batch.input().items();
            int last = items[items.length - 1];
            // the history ends right before the positive: positive = last + 1 in this data
            assertThat(batch.candidates()[0]).isEqualTo(last + 1);
            assertThat(batch.labels()).containsExactly(1f, 0f, 0f);
        }
    }

    @Test
    void mseWithoutRatingsIsRefused() {
        assertThatThrownBy(() -> new Batcher(data, 4, Stage.FINETUNE, new LossSpec.Mse(), sampler, false))
                .hasMessageContaining("ratings");
    }
}
