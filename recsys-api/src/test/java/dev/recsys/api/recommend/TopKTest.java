package dev.recsys.api.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void selectsTheLargestInOrderWithTiesToTheSmallerIndex() {
        float[] s = {0.5f, 2f, 2f, -1f, 7f, Float.NaN, 2f};
        assertThat(TopK.select(s, 0, s.length, 3, null)).containsExactly(4, 1, 2);
    }

    @Test
    void respectsTheMaskAndTheRange() {
        float[] s = {9f, 1f, 5f, 3f, 4f};
        boolean[] mask = {false, false, true, false};
        // range offsets 0..3 hold 1f, 5f, 3f (masked), 4f
        assertThat(TopK.select(s, 1, 5, 10, mask)).containsExactly(1, 3, 0);
    }

    @Test
    void agreesWithAFullSortOnRandomData() {
        Random r = new Random(5);
        float[] s = new float[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextInt(50);
        }
        Integer[] idx = new Integer[s.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> s[a] != s[b] ? Float.compare(s[b], s[a]) : Integer.compare(a, b));
        int[] expected =
                Arrays.stream(idx).limit(37).mapToInt(Integer::intValue).toArray();
        assertThat(TopK.select(s, 0, s.length, 37, null)).containsExactly(expected);
    }

    @Test
    void aSelectorOrdersNaNBelowEveryNumberAndKeepsNegativeInfinity() {
        TopK.Selector sel = new TopK.Selector(5);
        sel.offer(Float.NaN, 9);
        sel.offer(Float.NEGATIVE_INFINITY, 4);
        sel.offer(Float.NaN, 2);
        sel.offer(3f, 7);
        sel.offer(3f, 1);
        sel.offer(Float.NaN, 5);
        int[] out = new int[5];
        assertThat(sel.drainTo(out)).isEqualTo(5);
        // 3 (id 1), 3 (id 7), -inf, then the NaNs by smaller id: 2, 5 (9 is dropped)
        assertThat(out).containsExactly(1, 7, 4, 2, 5);
        assertThat(sel.size()).isZero();
    }

    @Test
    void aSelectorIsReusableAndAgreesWithAFullSort() {
        Random r = new Random(11);
        TopK.Selector sel = new TopK.Selector(23);
        int[] out = new int[23];
        for (int round = 0; round < 5; round++) {
            int n = 10 + r.nextInt(200);
            float[] s = new float[n];
            Integer[] ids = new Integer[n];
            for (int i = 0; i < n; i++) {
                int x = r.nextInt(30);
                s[i] = x == 0 ? Float.NaN : x == 1 ? Float.NEGATIVE_INFINITY : x;
                ids[i] = i;
            }
            java.util.Collections.shuffle(Arrays.asList(ids), r); // offered in any order
            for (int i : ids) {
                sel.offer(s[i], i);
            }
            Arrays.sort(
                    ids,
                    (a, b) -> Float.isNaN(s[a]) != Float.isNaN(s[b])
                            ? (Float.isNaN(s[a]) ? 1 : -1)
                            : s[a] != s[b] && !Float.isNaN(s[a]) ? Float.compare(s[b], s[a]) : Integer.compare(a, b));
            int m = Math.min(23, n);
            int[] expected =
                    Arrays.stream(ids).limit(m).mapToInt(Integer::intValue).toArray();
            assertThat(sel.drainTo(out)).isEqualTo(m);
            assertThat(Arrays.copyOf(out, m)).as("round %d", round).containsExactly(expected);
        }
    }

    @Test
    void aSelectorOfCapacityZeroKeepsNothing() {
        TopK.Selector sel = new TopK.Selector(0);
        sel.offer(1f, 1);
        assertThat(sel.size()).isZero();
        assertThat(sel.drainTo(new int[0])).isZero();
        assertThatThrownBy(() -> new TopK.Selector(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found -1");
    }
}
