package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Sampling;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.loss.Stage;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HardNegativesTest {
    /** Stage 1 scores item i as i, except that it likes item (last history item - 1) best of all. */
    static final class Scripted implements RecModel {
        final ModelConfig config = ModelConfig.builder()
                .numItems(10)
                .dim(2)
                .heads(1)
                .layers(0)
                .ffnDim(2)
                .maxLen(3)
                .build();
        final List<int[]> histories = new ArrayList<>();

        public ModelConfig config() {
            return config;
        }

        public ItemContent content() {
            return null;
        }

        public float[] scoreAll(SeqBatch b) {
            float[] s = new float[b.size() * 11];
            for (int r = 0; r < b.size(); r++) {
                int[] row = Arrays.copyOfRange(b.items(), r * b.length(), (r + 1) * b.length());
                histories.add(row);
                int last = row[row.length - 1];
                for (int i = 0; i <= 10; i++) {
                    s[r * 11 + i] = i == last - 1 ? 100 : i;
                }
            }
            return s;
        }

        public float[] scoreCandidates(SeqBatch b, int[] c, int per) {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public float[] userVectors(SeqBatch b) {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public float[] itemVectors() {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean t) {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public Weights weights() {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public void setWeights(Weights w) {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public ForwardTrace trace(SeqBatch b, int[] c, int p) {
            throw new UnsupportedOperationException("mining never calls this");
        }

        public void close() {}
    }

    private final TrainingData data = TrainingData.of(10, new int[][] {{1, 2, 3, 4, 5}, {7}, {9, 10}, {6, 2}});

    @Test
    void poolsAreTheBestUnseenItemsForTheHistoryWithoutItsLastItem() {
        Scripted m = new Scripted();
        int[][] pools = HardNegatives.mine(m, data, 3, 2);
        // user 0: history [2, 3, 4] (last 3 of 1..4), likes 3 best but 1..5 are its own: 10, 9, 8
        assertThat(pools[0]).containsExactly(10, 9, 8);
        assertThat(pools[1]).isNull(); // a single item: no training example
        // user 2: history [9]: likes 8 best, then the highest unseen ids (9 and 10 are its own)
        assertThat(pools[2]).containsExactly(8, 7, 6);
        // user 3: history [6]: 5 first, then 10, 9 (6 and 2 excluded)
        assertThat(pools[3]).containsExactly(5, 10, 9);
        assertThat(m.histories.get(0)).containsExactly(2, 3, 4);
        assertThat(m.histories.get(1)).containsExactly(0, 0, 9); // left padded to the batch's length
        // batching changes nothing
        int[][] one = HardNegatives.mine(new Scripted(), data, 3, 1);
        for (int u = 0; u < 4; u++) {
            assertThat(one[u]).isEqualTo(pools[u]);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> HardNegatives.mine(new Scripted(), data, 0, 2)).hasMessageContaining(">= 1 item");
        assertThatThrownBy(() -> HardNegatives.mine(new Scripted(), TrainingData.of(9, new int[][] {{1, 2}}), 3, 2))
                .hasMessageContaining("9 items but the model was built for 10");
    }

    @Test
    void theBatcherFineTunesOnTheLastPositionWithPoolNegatives() {
        NegativeSampler sampler = new NegativeSampler(10, Sampling.UNIFORM, null);
        Batcher plain = new Batcher(data, 3, Stage.FINETUNE, new LossSpec.Bpr(4), sampler, false);
        int[][] pools = {{10, 9, 8}, null, {}, {5}};
        Batcher hard = plain.withPools(pools);
        assertThat(hard.usesPools()).isTrue();
        assertThat(plain.usesPools()).isFalse();
        for (long seed = 0; seed < 10; seed++) {
            TrainBatch.Candidates c = (TrainBatch.Candidates) hard.build(new int[] {0, 3}, new SplittableRandom(seed));
            // user 0: history [2, 3, 4], positive 5, negatives from {10, 9, 8}
            assertThat(Arrays.copyOfRange(c.input().items(), 0, 3)).containsExactly(2, 3, 4);
            assertThat(c.candidates()[0]).isEqualTo(5);
            assertThat(Arrays.stream(c.candidates(), 1, 5).allMatch(i -> i >= 8 && i <= 10))
                    .isTrue();
            // user 3: history [6] (left padded), positive 2, the single pool item 5 four times
            assertThat(Arrays.copyOfRange(c.input().items(), 3, 6)).containsExactly(0, 0, 6);
            assertThat(Arrays.copyOfRange(c.candidates(), 5, 10)).containsExactly(2, 5, 5, 5, 5);
        }
        // an empty pool keeps the random cut and the sampler: user 2 = {9, 10} has one cut, the sampler never gives 10
        TrainBatch.Candidates c = (TrainBatch.Candidates) hard.build(new int[] {2}, new SplittableRandom(1));
        assertThat(c.candidates()[0]).isEqualTo(10);
        assertThat(Arrays.copyOfRange(c.candidates(), 1, 5)).doesNotContain(10);
    }

    @Test
    void poolsMustFitTheData() {
        NegativeSampler sampler = new NegativeSampler(10, Sampling.UNIFORM, null);
        Batcher fine = new Batcher(data, 3, Stage.FINETUNE, new LossSpec.Bpr(4), sampler, false);
        assertThatThrownBy(() -> fine.withPools(new int[3][]))
                .hasMessageContaining("one hard-negative pool per user (4), found 3");
        assertThatThrownBy(() -> fine.withPools(new int[][] {{11}, null, null, null}))
                .hasMessageContaining("user 0 holds item 11");
        Batcher pre = new Batcher(data, 3, Stage.PRETRAIN, new LossSpec.Bce(1), sampler, false);
        assertThatThrownBy(() -> pre.withPools(new int[4][])).hasMessageContaining("for fine-tuning");
    }
}
