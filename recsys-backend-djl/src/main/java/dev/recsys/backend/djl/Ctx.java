package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One call's native scope: a sub-manager that owns every tensor the call creates, closed before
 * the call returns.
 *
 * <p>Parameters enter the call as detached aliases of the shared parameter tensors (same
 * memory, no copy), created on first use and owned by this scope, so that no operation result
 * can attach itself to the long-lived manager and so that, in a gradient call, each call's
 * gradients live on its own leaves (nothing accumulates between calls; nothing to zero).
 * Inputs are created in engine-allocated memory and filled through a direct view, so that no
 * native memory waits for the Java garbage collector.
 */
final class Ctx implements AutoCloseable {
    final NDManager m;
    final boolean training;
    private final DropoutMasks masks;
    private final boolean grad;
    private final ParamStore store;
    private final NDArray[] leaves;
    /** Named intermediate results, when a trace is wanted (else null). */
    final Map<String, NDArray> trace;
    /**
     * Item-id dropout of this call ({@code TrainBatch.NextItem.droppedIds}): the items whose id row
     * the item vectors leave out, or null for none.
     */
    boolean[] droppedIds;
    /** Engine-owned scalar constants of this call, by value (see {@link #scalar}). */
    private final Map<Float, NDArray> scalars = new HashMap<>();

    /**
     * @param masks the dropout stream in training (null: no dropout, eval mode)
     * @param grad  whether parameters get gradients
     */
    Ctx(ParamStore store, DropoutMasks masks, boolean grad, boolean traced) {
        this.store = store;
        this.m = store.manager().newSubManager();
        this.masks = masks != null && masks.rate() > 0f ? masks : null;
        this.training = this.masks != null;
        this.grad = grad;
        this.leaves = new NDArray[store.slotCount()];
        this.trace = traced ? new LinkedHashMap<>() : null;
    }

    /** The parameter tensor of an internal name (see {@link ParamStore}), as a call-scoped alias. */
    NDArray p(String name) {
        ParamStore.Slot s = store.slot(name);
        NDArray v = leaves[s.index];
        if (v == null) {
            v = s.array.stopGradient();
            v.attach(m);
            if (grad) {
                v.setRequiresGradient(true);
            }
            leaves[s.index] = v;
        }
        return v;
    }

    /** A call-scoped alias of a long-lived tensor (e.g. a cache), read-only. */
    NDArray view(NDArray longLived) {
        NDArray v = longLived.stopGradient();
        v.attach(m);
        return v;
    }

    /** Per-slot gradients of this call's leaves (null where a parameter was not used). */
    NDArray[] gradients() {
        NDArray[] g = new NDArray[leaves.length];
        for (int i = 0; i < leaves.length; i++) {
            if (leaves[i] != null && leaves[i].hasGradient()) {
                g[i] = leaves[i].getGradient();
            }
        }
        return g;
    }

    void record(String name, NDArray v) {
        if (trace != null) {
            trace.put(name, v);
        }
    }

    /**
     * A float32 scalar constant for arithmetic with tensors ({@code x.mul(c.scalar(s))}), allocated
     * and owned by the engine and kept by this call's scope (one per value and call).
     *
     * <p>Never pass a Java number to an NDArray operation in this backend ({@code x.mul(2f)}):
     * DJL's PyTorch engine wraps the number in a tensor over a Java direct buffer
     * ({@code torch::from_blob}, the memory belongs to the buffer) and closes that tensor as soon
     * as the operation returns. Autograd keeps the tensor for the backward pass (a product or a
     * quotient needs its other factor), but the buffer is then unreachable and the garbage
     * collector frees its memory at a moment of its choosing: a backward pass after that read
     * freed memory, so that gradients depended on GC timing and were occasionally garbage or NaN.
     */
    NDArray scalar(float value) {
        NDArray s = scalars.get(value);
        if (s == null) {
            s = m.full(new Shape(), value, DataType.FLOAT32);
            scalars.put(value, s);
        }
        return s;
    }

    NDArray floats(float[] data, long... shape) {
        return floatsAt(data, 0, shape);
    }

    /** A float tensor filled from {@code data[offset ..]} (allocated uninitialised, written once). */
    NDArray floatsAt(float[] data, int offset, long... shape) {
        NDArray a = m.create(new Shape(shape), DataType.FLOAT32);
        FloatBuffer fb = a.toByteBuffer(true).asFloatBuffer();
        fb.put(data, offset, Math.toIntExact(a.size()));
        return a;
    }

    /** An int64 index tensor. */
    NDArray longs(int[] data, long... shape) {
        NDArray a = m.create(new Shape(shape), DataType.INT64);
        LongBuffer lb = a.toByteBuffer(true).asLongBuffer();
        int n = Math.toIntExact(a.size());
        for (int i = 0; i < n; i++) {
            lb.put(i, data[i]);
        }
        return a;
    }

    /** Rows of a 2-D table: {@code table[idx]}, shape {@code idx.shape + [cols]}; differentiable in table. */
    NDArray rows(NDArray table, NDArray idx) {
        return idx.getNDArrayInternal()
                .embedding(idx, table, SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /** {@code y = x W + b} with the internal (PyTorch) weight {@code prefix.weight} and bias {@code prefix.bias}. */
    NDArray linear(NDArray x, String prefix) {
        return x.getNDArrayInternal()
                .linear(x, p(prefix + ".weight"), p(prefix + ".bias"))
                .singletonOrThrow();
    }

    NDArray layerNorm(NDArray x, String prefix, float eps) {
        NDArray w = p(prefix + ".weight");
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(w.getShape().get(0)), w, p(prefix + ".bias"), eps)
                .singletonOrThrow();
    }

    /** Inverted dropout at the model's rate in training (masks from {@link DropoutMasks}), identity otherwise. */
    NDArray drop(NDArray x) {
        if (masks == null) {
            return x;
        }
        NDArray mask = m.create(x.getShape(), DataType.FLOAT32);
        masks.fill(mask.toByteBuffer(true).asFloatBuffer(), Math.toIntExact(mask.size()));
        return x.mul(mask);
    }

    @Override
    public void close() {
        m.close();
    }
}
