package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeBufferTest {
    @Test
    void viewsAreMadeOncePerShapeAndReadWhatWasWritten() {
        try (NativeBuffer b = new NativeBuffer()) {
            b.ensure(6).write(new float[] {1, 2, 3, 4, 5, 6}, 6);
            INDArray v = b.view(2, 3);
            assertThat(b.view(2, 3)).isSameAs(v);
            assertThat(v.shape()).containsExactly(2, 3);
            assertThat(v.getFloat(1, 0)).isEqualTo(4f);
            assertThat(b.view(3, 2).getFloat(2, 1)).isEqualTo(6f);
            b.ensure(4); // fits: the same buffer, values and views kept
            assertThat(b.view(2, 3)).isSameAs(v);
            float[] back = new float[6];
            b.read(back, 6);
            assertThat(back).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void growingDropsTheOldViews() {
        try (NativeBuffer b = new NativeBuffer()) {
            INDArray v = b.ensure(4).view(2, 2);
            b.ensure(9).write(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 9);
            INDArray w = b.view(2, 2);
            assertThat(w).isNotSameAs(v);
            assertThat(Nd4j.toFlattened(w).toFloatVector()).containsExactly(1, 2, 3, 4);
            assertThat(b.view(3, 3).getFloat(2, 2)).isEqualTo(9f);
        }
    }

    @Test
    void aViewLargerThanTheBufferIsRefused() {
        try (NativeBuffer b = new NativeBuffer()) {
            b.ensure(4);
            assertThatThrownBy(() -> b.view(3, 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("[3, 2]")
                    .hasMessageContaining("4 floats");
        }
    }
}
