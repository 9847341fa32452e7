package dev.recsys.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.config.Norm;
import dev.recsys.api.config.Positional;
import dev.recsys.api.model.ParamLayout;
import dev.recsys.api.model.Weights;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's parameters as engine tensors, in the layout that suits PyTorch, and the mapping
 * to and from the canonical names and shapes of {@link ParamLayout}.
 *
 * <p>Internal layout: dense weights are stored {@code [out, in]} (PyTorch's {@code linear}
 * layout; the canonical layout is {@code [in, out]}); the query, key and value projections of a
 * self-attention are fused into one {@code [3d, d]} weight and one {@code [3d]} bias (one GEMM
 * instead of three), and the key and value projections of the cross-attention, and of the
 * self-attention of {@code Norm.SASREC} layers (whose queries read another input), into
 * {@code [2d, d]}. Everything else is stored as it is.
 *
 * <p>Copies in and out go through a direct view of each tensor's memory (no reallocation):
 * {@link #load} writes into the existing tensors, {@link #export} and {@link #gradients} fill
 * reused buffers.
 */
final class ParamStore implements AutoCloseable {

    /** One engine tensor. */
    static final class Slot {
        final String name;
        final long[] shape;
        final int size;
        final int index;
        NDArray array;
        final float[] scratch;

        Slot(String name, long[] shape, int index) {
            this.name = name;
            this.shape = shape;
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            this.size = Math.toIntExact(n);
            this.index = index;
            this.scratch = new float[size];
        }
    }

    private enum Kind {
        COPY,
        LINEAR,
        VECTOR
    }

    /** Where a canonical tensor lives inside a slot. */
    private record Part(String canonical, int[] shape, Slot slot, Kind kind, int offset) {}

    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byName = new HashMap<>();
    private final List<Part> parts = new ArrayList<>();
    private final NDManager manager;
    private final Weights gradients = new Weights();

    ParamStore(ModelConfig c, NDManager manager) {
        this.manager = manager;
        int d = c.dim();
        if (c.itemIds()) {
            copy(ParamLayout.ITEM_EMBEDDING, c.numItems() + 1, d);
        }
        if (c.positional() == Positional.LEARNED) {
            copy(ParamLayout.POSITION_EMBEDDING, c.maxLen(), d);
        }
        if (c.eventTypes() > 0) {
            copy(ParamLayout.EVENT_EMBEDDING, c.eventTypes(), d);
        }
        encoder(ParamLayout.USER_ENCODER, c.layers(), c);
        if (c.hasContent()) {
            copy(ParamLayout.TOKEN_EMBEDDING, c.contentVocab(), d);
            if (c.positional() == Positional.LEARNED) {
                copy(ParamLayout.CONTENT_POSITION_EMBEDDING, c.contentLen(), d);
            }
            encoder(ParamLayout.CONTENT_ENCODER, c.contentLayers(), c);
        }
        String x = ParamLayout.CROSS;
        linear(x + ".query", new String[] {x + ".query"}, d, d);
        linear(x + ".kv", new String[] {x + ".key", x + ".value"}, d, d);
        linear(x + ".output", new String[] {x + ".output"}, d, d);
        copy(ParamLayout.SCORER_WEIGHT, d, 1);
        copy(ParamLayout.SCORER_BIAS, 1);

        List<String> mine = parts.stream().map(Part::canonical).sorted().toList();
        List<String> canon =
                ParamLayout.of(c).stream().map(ParamLayout.Param::name).sorted().toList();
        if (!mine.equals(canon)) {
            throw new IllegalStateException(
                    "internal layout does not cover the canonical parameters: " + mine + " vs " + canon);
        }
        for (ParamLayout.Param p : ParamLayout.of(c)) {
            gradients.put(p.name(), p.shape(), new float[p.size()]);
        }
        for (Slot s : slots) {
            s.array = manager.zeros(new Shape(s.shape), DataType.FLOAT32);
            s.array.setName(s.name);
        }
    }

    private void encoder(String prefix, int layers, ModelConfig c) {
        int d = c.dim();
        for (int i = 0; i < layers; i++) {
            String p = ParamLayout.layer(prefix, i);
            String a = p + ".attention";
            if (c.norm() == Norm.SASREC) { // queries and keys/values read different inputs
                linear(a + ".query", new String[] {a + ".query"}, d, d);
                linear(a + ".kv", new String[] {a + ".key", a + ".value"}, d, d);
            } else {
                linear(a + ".qkv", new String[] {a + ".query", a + ".key", a + ".value"}, d, d);
            }
            linear(a + ".output", new String[] {a + ".output"}, d, d);
            copy(p + ".attention_norm.weight", d);
            copy(p + ".attention_norm.bias", d);
            linear(p + ".ffn.in", new String[] {p + ".ffn.in"}, d, c.ffnDim());
            linear(p + ".ffn.out", new String[] {p + ".ffn.out"}, c.ffnDim(), d);
            copy(p + ".ffn_norm.weight", d);
            copy(p + ".ffn_norm.bias", d);
        }
        if (c.norm().finalNorm()) {
            copy(prefix + ".final_norm.weight", d);
            copy(prefix + ".final_norm.bias", d);
        }
    }

    private Slot slot(String name, long... shape) {
        Slot s = new Slot(name, shape, slots.size());
        slots.add(s);
        byName.put(name, s);
        return s;
    }

    private void copy(String name, int... shape) {
        long[] ls = Arrays.stream(shape).asLongStream().toArray();
        parts.add(new Part(name, shape, slot(name, ls), Kind.COPY, 0));
    }

    /** A (possibly fused) dense layer: weight slot {@code [k*out, in]}, bias slot {@code [k*out]}. */
    private void linear(String slotName, String[] canonical, int in, int out) {
        Slot w = slot(slotName + ".weight", (long) canonical.length * out, in);
        Slot b = slot(slotName + ".bias", (long) canonical.length * out);
        for (int k = 0; k < canonical.length; k++) {
            parts.add(new Part(canonical[k] + ".weight", new int[] {in, out}, w, Kind.LINEAR, k * out));
            parts.add(new Part(canonical[k] + ".bias", new int[] {out}, b, Kind.VECTOR, k * out));
        }
    }

    /** The slot of an internal name, e.g. {@code user_encoder.layers.0.attention.qkv.weight}. */
    Slot slot(String name) {
        Slot s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no parameter tensor '" + name + "'; known: " + byName.keySet());
        }
        return s;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    int slotCount() {
        return slots.size();
    }

    List<Slot> slots() {
        return slots;
    }

    NDManager manager() {
        return manager;
    }

    /** Writes canonical weights into the existing tensors (shapes must already be validated). */
    void load(Weights w) {
        for (Part p : parts) {
            scatterIn(p, w.data(p.canonical()));
        }
        for (Slot s : slots) {
            FloatBuffer fb = direct(s.array);
            fb.put(s.scratch, 0, s.size);
        }
    }

    /** A fresh copy of the canonical weights. */
    Weights export() {
        for (Slot s : slots) {
            direct(s.array).get(s.scratch, 0, s.size);
        }
        Weights w = new Weights();
        for (Part p : parts) {
            float[] out = new float[size(p.shape())];
            gatherOut(p, out);
            w.put(p.canonical(), p.shape(), out);
        }
        return w;
    }

    /**
     * Fills the reused canonical gradient buffers from per-slot gradients ({@code grads[i]} for
     * slot i, null = not used in this forward pass = zero) and returns them.
     */
    Weights gradients(NDArray[] grads) {
        for (Slot s : slots) {
            NDArray g = grads[s.index];
            if (g == null) {
                Arrays.fill(s.scratch, 0f);
            } else {
                direct(g).get(s.scratch, 0, s.size);
            }
        }
        for (Part p : parts) {
            gatherOut(p, gradients.data(p.canonical()));
        }
        return gradients;
    }

    private static FloatBuffer direct(NDArray a) {
        ByteBuffer bb = a.toByteBuffer(true);
        return bb.asFloatBuffer();
    }

    private static void scatterIn(Part p, float[] src) {
        float[] dst = p.slot().scratch;
        switch (p.kind()) {
            case COPY -> System.arraycopy(src, 0, dst, 0, src.length);
            case VECTOR -> System.arraycopy(src, 0, dst, p.offset(), src.length);
            case LINEAR -> {
                int in = p.shape()[0];
                int out = p.shape()[1];
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        dst[(p.offset() + o) * in + i] = src[i * out + o];
                    }
                }
            }
            default -> throw new IllegalStateException(p.kind().toString());
        }
    }

    private static void gatherOut(Part p, float[] dst) {
        float[] src = p.slot().scratch;
        switch (p.kind()) {
            case COPY -> System.arraycopy(src, 0, dst, 0, dst.length);
            case VECTOR -> System.arraycopy(src, p.offset(), dst, 0, dst.length);
            case LINEAR -> {
                int in = p.shape()[0];
                int out = p.shape()[1];
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        dst[i * out + o] = src[(p.offset() + o) * in + i];
                    }
                }
            }
            default -> throw new IllegalStateException(p.kind().toString());
        }
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            if (s.array != null) {
                s.array.close();
                s.array = null;
            }
        }
    }
}
