package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.data.SeqBatch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The split of a training batch's rows into groups of similar length (the cost model and its DP). */
class RowGroupsTest {

    @Test
    void noOverheadGivesAGroupPerLengthAndSkipsRowsWithoutTargets() {
        RowGroups g = RowGroups.split(new int[] {6, 0, 4, 2, 6}, 0);
        assertThat(g.count()).isEqualTo(3);
        assertThat(g.rows(0)).containsExactly(0, 4);
        assertThat(g.length(0)).isEqualTo(6);
        assertThat(g.rows(1)).containsExactly(2);
        assertThat(g.length(1)).isEqualTo(4);
        assertThat(g.rows(2)).containsExactly(3);
        assertThat(g.length(2)).isEqualTo(2);
    }

    @Test
    void infiniteOverheadGivesOneGroupAtTheLongestLength() {
        RowGroups g = RowGroups.split(new int[] {3, 7, 0, 5}, Double.POSITIVE_INFINITY);
        assertThat(g.count()).isEqualTo(1);
        assertThat(g.rows(0)).containsExactly(0, 1, 3);
        assertThat(g.length(0)).isEqualTo(7);
    }

    @Test
    void theDefaultSplitsLongAndShortRowsOfARealisticBatchButNotNearlyEqualOnes() {
        int[] mixed = new int[128];
        for (int i = 0; i < mixed.length; i++) {
            mixed[i] = i % 2 == 0 ? 200 : 30;
        }
        RowGroups g = RowGroups.split(mixed, RowGroups.DEFAULT_OVERHEAD);
        assertThat(g.count()).isEqualTo(2);
        assertThat(g.length(0)).isEqualTo(200);
        assertThat(g.rows(0)).hasSize(64);
        assertThat(g.length(1)).isEqualTo(30);
        int[] close = new int[128];
        Arrays.fill(close, 200);
        close[5] = 199;
        assertThat(RowGroups.split(close, RowGroups.DEFAULT_OVERHEAD).count()).isEqualTo(1);
    }

    @Test
    void negativeLengthsAreRefused() {
        assertThatThrownBy(() -> RowGroups.split(new int[] {2, -1}, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found -1");
    }

    @Test
    void encodedLengthsStartAtTheFirstItemOrTargetOfRowsWithACountedPosition() {
        // rows of length 5, left-padded; row 1 has its first target before its first item (column 1)
        SeqBatch in = new SeqBatch(3, 5, new int[] {0, 0, 4, 5, 6, 0, 0, 0, 7, 8, 0, 0, 0, 0, 9}, null);
        int[] targets = {0, 0, 5, 6, 1, 0, 3, 0, 8, 2, 0, 0, 0, 0, 4};
        assertThat(RowGroups.encodedLengths(in, targets, new int[] {2, 3, 6, 9}))
                .containsExactly(3, 4, 0);
        assertThat(RowGroups.encodedLengths(in, targets, new int[] {14})).containsExactly(0, 0, 1);
    }
}
