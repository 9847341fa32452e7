package dev.recsys.backend.dl4j;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Copies between ND4J arrays and Java arrays, in one native copy each. ND4J's own
 * {@code DataBuffer.setData(float[])} and {@code asFloat()} go element by element through a virtual
 * {@code put}/{@code getFloat} (measured: a fifth of the Java time of a DL4J recommendation, which
 * writes 77,000 floats of candidate content per call).
 */
final class Arrays2 {
    private Arrays2() {}

    /** The values of a in row-major order, as a new Java array. */
    static float[] toFloats(INDArray a) {
        if (!a.isView() && a.ordering() == 'c' && a.data().length() == a.length()) {
            return toFloats(a.data());
        }
        INDArray c = a.dup('c');
        float[] f = toFloats(c.data());
        c.close();
        return f;
    }

    /** Reads the first {@code count} elements of a's buffer (row-major) into {@code into}, allocating nothing. */
    static void read(INDArray a, float[] into, int count) {
        DataBuffer d = a.data();
        if (count > d.length() || count > into.length) {
            throw new IllegalArgumentException(
                    "cannot read " + count + " values of an array of " + d.length() + " elements into " + into.length);
        }
        if (direct(d)) {
            ((FloatPointer) d.addressPointer()).get(into, 0, count);
        } else {
            System.arraycopy(d.asFloat(), 0, into, 0, count);
        }
    }

    private static float[] toFloats(DataBuffer d) {
        if (!direct(d)) {
            return d.asFloat();
        }
        float[] f = new float[Math.toIntExact(d.length())];
        ((FloatPointer) d.addressPointer()).get(f, 0, f.length);
        return f;
    }

    /**
     * Writes values into the first {@code values.length} elements of a's buffer (row-major, as
     * {@code DataBuffer.setData} does).
     */
    static void write(INDArray a, float[] values) {
        write(a, values, values.length);
    }

    /** Writes the first {@code count} values into the first {@code count} elements of a's buffer. */
    static void write(INDArray a, float[] values, int count) {
        DataBuffer d = a.data();
        if (count > d.length() || count > values.length) {
            throw new IllegalArgumentException(count + " of " + values.length + " values do not fit an array of "
                    + d.length() + " elements " + a.shapeInfoToString());
        }
        if (direct(d)) {
            ((FloatPointer) d.addressPointer()).put(values, 0, count);
        } else if (count == values.length) {
            d.setData(values);
        } else {
            d.setData(java.util.Arrays.copyOf(values, count));
        }
    }

    /** The first {@code rows * cols} elements of a flat buffer as a {@code [rows, cols]} array (a view). */
    static INDArray view(INDArray flat, int rows, int cols) {
        return flat.get(NDArrayIndex.interval(0, (long) rows * cols)).reshape('c', rows, cols);
    }

    /** A float buffer that starts at its own memory: its address pointer is its first element. */
    private static boolean direct(DataBuffer d) {
        return d.dataType() == DataType.FLOAT && d.offset() == 0 && d.addressPointer() instanceof FloatPointer;
    }
}
