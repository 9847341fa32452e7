package dev.recsys.backend.dl4j;

import dev.recsys.api.model.Weights;
import java.util.Arrays;

/**
 * A model's master weights (the graphs' parameters are refreshed from them when their
 * {@link #version()} moved) and the gradient buffers a training step fills. Not thread-safe: the
 * model uses it under its lock.
 */
final class MasterWeights {
    private final Weights weights;
    private final Weights grads;
    private long version;

    /** @param initial validated weights (copied) */
    MasterWeights(Weights initial) {
        this.weights = initial.copy();
        this.grads = weights.zerosLike();
    }

    /** The live weights (not a copy): graphs sync from them. */
    Weights live() {
        return weights;
    }

    /** The live values of one tensor. */
    float[] data(String name) {
        return weights.data(name);
    }

    /** Bumped by every {@link #set}: graphs and caches compare it with the version they hold. */
    long version() {
        return version;
    }

    /** Copies validated weights into the master weights and bumps the version. */
    void set(Weights w) {
        for (String n : weights.names()) {
            System.arraycopy(w.data(n), 0, weights.data(n), 0, weights.data(n).length);
        }
        version++;
    }

    /** The gradient buffers of the last step. */
    Weights grads() {
        return grads;
    }

    /** The gradient buffer of one tensor. */
    float[] grad(String name) {
        return grads.data(name);
    }

    /** Zeroes every gradient buffer (start of a step). */
    void zeroGrads() {
        for (Weights.Tensor t : grads.asMap().values()) {
            Arrays.fill(t.data(), 0f);
        }
    }

    /** Adds a graph's gradient of parameter {@code name} (null: none) into its buffer. */
    void addGrad(String name, float[] g) {
        Gathers.addInto(grads.data(name), g);
    }
}
