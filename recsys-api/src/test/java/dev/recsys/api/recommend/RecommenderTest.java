package dev.recsys.api.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
import dev.recsys.api.loss.LossSpec;
import dev.recsys.api.model.ForwardTrace;
import dev.recsys.api.model.Weights;
import dev.recsys.api.spi.RecModel;
import dev.recsys.api.spi.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommenderTest {
    /** Stage 1 prefers high ids (score = id); stage 2 prefers even ids (score = -id, +100 if even). */
    static final class Scripted implements RecModel {
        final ModelConfig config = ModelConfig.builder()
                .numItems(10)
                .dim(2)
                .heads(1)
                .layers(0)
                .ffnDim(2)
                .maxLen(3)
                .build();
        SeqBatch lastBatch;

        public ModelConfig config() {
            return config;
        }

        public ItemContent content() {
            return null;
        }

        public float[] scoreAll(SeqBatch b) {
            lastBatch = b;
            float[] s = new float[b.size() * 11];
            for (int r = 0; r < b.size(); r++) {
                for (int i = 0; i <= 10; i++) {
                    s[r * 11 + i] = i;
                }
            }
            return s;
        }

        public float[] scoreCandidates(SeqBatch b, int[] c, int per) {
            float[] s = new float[c.length];
            for (int i = 0; i < c.length; i++) {
                s[i] = -c[i] + (c[i] % 2 == 0 ? 100 : 0);
            }
            return s;
        }

        public float[] userVectors(SeqBatch b) {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public float[] itemVectors() {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public StepResult lossAndGradients(TrainBatch b, LossSpec l, boolean t) {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public Weights weights() {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public void setWeights(Weights w) {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public ForwardTrace trace(SeqBatch b, int[] c, int p) {
            throw new UnsupportedOperationException("the recommender never calls this");
        }

        public void close() {}
    }

    @Test
    void stageOneRetrievesUnseenItemsAndStageTwoReranksThem() {
        Recommender rec = new Recommender(new Scripted(), 4);
        // stage 1 (seen 10 and 8 masked): 9, 7, 6, 5 ; stage 2 puts even first, then smaller ids: 6, 5, 7, 9
        List<Recommendation> top = rec.recommend(new int[] {10, 3, 8}, 3);
        assertThat(top).extracting(Recommendation::item).containsExactly(6, 5, 7);
        assertThat(top.get(0).score()).isEqualTo(94f);
        assertThat(top.get(0).retrievalScore()).isEqualTo(6f);
    }

    @Test
    void stageOneOnlyWhenRerankIsZeroAndSeenItemsCanBeKept() {
        Recommender rec = new Recommender(new Scripted(), 0);
        assertThat(rec.recommend(new int[] {10}, null, 2, false))
                .extracting(Recommendation::item)
                .containsExactly(10, 9);
        assertThat(rec.recommend(new int[] {10}, 2))
                .extracting(Recommendation::item)
                .containsExactly(9, 8);
    }

    @Test
    void longHistoriesKeepTheirLastMaxLenItemsLeftPadded() {
        Scripted m = new Scripted();
        Recommender rec = new Recommender(m, 0);
        rec.recommendBatch(new int[][] {{1, 2, 3, 4, 5}, {7}}, null, 1, true);
        assertThat(m.lastBatch.items()).containsExactly(3, 4, 5, 0, 0, 7);
    }

    @Test
    void emptyHistoryAndUnknownItemsAreClearErrors() {
        Recommender rec = new Recommender(new Scripted(), 0);
        assertThatThrownBy(() -> rec.recommend(new int[0], 3))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> rec.recommend(new int[] {11}, 3))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("item id 11")
                .hasMessageContaining("1..10");
    }
}
