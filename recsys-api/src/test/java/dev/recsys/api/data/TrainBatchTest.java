package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainBatchTest {
    private final SeqBatch in = new SeqBatch(1, 2, new int[] {1, 2}, null);
    private final int[] targets = {2, 3};

    @Test
    void perPositionCandidatesMustCoverEveryPosition() {
        TrainBatch.NextItem n =
                new TrainBatch.NextItem(in, targets, new Negatives.PerPosition(new int[] {2, 4, 3, 1}, 2, null));
        assertThat(((Negatives.PerPosition) n.negatives()).perRow()).isEqualTo(2);
        assertThatThrownBy(() -> new TrainBatch.NextItem(
                        in, targets, new Negatives.PerPosition(new int[] {2, 4, 3, 1, 5, 6}, 2, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positions*perRow = 2*2 ids, found 6");
        assertThatThrownBy(() -> new Negatives.PerPosition(new int[] {2, 4}, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("C >= 2");
        assertThatThrownBy(() -> new Negatives.PerPosition(new int[] {2, 4}, 2, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 2, found 3");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Negatives.None");
    }

    @Test
    void sharedNegativesTakeTheTargetsLogQPerPosition() {
        Negatives.SharedByBatch s =
                new Negatives.SharedByBatch(new int[] {3, 4, 5}, new float[] {-1f, -2f}, new float[] {-3f, -4f, -5f});
        TrainBatch.NextItem n = new TrainBatch.NextItem(in, targets, s);
        assertThat(((Negatives.Shared) n.negatives()).ids()).containsExactly(3, 4, 5);
        assertThat(s.k()).isEqualTo(3);
    }

    @Test
    void sharedNegativesRefuseInconsistentComponents() {
        assertThatThrownBy(() -> new Negatives.SharedByBatch(new int[0], null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1 id");
        assertThatThrownBy(() -> new TrainBatch.NextItem(
                        in, targets, new Negatives.SharedByBatch(new int[] {4}, new float[3], new float[1])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 2 values, found 3");
        assertThatThrownBy(() -> new Negatives.SharedByBatch(new int[] {4}, new float[2], new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 1, found 2");
        assertThatThrownBy(() -> new Negatives.SharedByBatch(new int[] {4}, new float[2], null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both set or both null");
    }

    @Test
    void negativesSharedByRowAreFoundByPosition() {
        SeqBatch two = new SeqBatch(2, 2, new int[] {1, 2, 3, 4}, null);
        Negatives.SharedByRow byRow = new Negatives.SharedByRow(new int[] {6, 7, 8, 9, 1, 2}, 3, null, null);
        new TrainBatch.NextItem(two, new int[] {2, 3, 4, 5}, byRow);
        assertThat(byRow.k()).isEqualTo(3);
        assertThat(byRow.offset(0, 2)).isZero();
        assertThat(byRow.offset(1, 2)).isZero();
        assertThat(byRow.offset(2, 2)).isEqualTo(3);
        assertThat(byRow.offset(3, 2)).isEqualTo(3);
        Negatives.SharedByBatch batchWide = new Negatives.SharedByBatch(new int[] {6, 7}, null, null);
        assertThat(batchWide.k()).isEqualTo(2);
        assertThat(batchWide.offset(3, 2)).isZero();
        assertThatThrownBy(() -> new Negatives.SharedByRow(new int[] {6, 7, 8}, 2, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("K >= 1 ids per row");
        assertThatThrownBy(() -> new TrainBatch.NextItem(
                        two, new int[] {2, 3, 4, 5}, new Negatives.SharedByRow(new int[] {6, 7, 8}, 3, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("B = 2, K = 3), found 3 ids");
    }
}
