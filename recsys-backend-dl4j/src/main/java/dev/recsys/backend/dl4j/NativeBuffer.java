package dev.recsys.backend.dl4j;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A growable native float buffer of a scoring session and its {@code [rows, cols]} views, each view made
 * once per shape. Every new ND4J array is a Java data buffer registered with ND4J's deallocator, which a
 * serving JVM's young collections carried (recsys-backend-dl4j/README.md, "Scoring allocations"); a
 * scoring call that goes through these buffers makes none once its shapes have been met. Callers pad
 * their shapes to a few steps so that the views stay few. Not thread-safe: one per session.
 */
final class NativeBuffer implements AutoCloseable {
    private INDArray flat;
    private final Map<Long, INDArray> views = new HashMap<>();

    /**
     * Makes room for at least {@code size} floats: keeps the buffer when it is large enough, else
     * replaces it (its values and views are dropped).
     */
    NativeBuffer ensure(long size) {
        if (flat == null || flat.length() < size) {
            close();
            flat = Nd4j.createUninitialized(DataType.FLOAT, Math.max(1L, size));
        }
        return this;
    }

    /** The first {@code rows · cols} floats as a {@code [rows, cols]} view (after {@link #ensure} of that size). */
    INDArray view(int rows, int cols) {
        if (flat == null || flat.length() < (long) rows * cols) {
            throw new IllegalStateException("a [" + rows + ", " + cols + "] view of a buffer of "
                    + (flat == null ? 0 : flat.length()) + " floats");
        }
        return views.computeIfAbsent(((long) rows << 32) | cols, k -> Arrays2.view(flat, rows, cols));
    }

    /** Writes the first {@code count} values into the buffer. */
    void write(float[] values, int count) {
        Arrays2.write(flat, values, count);
    }

    /** Reads the buffer's first {@code count} floats into {@code into}. */
    void read(float[] into, int count) {
        Arrays2.read(flat, into, count);
    }

    @Override
    public void close() {
        views.clear();
        if (flat != null && !flat.wasClosed()) {
            flat.close();
        }
        flat = null;
    }
}
