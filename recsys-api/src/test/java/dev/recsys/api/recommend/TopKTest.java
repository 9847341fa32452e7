package dev.recsys.api.recommend;

import static org.assertj.core.api.Assertions.assertThat;

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
        int[] expected = Arrays.stream(idx).limit(37).mapToInt(Integer::intValue).toArray();
        assertThat(TopK.select(s, 0, s.length, 37, null)).containsExactly(expected);
    }
}
