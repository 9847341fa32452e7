package dev.recsys.backend.djl;

import java.util.SplittableRandom;

/**
 * The model's own dropout stream: inverted-dropout masks ({@code 0} with probability
 * {@code rate}, else {@code 1/(1-rate)}) drawn in Java from a {@link SplittableRandom} seeded per
 * training step, written into a reused buffer and handed to the engine as a constant tensor.
 *
 * <p>Why not the engine's dropout: PyTorch's CPU {@code bernoulli_} draws each element serially
 * from the process-wide generator (about a fifth of a SASRec training step on one thread), and
 * that generator is shared by every model in the process. Here each element costs half a 64-bit
 * SplittableRandom draw (32 bits per element, so the rate is exact to 2^-32), and the masks of a
 * model depend only on its seed and its step number. Not thread-safe: one training thread.
 */
final class DropoutMasks {
    private final float rate;
    private final float keepScale;
    private final int threshold;
    private SplittableRandom random;
    private float[] buffer = new float[0];

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

    /** The next n mask values, in a buffer that is overwritten by the next call. */
    float[] next(int n) {
        if (random == null) {
            throw new IllegalStateException("dropout stream not seeded");
        }
        if (buffer.length < n) {
            buffer = new float[n];
        }
        float[] b = buffer;
        SplittableRandom r = random;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            long bits = r.nextLong();
            b[i] = Integer.compareUnsigned((int) bits, threshold) >= 0 ? keepScale : 0f;
            b[i + 1] = Integer.compareUnsigned((int) (bits >>> 32), threshold) >= 0 ? keepScale : 0f;
        }
        if (i < n) {
            b[i] = Integer.compareUnsigned(r.nextInt(), threshold) >= 0 ? keepScale : 0f;
        }
        return b;
    }
}
