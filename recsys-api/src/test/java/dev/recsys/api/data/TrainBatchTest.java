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
}
