package dev.recsys.eval.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.DataException;
import dev.recsys.eval.data.Dataset;
import dev.recsys.eval.data.DatasetBuilder;
import dev.recsys.eval.metrics.EvalResult;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColdItemsTest {
    /** Users in order, each user's items in order, one time step each. */
    private static Dataset data(int[][] seqs, boolean timestamps) {
        DatasetBuilder b = DatasetBuilder.numeric(false, timestamps);
        int maxItem = Arrays.stream(seqs).flatMapToInt(Arrays::stream).max().orElse(0);
        for (int i = 1; i <= maxItem; i++) {
            b.itemIds().add(i);
        }
        long t = 0;
        for (int u = 0; u < seqs.length; u++) {
            int du = b.userIds().add(u + 1);
            for (int item : seqs[u]) {
                b.add(du, b.itemIds().get(item), 0f, t++, 0);
            }
        }
        return b.build("toy", null);
    }

    static final int[][] SEQS = {{1, 2, 3, 4, 5}, {2, 3, 6, 1}, {5, 6, 2, 3}, {4, 1, 6, 2}};

    @Test
    void aRandomFractionIsSeededAndOfTheRightSize() {
        ColdItems a = ColdItems.random(1000, 0.1, 1);
        assertThat(a.items()).hasSize(100).isSorted().doesNotHaveDuplicates();
        assertThat(ColdItems.random(1000, 0.1, 1)).isEqualTo(a);
        assertThat(ColdItems.random(1000, 0.1, 2).items()).isNotEqualTo(a.items());
        assertThat(a.fingerprint())
                .isEqualTo(ColdItems.random(1000, 0.1, 1).fingerprint())
                .isNotEqualTo(ColdItems.random(1000, 0.1, 2).fingerprint());
        assertThat(ColdItems.random(5, 0.01, 1).items()).hasSize(1); // at least one
    }

    @Test
    void newestTakesTheItemsWhoseFirstInteractionIsLatest() {
        Dataset d = data(SEQS, true);
        ColdItems c = ColdItems.newest(d, 0.34); // round(0.34 * 6) = 2: items 6 and 5 appear last
        assertThat(c.items()).containsExactly(5, 6);
        assertThat(c.rule()).isEqualTo("newest:0.34");
    }

    @Test
    void badSpecsAreOneLineErrors() {
        Dataset d = data(SEQS, false);
        assertThatThrownBy(() -> ColdItems.parse("0", d, 1))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> ColdItems.parse("1.0", d, 1)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> ColdItems.parse("ten", d, 1)).hasMessageContaining("expected a fraction");
        assertThatThrownBy(() -> ColdItems.parse("newest:0.1", d, 1)).hasMessageContaining("has no timestamps");
        assertThatThrownBy(() -> ColdItems.parse("oldest:0.1", d, 1)).hasMessageContaining("unknown rule");
        assertThat(ColdItems.parse("random:0.5", d, 7)).isEqualTo(ColdItems.random(6, 0.5, 7));
        assertThat(ColdItems.parse("0.5", d, 7)).isEqualTo(ColdItems.random(6, 0.5, 7));
    }

    @Test
    void coldItemsAreOnlyEverTargets() {
        Dataset d = data(SEQS, true);
        Split s = LeaveOneOut.split(d);
        ColdItems cold = new ColdItems(6, new int[] {3}, "test", 0);
        ColdStartSplit cs = cold.apply(s);
        for (int u = 1; u <= s.numUsers(); u++) {
            assertThat(cs.validation().train()[u]).doesNotContain(3);
            assertThat(cs.validation().history(u, Target.VALIDATION)).doesNotContain(3);
            assertThat(cs.test().history(u, Target.TEST)).doesNotContain(3);
        }
        // user 1: 1 2 3 | 4 | 5 -> train 1 2; user 2: 2 3 | 6 | 1 -> train 2; user 3: 5 6 | 2 | 3 -> cold test target
        assertThat(cs.test().train()[1]).containsExactly(1, 2);
        assertThat(cs.test().train()[2]).containsExactly(2);
        assertThat(cs.test().target(3, Target.TEST)).isEqualTo(3);
        // user 4: 4 1 | 6 | 2; now make 6 cold too: its validation target stays, and the test history drops it
        ColdStartSplit cs2 = new ColdItems(6, new int[] {3, 6}, "test", 0).apply(s);
        assertThat(cs2.validation().target(4, Target.VALIDATION)).isEqualTo(6);
        assertThat(cs2.test().history(4, Target.TEST)).containsExactly(4, 1);
        assertThat(cs2.forTarget(Target.TEST)).isSameAs(cs2.test());
    }

    @Test
    void groupedResultsSplitUsersByWhetherTheirTargetIsCold() {
        Dataset d = data(SEQS, true);
        ColdItems cold = new ColdItems(6, new int[] {3}, "test", 0);
        Split test = cold.apply(LeaveOneOut.split(d)).test();
        // test targets: user 1 -> 5, 2 -> 1, 3 -> 3 (cold), 4 -> 2
        Map<String, double[]> per = new LinkedHashMap<>();
        per.put("ndcg@10", new double[] {0.5, 0.25, 0.1, 1.0});
        Map<String, Double> means = new LinkedHashMap<>();
        means.put("ndcg@10", 0.4625);
        means.put("coverage@10", 0.5);
        EvalResult all = new EvalResult(
                "toy", "loo", "TEST", "full", new int[] {10}, means, new int[] {1, 2, 3, 4}, per, 0, 1.0);
        GroupedResult g = GroupedResult.of(all, test, Target.TEST, cold);
        assertThat(g.cold().users()).containsExactly(3);
        assertThat(g.cold().metric("ndcg@10")).isEqualTo(0.1);
        assertThat(g.warm().users()).containsExactly(1, 2, 4);
        assertThat(g.warm().metric("ndcg@10")).isEqualTo((0.5 + 0.25 + 1.0) / 3);
        assertThat(g.warm().metrics()).doesNotContainKey("coverage@10");
        assertThat(g.group("all")).isSameAs(all);
        assertThatThrownBy(() -> GroupedResult.of(all, test, Target.VALIDATION, cold))
                .hasMessageContaining("not VALIDATION");
    }

    @Test
    void coldIdRowsAreZeroedAndNothingElse() {
        dev.recsys.api.model.Weights w = new dev.recsys.api.model.Weights();
        float[] table = new float[5 * 2];
        java.util.Arrays.fill(table, 0.5f);
        w.put(dev.recsys.api.model.ParamLayout.ITEM_EMBEDDING, new int[] {5, 2}, table);
        w.put("other.weight", new int[] {2}, new float[] {1f, 2f});
        ColdItems cold = new ColdItems(4, new int[] {2, 4}, "test", 0);
        assertThat(cold.zeroIdRows(w)).isTrue();
        assertThat(w.data(dev.recsys.api.model.ParamLayout.ITEM_EMBEDDING))
                .containsExactly(0.5f, 0.5f, 0.5f, 0.5f, 0f, 0f, 0.5f, 0.5f, 0f, 0f);
        assertThat(w.data("other.weight")).containsExactly(1f, 2f);
        assertThat(cold.zeroIdRows(w)).isFalse(); // already zero
        assertThat(cold.zeroIdRows(new dev.recsys.api.model.Weights())).isFalse(); // no item ids
    }
}
