package dev.recsys.api.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named float32 tensors in a fixed order: the model's parameters (or their gradients, or an
 * optimiser's moments) as they cross the SPI. Row-major; shapes follow {@link ParamLayout}.
 * Not thread-safe.
 */
public final class Weights {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();

    /** One named tensor: shape and row-major data. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
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

        public int size() {
            return data.length;
        }
    }

    public Weights put(String name, int[] shape, float[] data) {
        tensors.put(name, new Tensor(shape.clone(), data));
        return this;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The tensor called name; fails naming the known ones when absent. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "'; known: " + tensors.keySet());
        }
        return t;
    }

    public float[] data(String name) {
        return get(name).data();
    }

    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    public Map<String, Tensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /** Total number of scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /** A deep copy. */
    public Weights copy() {
        Weights w = new Weights();
        tensors.forEach((k, v) -> w.put(k, v.shape(), v.data().clone()));
        return w;
    }

    /** Zeros with the same names and shapes. */
    public Weights zerosLike() {
        Weights w = new Weights();
        tensors.forEach((k, v) -> w.put(k, v.shape(), new float[v.size()]));
        return w;
    }

    /** Largest absolute element-wise difference to other (same names and shapes required). */
    public double maxAbsDiff(Weights other) {
        double m = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] a = e.getValue().data();
            float[] b = other.data(e.getKey());
            if (a.length != b.length) {
                throw new IllegalArgumentException(
                        "size of " + e.getKey() + " differs: " + a.length + " vs " + b.length);
            }
            for (int i = 0; i < a.length; i++) {
                m = Math.max(m, Math.abs((double) a[i] - b[i]));
            }
        }
        return m;
    }
}
