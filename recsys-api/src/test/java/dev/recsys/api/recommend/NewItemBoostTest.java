package dev.recsys.api.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.DataException;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewItemBoostTest {
    private static ModelConfig config(int contentVocab, boolean itemIds) {
        return ModelConfig.builder()
                .numItems(4)
                .dim(2)
                .heads(1)
                .layers(0)
                .ffnDim(2)
                .maxLen(3)
                .content(contentVocab, contentVocab == 0 ? 0 : 3, contentVocab == 0 ? 0 : 1)
                .itemIds(itemIds)
                .build();
    }

    @Test
    void newItemsAreThoseWithAZeroIdRow() {
        // rows 0..4 of a [5, 2] table: padding, trained, zero (new), one zero entry (trained), zero (new)
        Weights w = new Weights()
                .put(ParamLayout.ITEM_EMBEDDING, new int[] {5, 2}, new float[] {0, 0, 1, 2, 0, 0, 0, 3, 0, 0});
        NewItemBoost b = NewItemBoost.of(config(10, true), w, 1.5f);
        assertThat(b.isNew()).containsExactly(false, false, true, false, true);
        assertThat(b.deviations()).isEqualTo(1.5f);
    }

    @Test
    void refusedForModelsWithoutContentOrWithoutIds() {
        Weights w = new Weights().put(ParamLayout.ITEM_EMBEDDING, new int[] {5, 2}, new float[10]);
        assertThatThrownBy(() -> NewItemBoost.of(config(0, true), w, 1f))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("needs a model with item content and item ids")
                .hasMessageContaining("no content");
        assertThatThrownBy(() -> NewItemBoost.of(config(10, false), w, 1f))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no item ids");
        assertThatThrownBy(() -> new NewItemBoost(new boolean[5], Float.NaN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("finite");
    }

    @Test
    void stageOneAddsDeviationsTimesTheTrainedItemsStandardDeviation() {
        boolean[] isNew = {false, false, true, false, true};
        NewItemBoost b = new NewItemBoost(isNew, 2f);
        // row 0: trained items 1 and 3 score 1 and 3 (population sd 1); row 1: 5 and 5 (sd 0)
        float[] s = {9, 1, 0.5f, 3, -1, 9, 5, 7, 5, 8};
        float[] off = b.stageOne(s, 2);
        assertThat(off[0]).isCloseTo(2f, within(1e-6f));
        assertThat(off[1]).isZero();
        assertThat(s).containsExactly(9, 1, 2.5f, 3, 1, 9, 5, 7, 5, 8);

        float[] s2 = {10, 20, 30, 40};
        b.stageTwo(s2, new int[] {2, 3, 4, 1}, 2, new float[] {0.5f, 7f});
        assertThat(s2).containsExactly(10.5f, 20, 37, 40);
    }

    @Test
    void zeroBoostOrNoNewItemsChangesNothing() {
        float[] s = {0, 1, 2, 3, 4};
        assertThat(new NewItemBoost(new boolean[] {false, false, true, false, false}, 0f).stageOne(s, 1))
                .containsExactly(0f);
        assertThat(new NewItemBoost(new boolean[5], 3f).stageOne(s, 1)).containsExactly(0f);
        assertThat(s).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void theRecommenderShowsABoostedNewItemInBothStages() {
        RecommenderTest.Scripted m = new RecommenderTest.Scripted();
        boolean[] isNew = new boolean[11];
        isNew[3] = true;
        // stage 1 scores = id (sd of the trained items 1..10 without 3 is about 2.9); 3 + 10 sd > 10
        List<Recommendation> plain = new Recommender(m, 0).recommend(new int[] {1}, 3);
        assertThat(plain).extracting(Recommendation::item).containsExactly(10, 9, 8);
        List<Recommendation> boosted = new Recommender(m, 0, new NewItemBoost(isNew, 10f)).recommend(new int[] {1}, 3);
        assertThat(boosted).extracting(Recommendation::item).containsExactly(3, 10, 9);
        // stage 2 prefers even ids (+100): odd item 3 stays first only because stage 2 is boosted too
        List<Recommendation> two = new Recommender(m, 5, new NewItemBoost(isNew, 50f)).recommend(new int[] {1}, 2);
        assertThat(two).extracting(Recommendation::item).containsExactly(3, 8);
        assertThat(new Recommender(m, 5).recommend(new int[] {1}, 2))
                .extracting(Recommendation::item)
                .containsExactly(6, 8);
        assertThatThrownBy(() -> new Recommender(m, 0, new NewItemBoost(new boolean[4], 1f)))
                .hasMessageContaining("covers 3 items, the model has 10");
    }
}
