package dev.recsys.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.recsys.api.data.ItemContent;
import org.junit.jupiter.api.Test;

class ContentKnnTest {
    // tokens 3 = "genre:drama", 4 = "year:1995", 5 = "heat", 6 = "toy"; 1 = marker, 0 = pad, 2 = unknown
    static final ItemContent CONTENT = ItemContent.of(4, 4, new int[][] {
        null,
        {1, 3, 4, 0}, // item 1: drama, 1995
        {1, 3, 5, 2}, // item 2: drama, heat, [UNK] (left out)
        {1, 6, 0, 0}, // item 3: toy
        {1, 0, 0, 0}, // item 4: no content
    });

    private static float[] score(ContentKnn knn, int... history) {
        float[] out = new float[5];
        java.util.Arrays.fill(out, 9f);
        knn.score(new int[] {1}, new int[][] {history}, out);
        return out;
    }

    @Test
    void scoresAreCosinesOfTfIdfVectors() {
        ContentKnn knn = ContentKnn.fit(CONTENT);
        // idf = ln((1 + 4) / (1 + df)) + 1: drama df 2, 1995/heat/toy df 1
        double drama = Math.log(5.0 / 3.0) + 1;
        double once = Math.log(5.0 / 2.0) + 1;
        double unit = Math.sqrt(drama * drama + once * once); // items 1 and 2 have one drama and one df-1 token
        float[] s = score(knn, 2);
        assertThat(s[2]).isCloseTo(1f, within(1e-6f)); // the history item itself
        assertThat(s[1]).isCloseTo((float) (drama * drama / (unit * unit)), within(1e-6f)); // shares "drama" only
        assertThat(s[3]).isZero(); // nothing in common
        assertThat(s[4]).isZero(); // no content at all
        assertThat(s[0]).isZero();
    }

    @Test
    void theProfileIsTheMeanOfTheHistorysUnitVectors() {
        ContentKnn knn = ContentKnn.fit(CONTENT);
        float[] s = score(knn, 1, 3);
        // profile = (v1 + v3) / 2; cosine with v3 = (v1.v3 + 1) / |v1 + v3| = 1 / sqrt(2)
        assertThat(s[3]).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-6f));
        assertThat(s[1]).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-6f));
        // a history of items without content scores nothing
        float[] none = score(knn, 4);
        for (int i = 0; i <= 4; i++) {
            assertThat(none[i]).isZero();
        }
    }
}
