package dev.recsys.backend.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The bulk copies agree element by element with ND4J's own accessors, views and short writes included. */
class Arrays2Test {
    static {
        Nd4jRuntime.load(dev.recsys.api.spi.BackendOptions.defaults());
    }

    @Test
    void writesAndReadsEveryElementInRowMajorOrder() {
        INDArray a = Nd4j.create(DataType.FLOAT, 3, 4);
        float[] v = new float[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 2f;
        }
        Arrays2.write(a, v);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                assertThat(a.getFloat(r, c)).isEqualTo(v[r * 4 + c]);
            }
        }
        assertThat(Arrays2.toFloats(a)).containsExactly(v);
    }

    @Test
    void aShortWriteKeepsTheRestAndALongOneIsRefused() {
        INDArray a = Nd4j.valueArrayOf(new long[] {5}, 7f, DataType.FLOAT);
        Arrays2.write(a, new float[] {1f, 2f});
        assertThat(Arrays2.toFloats(a)).containsExactly(1f, 2f, 7f, 7f, 7f);
        assertThatThrownBy(() -> Arrays2.write(a, new float[6]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 values do not fit an array of 5 elements");
    }

    @Test
    void viewsAndOtherOrdersAreReadInRowMajorOrder() {
        INDArray a = Nd4j.arange(0, 24).castTo(DataType.FLOAT).reshape(4, 6);
        INDArray rows = a.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertThat(Arrays2.toFloats(rows)).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
        assertThat(Arrays2.toFloats(a.transpose()))
                .containsExactly(0, 6, 12, 18, 1, 7, 13, 19, 2, 8, 14, 20, 3, 9, 15, 21, 4, 10, 16, 22, 5, 11, 17, 23);
        assertThat(Arrays2.toFloats(a.dup('f'))).containsExactly(Arrays2.toFloats(a));
    }
}
