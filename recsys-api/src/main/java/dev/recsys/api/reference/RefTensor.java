package dev.recsys.api.reference;

import java.util.Arrays;

/**
 * The reference implementation's tensor: a row-major {@code double[]} with a shape. The array is
 * shared, not copied (the reference never mutates a tensor after handing it out); record equality
 * is identity of the arrays, use {@link #sameValues} to compare contents.
 *
 * @param shape dimensions, outermost first
 * @param data  {@code product(shape)} values, row-major
 */
public record RefTensor(int[] shape, double[] data) {
    public RefTensor {
        if (shape == null || data == null) {
            throw new IllegalArgumentException("shape and data must not be null");
        }
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, found " + data.length);
        }
    }

    /** A tensor over data with the given shape. */
    public static RefTensor of(double[] data, int... shape) {
        return new RefTensor(shape.clone(), data);
    }

    /** Zeros of the given shape. */
    public static RefTensor zeros(int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return new RefTensor(shape.clone(), new double[n]);
    }

    /** Widens float32 values. */
    public static RefTensor ofFloats(float[] data, int... shape) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return new RefTensor(shape.clone(), d);
    }

    /** Size of axis i. */
    public int dim(int i) {
        return shape[i];
    }

    /** Number of axes. */
    public int rank() {
        return shape.length;
    }

    /** The values rounded to float32. */
    public float[] toFloats() {
        return RefOps.toFloats(data);
    }

    /** Same shape and the same values. */
    public boolean sameValues(RefTensor o) {
        return Arrays.equals(shape, o.shape) && Arrays.equals(data, o.data);
    }

    /** Checks the shape, naming what was expected. */
    RefTensor requireShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(
                    what + " must have shape " + Arrays.toString(expected) + ", found " + Arrays.toString(shape));
        }
        return this;
    }

    @Override
    public String toString() {
        return "RefTensor" + Arrays.toString(shape);
    }
}
