package dev.recsys.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainBatchTest {
    private final SeqBatch in = new SeqBatch(1, 2, new int[] {1, 2}, null);
    private final int[] targets = {2, 3};

    @Test
    void theFiveArgumentConstructorSharesNothing() {
        TrainBatch.NextItem n = new TrainBatch.NextItem(in, targets, new int[] {2, 4, 3, 1}, 2, null);
        assertThat(n.sharesNegatives()).isFalse();
        assertThat(n.shared()).isNull();
        assertThat(n.sharedLogQ()).isNull();
    }

    @Test
    void sharedNegativesTakeTheTargetsLogQPerPosition() {
        TrainBatch.NextItem n = new TrainBatch.NextItem(in, targets, null, 0, new float[] {-1f, -2f}, new int[] {3, 4, 5},
                new float[] {-3f, -4f, -5f});
        assertThat(n.sharesNegatives()).isTrue();
        assertThat(n.shared()).containsExactly(3, 4, 5);
    }

    @Test
    void sharedNegativesRefuseInconsistentComponents() {
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, new int[] {2, 4, 3, 1}, 2, null, new int[] {4}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("candidates = null and perRow = 0");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null, 0, null, new int[0], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1 id");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null, 0, new float[3], new int[] {4}, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 2 values, found 3");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null, 0, new float[2], new int[] {4}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1, found 2");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null, 0, new float[2], new int[] {4}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both set or both null");
        assertThatThrownBy(() -> new TrainBatch.NextItem(in, targets, null, 0, null, null, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs shared negatives");
    }

    @Test
    void negativesSharedByRowAreFoundByPosition() {
        SeqBatch two = new SeqBatch(2, 2, new int[] {1, 2, 3, 4}, null);
        TrainBatch.NextItem n = new TrainBatch.NextItem(two, new int[] {2, 3, 4, 5}, null, 0, null, new int[] {6, 7, 8, 9, 1, 2},
                null, true);
        assertThat(n.sharedK()).isEqualTo(3);
        assertThat(n.sharedOffset(0)).isZero();
        assertThat(n.sharedOffset(1)).isZero();
        assertThat(n.sharedOffset(2)).isEqualTo(3);
        assertThat(n.sharedOffset(3)).isEqualTo(3);
        TrainBatch.NextItem batchWide = new TrainBatch.NextItem(two, new int[] {2, 3, 4, 5}, null, 0, null, new int[] {6, 7}, null);
        assertThat(batchWide.sharedK()).isEqualTo(2);
        assertThat(batchWide.sharedOffset(3)).isZero();
        assertThatThrownBy(() -> new TrainBatch.NextItem(two, new int[] {2, 3, 4, 5}, null, 0, null, new int[] {6, 7, 8}, null, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multiple of 2");
        assertThatThrownBy(() -> new TrainBatch.NextItem(two, new int[] {2, 3, 4, 5}, null, 0, null, null, null, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sharedByRow needs shared negatives");
    }
}
