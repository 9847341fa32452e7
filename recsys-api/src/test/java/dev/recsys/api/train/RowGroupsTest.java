package dev.recsys.api.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recsys.api.data.Negatives;
import dev.recsys.api.data.SeqBatch;
import dev.recsys.api.data.TrainBatch;
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

    @Test
    void fixedRowGroupsHoldAtMostThatManyRowsRunAsExactlyThatManyAndChargeTheEmptyOnes() {
        int[] length = {6, 0, 4, 2, 6};
        RowGroups two = RowGroups.splitFixedRows(length, 0, 2);
        // lengths 4 and 2 share a group: a group of its own would run an empty row too
        assertThat(two.count()).isEqualTo(2);
        assertThat(two.rows(0)).containsExactly(0, 4);
        assertThat(two.rows(1)).containsExactly(2, 3);
        assertThat(two.paddedRows(0)).isEqualTo(2);
        assertThat(two.paddedRows(1)).isEqualTo(2);
        // three rows a group: the longest three together, the last row alone (still run as 3 rows)
        RowGroups three = RowGroups.splitFixedRows(length, 0, 3);
        assertThat(three.count()).isEqualTo(2);
        assertThat(three.rows(0)).containsExactly(0, 2, 4);
        assertThat(three.length(0)).isEqualTo(6);
        assertThat(three.rows(1)).containsExactly(3);
        assertThat(three.length(1)).isEqualTo(2);
        assertThat(three.paddedRows(1)).isEqualTo(3);
        // never more rows than groupRows, however cheap one group would be
        RowGroups one = RowGroups.splitFixedRows(length, Double.POSITIVE_INFINITY, 3);
        assertThat(one.count()).isEqualTo(2);
        assertThat(RowGroups.split(length, 0).paddedRows(1)).isEqualTo(1);
        assertThatThrownBy(() -> RowGroups.splitFixedRows(length, 0, 0))
                .hasMessageContaining("groupRows must be >= 1, found 0");
    }

    @Test
    void lengthsAreRoundedUpToTheTrainingLengthBucketsAndCapped() {
        assertThat(RowGroups.bucketed(new int[] {0, 1, 25, 26, 199}, 200, 180)).containsExactly(0, 25, 25, 50, 180);
    }

    @Test
    void aGroupsBatchHoldsItsRowsLastColumnsThenEmptyRowsWithValidSharedIds() {
        SeqBatch in = new SeqBatch(3, 4, new int[] {0, 0, 3, 4, 1, 2, 3, 4, 9, 1, 2, 5}, null);
        int[] targets = {0, 0, 4, 6, 2, 3, 4, 7, 1, 2, 5, 8};
        int[] length = RowGroups.encodedLengths(in, targets, new int[] {2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertThat(length).containsExactly(2, 4, 4);
        RowGroups rg = RowGroups.splitFixedRows(length, 0, 2);
        assertThat(rg.count()).isEqualTo(2);
        assertThat(rg.rows(1)).containsExactly(0);
        int[] cand = new int[12 * 2];
        for (int p = 0; p < 12; p++) {
            cand[p * 2] = targets[p];
            cand[p * 2 + 1] = 100 + p;
        }
        TrainBatch.NextItem perPosition =
                rg.batch(new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(cand, 2, null)), 1);
        assertThat(perPosition.input().size()).isEqualTo(2);
        assertThat(perPosition.input().length()).isEqualTo(2);
        assertThat(perPosition.input().items()).containsExactly(3, 4, 0, 0);
        assertThat(perPosition.targets()).containsExactly(4, 6, 0, 0);
        assertThat(((Negatives.PerPosition) perPosition.negatives()).candidates())
                .containsExactly(4, 102, 6, 103, 0, 0, 0, 0);
        Negatives.SharedByRow byRow = new Negatives.SharedByRow(new int[] {10, 11, 20, 21, 30, 31}, 2, null, null);
        TrainBatch.NextItem shared = rg.batch(new TrainBatch.NextItem(in, targets, byRow), 1);
        assertThat(((Negatives.SharedByRow) shared.negatives()).ids()).containsExactly(10, 11, 10, 11);
        TrainBatch.NextItem longest = rg.batch(new TrainBatch.NextItem(in, targets, byRow), 0);
        assertThat(longest.input().items()).containsExactly(1, 2, 3, 4, 9, 1, 2, 5);
        assertThat(((Negatives.SharedByRow) longest.negatives()).ids()).containsExactly(20, 21, 30, 31);
    }
}
