package dev.recsys.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.OptimizerConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.Initializer;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import dev.recsys.api.train.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ModelBehaviourTest {

    @Test
    void extraLeftPaddingNeverChangesAnyScore() {
        ModelConfig c = Fixtures.contentPost();
        ItemContent content = Fixtures.content(c, 5);
        try (RecModel m = Fixtures.backend().create(c, content, Initializer.init(c, 2), 1)) {
            SeqBatch narrow = Fixtures.batch(c, 4, new int[] {4, 2}, 8);
            SeqBatch wide = pad(narrow, 7);
            int[] cands = Fixtures.candidates(2, 3, 4);
            assertThat(m.scoreAll(wide)).containsExactly(m.scoreAll(narrow), within(1e-5f));
            assertThat(m.scoreCandidates(wide, cands, 3))
                    .containsExactly(m.scoreCandidates(narrow, cands, 3), within(1e-5f));
            assertThat(m.userVectors(wide)).containsExactly(m.userVectors(narrow), within(1e-5f));
        }
    }

    @Test
    void largeBatchesAreScoredInSlicesWithTheSameResultsAsRowByRow() {
        ModelConfig c = Fixtures.idOnly();
        int rows = DjlModel.SCORING_ROWS + 3;
        SeqBatch big = Fixtures.batch(
                c,
                4,
                java.util.stream.IntStream.range(0, rows).map(i -> 1 + i % 4).toArray(),
                6);
        int[] cands = Fixtures.candidates(rows, 2, 7);
        try (RecModel m = Fixtures.backend().create(c, null, Initializer.init(c, 2), 1)) {
            float[] all = m.scoreAll(big);
            float[] two = m.scoreCandidates(big, cands, 2);
            float[] users = m.userVectors(big);
            int n = c.numItems() + 1;
            for (int r : new int[] {0, DjlModel.SCORING_ROWS - 1, DjlModel.SCORING_ROWS, rows - 1}) {
                SeqBatch one = new SeqBatch(1, 4, java.util.Arrays.copyOfRange(big.items(), r * 4, r * 4 + 4), null);
                assertThat(java.util.Arrays.copyOfRange(all, r * n, r * n + n))
                        .containsExactly(m.scoreAll(one), within(1e-5f));
                assertThat(java.util.Arrays.copyOfRange(two, r * 2, r * 2 + 2))
                        .containsExactly(
                                m.scoreCandidates(one, java.util.Arrays.copyOfRange(cands, r * 2, r * 2 + 2), 2),
                                within(1e-5f));
                assertThat(java.util.Arrays.copyOfRange(users, r * c.dim(), (r + 1) * c.dim()))
                        .containsExactly(m.userVectors(one), within(1e-5f));
            }
        }
    }

    @Test
    void aFutureItemNeverChangesAnEarlierPosition() {
        ModelConfig c = Fixtures.idOnly();
        try (RecModel m = Fixtures.backend().create(c, null, Initializer.init(c, 2), 1)) {
            SeqBatch a = new SeqBatch(1, 5, new int[] {0, 3, 4, 5, 6}, null);
            SeqBatch b = new SeqBatch(1, 5, new int[] {0, 3, 4, 5, 9}, null);
            float[] ua = m.trace(a, null, 0).get("user_encoder.output");
            float[] ub = m.trace(b, null, 0).get("user_encoder.output");
            int d = c.dim();
            for (int i = d; i < 4 * d; i++) { // positions 1..3 see only items before the changed last one
                assertThat(ua[i]).isEqualTo(ub[i]);
            }
            assertThat(ua[4 * d]).isNotEqualTo(ub[4 * d]);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalTrainingStepsAndAnotherSeedDoesNot() {
        ModelConfig c = Fixtures.contentPost();
        ItemContent content = Fixtures.content(c, 5);
        Weights w = Initializer.init(c, 3);
        TrainBatch batch = LossAndGradientTest.nextItem(c, new LossSpec.Bce(1));
        LossSpec bce = new LossSpec.Bce(1);
        float[] first = new float[3];
        float[] second = new float[3];
        float[] other = new float[3];
        try (RecModel m1 = Fixtures.backend().create(c, content, w, 99);
                RecModel m2 = Fixtures.backend().create(c, content, w, 99);
                RecModel m3 = Fixtures.backend().create(c, content, w, 100)) {
            for (int i = 0; i < 3; i++) {
                first[i] = m1.lossAndGradients(batch, bce, true).loss();
                m3.scoreAll(batch.input()); // scoring in between must not disturb the dropout stream
                second[i] = m2.lossAndGradients(batch, bce, true).loss();
                other[i] = m3.lossAndGradients(batch, bce, true).loss();
            }
            float eval = m1.lossAndGradients(batch, bce, false).loss();
            assertThat(m2.lossAndGradients(batch, bce, false).loss()).isEqualTo(eval);
            assertThat(first[1]).isNotEqualTo(first[0]); // a new mask at every step
        }
        assertThat(second).containsExactly(first);
        assertThat(other).doesNotContain(first[0], first[1], first[2]);
    }

    @Test
    void dropoutMasksKeepTheRightShareAndScaleKeptValues() {
        DropoutMasks masks = new DropoutMasks(0.2f);
        masks.reseed(5);
        float[] m = new float[200_001];
        masks.fill(java.nio.FloatBuffer.wrap(m), 200_001);
        int zeros = 0;
        for (int i = 0; i < 200_001; i++) {
            if (m[i] == 0f) {
                zeros++;
            } else {
                assertThat(m[i]).isEqualTo(1.25f);
            }
        }
        assertThat(zeros / 200_001.0).isCloseTo(0.2, within(0.005));
    }

    @Test
    void setWeightsIsUsedByTheNextCallAndWeightsRoundTrip() {
        ModelConfig c = Fixtures.contentOnly();
        ItemContent content = Fixtures.content(c, 5);
        Weights w1 = Initializer.init(c, 1);
        Weights w2 = Initializer.init(c, 2);
        SeqBatch batch = Fixtures.batch(c, 5, new int[] {5, 3}, 2);
        try (RecModel m = Fixtures.backend().create(c, content, w1, 1);
                RecModel fresh = Fixtures.backend().create(c, content, w2, 1)) {
            float[] before = m.scoreAll(batch);
            float[] itemsBefore = m.itemVectors();
            m.setWeights(w2);
            assertThat(m.weights().maxAbsDiff(w2)).isZero();
            assertThat(m.scoreAll(batch)).containsExactly(fresh.scoreAll(batch));
            assertThat(m.itemVectors()).containsExactly(fresh.itemVectors()).isNotEqualTo(itemsBefore);
            m.setWeights(w1);
            assertThat(m.scoreAll(batch)).containsExactly(before);
        }
    }

    @Test
    void gradientBuffersHaveCanonicalShapesAndUnusedPartsAreZero() {
        ModelConfig c = Fixtures.idOnly();
        try (RecModel m = Fixtures.backend().create(c, null, Initializer.init(c, 1), 1)) {
            StepResult r = m.lossAndGradients(
                    LossAndGradientTest.nextItem(c, new LossSpec.Bce(2)), new LossSpec.Bce(2), false);
            for (ParamLayout.Param p : ParamLayout.of(c)) {
                assertThat(r.gradients().get(p.name()).shape()).containsExactly(p.shape());
            }
            // pre-training never touches the stage-2 scorer
            assertThat(r.gradients().data(ParamLayout.SCORER_WEIGHT)).containsOnly(0f);
            assertThat(r.gradients().data("cross.attention.query.weight")).containsOnly(0f);
            assertThat(r.gradients().data(ParamLayout.ITEM_EMBEDDING))
                    .isNotEqualTo(
                            new float
                                    [r.gradients()
                                            .get(ParamLayout.ITEM_EMBEDDING)
                                            .size()]);
        }
    }

    @Test
    void aFewAdamStepsOfPreTrainingThenFineTuningLowerBothLosses() {
        ModelConfig c = Fixtures.idOnly().withDropout(0f);
        Weights w = Initializer.init(c, 4);
        LossSpec bce = new LossSpec.Bce(2);
        LossSpec bpr = new LossSpec.Bpr(3);
        TrainBatch pre = LossAndGradientTest.nextItem(c, bce);
        TrainBatch fine = LossAndGradientTest.candidates(c, bpr);
        try (RecModel m = Fixtures.backend().create(c, null, w, 1)) {
            Adam adam = new Adam(OptimizerConfig.adam(), w);
            float start = m.lossAndGradients(pre, bce, true).loss();
            for (int i = 0; i < 30; i++) {
                adam.update(w, m.lossAndGradients(pre, bce, true).gradients(), 0.01f);
                m.setWeights(w);
            }
            assertThat(m.lossAndGradients(pre, bce, false).loss()).isLessThan(start * 0.7f);
            Adam adam2 = new Adam(OptimizerConfig.adam(), w);
            float fineStart = m.lossAndGradients(fine, bpr, true).loss();
            for (int i = 0; i < 30; i++) {
                adam2.update(w, m.lossAndGradients(fine, bpr, true).gradients(), 0.01f);
                m.setWeights(w);
            }
            assertThat(m.lossAndGradients(fine, bpr, false).loss()).isLessThan(fineStart * 0.7f);
        }
    }

    @Test
    void concurrentScoringGivesTheSameResultsAsSerialScoring() throws Exception {
        ModelConfig c = Fixtures.contentPost();
        ItemContent content = Fixtures.content(c, 5);
        try (RecModel m = Fixtures.backend().create(c, content, Initializer.init(c, 2), 1)) {
            List<SeqBatch> batches = new ArrayList<>();
            List<float[]> serial = new ArrayList<>();
            int[] cands = Fixtures.candidates(2, 5, 1);
            for (int i = 0; i < 8; i++) {
                SeqBatch b = Fixtures.batch(c, 6, new int[] {6, 1 + i % 5}, 100 + i);
                batches.add(b);
            }
            m.setWeights(m.weights()); // drop the cache: the threads race to build it
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[][]>> fs = new ArrayList<>();
                for (int rep = 0; rep < 4; rep++) {
                    for (SeqBatch b : batches) {
                        fs.add(pool.submit(() -> new float[][] {m.scoreAll(b), m.scoreCandidates(b, cands, 5)}));
                    }
                }
                for (SeqBatch b : batches) {
                    serial.add(m.scoreAll(b));
                    serial.add(m.scoreCandidates(b, cands, 5));
                }
                for (int i = 0; i < fs.size(); i++) {
                    float[][] got = fs.get(i).get();
                    int k = i % batches.size();
                    assertThat(got[0]).containsExactly(serial.get(2 * k));
                    assertThat(got[1]).containsExactly(serial.get(2 * k + 1));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFailsClearly() {
        ModelConfig c = Fixtures.idOnly();
        RecModel m = Fixtures.backend().create(c, null, Initializer.init(c, 1), 1);
        SeqBatch b = Fixtures.batch(c, 3, new int[] {2}, 1);
        m.scoreAll(b);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.scoreAll(b))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model is closed");
        assertThatThrownBy(m::weights).isInstanceOf(IllegalStateException.class).hasMessage("model is closed");
        assertThatThrownBy(() -> m.setWeights(Initializer.init(c, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model is closed");
        assertThatThrownBy(m::itemVectors)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model is closed");
    }

    @Test
    void badInputsFailWithMessagesThatSayWhatWasExpected() {
        ModelConfig c = Fixtures.idOnly();
        try (RecModel m = Fixtures.backend().create(c, null, Initializer.init(c, 1), 1)) {
            assertThatThrownBy(() -> m.scoreAll(new SeqBatch(1, 2, new int[] {1, Fixtures.N + 1}, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("in [0, " + Fixtures.N + "], found " + (Fixtures.N + 1));
            assertThatThrownBy(() -> m.scoreAll(new SeqBatch(1, 8, new int[8], null)))
                    .hasMessageContaining("maxLen = 7, found 8");
            assertThatThrownBy(() -> m.scoreCandidates(new SeqBatch(1, 2, new int[] {0, 0}, null), new int[] {1}, 1))
                    .hasMessageContaining("no item");
            TrainBatch pre = LossAndGradientTest.nextItem(c, new LossSpec.Bce(2));
            assertThatThrownBy(() -> m.lossAndGradients(pre, new LossSpec.Bce(3), true))
                    .hasMessageContaining("expects groups of 1 + 3");
            assertThatThrownBy(() -> m.lossAndGradients(pre, new LossSpec.Mse(), true))
                    .hasMessageContaining("pre-training");
            Weights wrong = Initializer.init(c.withNumItems(5), 1);
            assertThatThrownBy(() -> m.setWeights(wrong)).hasMessageContaining("item_embedding.weight");
        }
    }

    private static SeqBatch pad(SeqBatch b, int len) {
        int[] items = new int[b.size() * len];
        int[] events = b.events() == null ? null : new int[b.size() * len];
        for (int r = 0; r < b.size(); r++) {
            System.arraycopy(b.items(), r * b.length(), items, r * len + len - b.length(), b.length());
            if (events != null) {
                System.arraycopy(b.events(), r * b.length(), events, r * len + len - b.length(), b.length());
            }
        }
        return new SeqBatch(b.size(), len, items, events);
    }
}
