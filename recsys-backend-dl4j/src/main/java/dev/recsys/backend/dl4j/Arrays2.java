package dev.recsys.backend.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Copies between ND4J arrays and Java arrays. */
final class Arrays2 {
    private Arrays2() {}

    /** The values of a in row-major order, as a new Java array. */
    static float[] toFloats(INDArray a) {
        if (!a.isView() && a.ordering() == 'c' && a.data().length() == a.length()) {
            return a.data().asFloat();
        }
        INDArray c = a.dup('c');
        float[] f = c.data().asFloat();
        c.close();
        return f;
    }
}
