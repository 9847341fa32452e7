package dev.recsys.backend.djl;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * The model's own dropout stream: inverted-dropout masks ({@code 0} with probability
 * {@code rate}, else {@code 1/(1-rate)}) drawn in Java from a {@link SplittableRandom} seeded per
 * training step and written into an engine tensor that the step multiplies by.
 *
 * <p>Why not the engine's dropout: PyTorch's CPU {@code bernoulli_} draws each element serially
 * from the process-wide generator (about a fifth of a SASRec training step on one thread), and
 * that generator is shared by every model in the process. Here each element costs half a 64-bit
 * SplittableRandom draw (32 bits per element, so the rate is exact to 2^-32) and is written
 * straight into the engine tensor, and the masks of a model depend only on its seed and its step
 * number. Not thread-safe: one training thread.
 */
final class DropoutMasks {
    private final float rate;
    private final float keepScale;
    private final int threshold;
    private SplittableRandom random;

    DropoutMasks(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), found " + rate);
        }
        this.rate = rate;
        this.keepScale = 1f / (1f - rate);
        this.threshold = (int) Math.round(rate * 4294967296.0);
    }

    float rate() {
        return rate;
    }

    /** Starts the stream of one training step. */
    void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    /**
     * Writes the next n mask values into {@code out[0..n)} (absolute puts; typically a direct
     * view of an engine tensor's memory, so that the mask is written once, where it is used).
     */
    void fill(FloatBuffer out, int n) {
        if (random == null) {
            throw new IllegalStateException("dropout stream not seeded");
        }
        SplittableRandom r = random;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long bits = r.nextLong();
            out.put(i, Integer.compareUnsigned((int) bits, threshold) >= 0 ? keepScale : 0f);
            out.put(i + 1, Integer.compareUnsigned((int) (bits >>> 32), threshold) >= 0 ? keepScale : 0f);
        }
        if (i < n) {
            out.put(i, Integer.compareUnsigned(r.nextInt(), threshold) >= 0 ? keepScale : 0f);
        }
    }
}
