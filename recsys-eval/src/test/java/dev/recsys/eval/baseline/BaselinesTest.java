package dev.recsys.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BaselinesTest {
    /** 4 items; sequences: [1 2 3], [1 2 4], [2 3], [4 1 2]. */
    private static final int[][] SEQ = {new int[0], {1, 2, 3}, {1, 2, 4}, {2, 3}, {4, 1, 2}};

    private static float[] scores(dev.recsys.eval.protocol.BatchScorer s, int[] history) {
        float[] out = new float[5];
        s.score(new int[] {1}, new int[][] {history}, out);
        return out;
    }

    @Test
    void mostPopularScoresAreTrainingCounts() {
        assertThat(scores(MostPopular.fit(4, SEQ), new int[] {1})).containsExactly(0f, 3f, 4f, 2f, 2f);
    }

    @Test
    void markovCountsLastItemTransitionsWithAPopularityBackOff() {
        Markov m = Markov.fit(4, SEQ);
        assertThat(m.transitions(1, 2)).isEqualTo(3);
        assertThat(m.transitions(2, 3)).isEqualTo(2);
        assertThat(m.transitions(2, 4)).isEqualTo(1);
        assertThat(m.transitions(3, 1)).isZero();
        // last item 2: transitions 2->3 twice, 2->4 once; back-off count/(max 4 + 1)
        float[] s = scores(m, new int[] {4, 2});
        assertThat(s[3]).isCloseTo(2 + 2 / 5f, within(1e-6f));
        assertThat(s[4]).isCloseTo(1 + 2 / 5f, within(1e-6f));
        assertThat(s[1]).isCloseTo(3 / 5f, within(1e-6f));
        // empty history: popularity order only
        assertThat(scores(m, new int[0])).containsExactly(0f, 3 / 5f, 4 / 5f, 2 / 5f, 2 / 5f);
    }

    @Test
    void itemKnnUsesCosineOfUserSets() {
        ItemKnn k = ItemKnn.fit(4, SEQ, 10);
        // users with 1: {1,2,4}; with 2: {1,2,3,4}; with 3: {1,3}; with 4: {2,4}
        // co(1,2) = 3 -> 3 / sqrt(3*4); co(1,3) = 1 -> 1/sqrt(6); co(2,4) = 2 -> 2/sqrt(8)
        assertThat(k.similarity(1, 2)).isCloseTo((float) (3 / Math.sqrt(12)), within(1e-6f));
        assertThat(k.similarity(1, 3)).isCloseTo((float) (1 / Math.sqrt(6)), within(1e-6f));
        assertThat(k.similarity(2, 4)).isCloseTo((float) (2 / Math.sqrt(8)), within(1e-6f));
        assertThat(k.similarity(3, 4)).isZero();
        // history [1, 3, 1] (1 counted once): score(2) = sim(1,2) + sim(3,2)
        float[] s = scores(k, new int[] {1, 3, 1});
        assertThat(s[2]).isCloseTo(k.similarity(1, 2) + k.similarity(3, 2), within(1e-6f));
        assertThat(s[4]).isCloseTo(k.similarity(1, 4), within(1e-6f));
    }

    @Test
    void itemKnnKeepsOnlyTheNearestNeighbours() {
        ItemKnn k = ItemKnn.fit(4, SEQ, 1);
        // neighbours of 1: sim to 2 = 0.866, to 4 = 2/sqrt(6) = 0.816, to 3 = 0.408 -> keeps 2 only
        assertThat(k.similarity(1, 2)).isGreaterThan(0f);
        assertThat(k.similarity(1, 4)).isZero();
    }

    @Test
    void randomScoresAreSeededAndIndependentOfBatching() {
        RandomScorer r = new RandomScorer(50, 3);
        float[] one = new float[51];
        r.score(new int[] {7}, new int[][] {{}}, one);
        float[] two = new float[102];
        r.score(new int[] {2, 7}, new int[][] {{}, {}}, two);
        assertThat(java.util.Arrays.copyOfRange(two, 51, 102)).containsExactly(one);
        assertThat(java.util.Arrays.copyOfRange(two, 0, 51)).isNotEqualTo(one);
        for (float v : two) {
            assertThat(v).isBetween(0f, 1f);
        }
        float[] other = new float[51];
        new RandomScorer(50, 4).score(new int[] {7}, new int[][] {{}}, other);
        assertThat(other).isNotEqualTo(one);
    }
}
