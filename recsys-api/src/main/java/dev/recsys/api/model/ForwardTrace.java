package dev.recsys.api.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named intermediate results of one forward pass (eval mode, no dropout), so that every layer
 * of a backend can be compared with the reference forward pass. Keys are the constants below;
 * {@code [B, L, d]} entries are compared at valid (non-padding) positions only.
 */
public final class ForwardTrace {
    /** {@code [N+1, d]} item vectors: id embedding (+) pooled content. */
    public static final String ITEM_VECTORS = "item_vectors";
    /** {@code [N+1, T, d]} encoded content I_c of every item (content models only). */
    public static final String CONTENT_OUTPUT = "content_encoder.output";
    /** {@code [B, L, d]} user encoder input: scaled item vectors + event + position. */
    public static final String USER_INPUT = "user_encoder.input";
    /** {@code [B, L, d]} the encoded user sequence U (after the final norm in PRE and SASREC mode). */
    public static final String USER_OUTPUT = "user_encoder.output";
    /** {@code [B, N+1]} stage-1 scores {@code u_last · itemVector(c)}. */
    public static final String STAGE1 = "scores.stage1";
    /** {@code [B, C, L, d]} cross-attention output A for each candidate. */
    public static final String CROSS_OUTPUT = "cross.output";
    /** {@code [B, C]} stage-2 scores. */
    public static final String STAGE2 = "scores.stage2";

    /** {@code [B, L, d]} output of user encoder layer i. */
    public static String userLayer(int i) {
        return "user_encoder.layers." + i;
    }

    private final Map<String, float[]> values = new LinkedHashMap<>();

    public ForwardTrace put(String name, float[] v) {
        values.put(name, v);
        return this;
    }

    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("trace has no '" + name + "'; it has " + values.keySet());
        }
        return v;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Map<String, float[]> asMap() {
        return Collections.unmodifiableMap(values);
    }
}
