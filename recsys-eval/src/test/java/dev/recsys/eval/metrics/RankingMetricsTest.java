package dev.recsys.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RankingMetricsTest {
    private static final double LOG2_3 = Math.log(3) / Math.log(2);

    @Test
    void singleTargetValuesMatchTheTextbookFormulas() {
        assertThat(RankingMetrics.ndcg(1, 10)).isEqualTo(1.0);
        assertThat(RankingMetrics.ndcg(2, 10)).isCloseTo(1 / LOG2_3, within(1e-12));
        assertThat(RankingMetrics.ndcg(3, 10)).isCloseTo(0.5, within(1e-12));
        assertThat(RankingMetrics.ndcg(11, 10)).isZero();
        assertThat(RankingMetrics.hit(10, 10)).isEqualTo(1.0);
        assertThat(RankingMetrics.hit(11, 10)).isZero();
        assertThat(RankingMetrics.precision(4, 10)).isCloseTo(0.1, within(1e-12));
        assertThat(RankingMetrics.reciprocalRank(4)).isEqualTo(0.25);
        assertThat(RankingMetrics.averagePrecision(4, 10)).isEqualTo(0.25);
        assertThat(RankingMetrics.averagePrecision(4, 3)).isZero();
    }

    @Test
    void cutOffLargerThanTheCatalogueCutsNothing() {
        assertThat(RankingMetrics.ndcg(5, 1000)).isCloseTo(1 / (Math.log(6) / Math.log(2)), within(1e-12));
        assertThat(RankingMetrics.recall(new int[] {5}, 1000)).isEqualTo(1.0);
        assertThat(RankingMetrics.precision(new int[] {5}, 1000)).isEqualTo(0.001);
    }

    @Test
    void multipleRelevantItemsUseTheIdealDcgAndMinRk() {
        int[] ranks = {3, 1};
        // DCG@2 = 1, IDCG@2 = 1 + 1/log2(3)
        assertThat(RankingMetrics.ndcg(ranks, 2)).isCloseTo(1 / (1 + 1 / LOG2_3), within(1e-12));
        // DCG@3 = 1 + 0.5, IDCG@3 = 1 + 1/log2(3)
        assertThat(RankingMetrics.ndcg(ranks, 3)).isCloseTo(1.5 / (1 + 1 / LOG2_3), within(1e-12));
        assertThat(RankingMetrics.recall(ranks, 2)).isEqualTo(0.5);
        assertThat(RankingMetrics.hitRate(ranks, 2)).isEqualTo(1.0);
        assertThat(RankingMetrics.precision(ranks, 2)).isEqualTo(0.5);
        assertThat(RankingMetrics.reciprocalRank(ranks)).isEqualTo(1.0);
        // AP@2 = (1/1) / min(2, 2); AP@3 = (1/1 + 2/3) / 2
        assertThat(RankingMetrics.averagePrecision(ranks, 2)).isCloseTo(0.5, within(1e-12));
        assertThat(RankingMetrics.averagePrecision(ranks, 3)).isCloseTo((1 + 2.0 / 3) / 2, within(1e-12));
        assertThat(RankingMetrics.averagePrecision(ranks, 1)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void singleAndMultiFormsAgreeForOneRelevantItem() {
        for (int r = 1; r <= 30; r++) {
            for (int k : new int[] {1, 5, 10, 50}) {
                assertThat(RankingMetrics.ndcg(new int[] {r}, k)).isCloseTo(RankingMetrics.ndcg(r, k), within(1e-12));
                assertThat(RankingMetrics.averagePrecision(new int[] {r}, k))
                        .isCloseTo(RankingMetrics.averagePrecision(r, k), within(1e-12));
                assertThat(RankingMetrics.precision(new int[] {r}, k))
                        .isCloseTo(RankingMetrics.precision(r, k), within(1e-12));
            }
        }
    }

    @Test
    void ranksMustBeOneBasedAndPresent() {
        assertThatThrownBy(() -> RankingMetrics.ndcg(new int[0], 10)).hasMessageContaining("found none");
        assertThatThrownBy(() -> RankingMetrics.recall(new int[] {0}, 10)).hasMessageContaining("found 0");
    }
}
