package dev.recsys.api.io;

import dev.recsys.api.model.Weights;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What resuming training needs besides the model: the optimiser's tensors (Adam moments
 * {@code m.<param>} and {@code v.<param>}, any names) and integer tables (e.g. hard-negative
 * item ids) in {@code optimizer.safetensors}, and the trainer's simple values (step, epoch, best
 * metric, RNG state ...) in {@code trainer.json}.
 *
 * @param optimizer named float tensors, stored as F32 (may be empty)
 * @param trainer   JSON values; stored normalised ({@link Json#normalize}: ints read back as Long,
 *                  floats as Double), sorted by key, unmodifiable
 * @param integers  named integer tensors, stored as I32 (may be empty); their names must differ
 *                  from the optimizer's
 */
public record TrainingState(Weights optimizer, Map<String, Object> trainer, Map<String, IntTensor> integers) {
    public TrainingState {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer state must not be null (use an empty Weights)");
        }
        // sorted by key, as trainer.json has always been written
        trainer = Collections.unmodifiableMap(new TreeMap<>(Json.normalize(trainer == null ? Map.of() : trainer)));
        integers = Collections.unmodifiableMap(new LinkedHashMap<>(integers == null ? Map.of() : integers));
        for (String name : integers.keySet()) {
            if (optimizer.contains(name)) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' is both a float and an integer tensor of the training state");
            }
        }
    }

    /** A state without integer tensors. */
    public TrainingState(Weights optimizer, Map<String, Object> trainer) {
        this(optimizer, trainer, Map.of());
    }

    /**
     * An integer tensor, row-major.
     *
     * @param shape dimensions, each &gt;= 0
     * @param data  the product of shape values
     */
    public record IntTensor(int[] shape, int[] data) {
        public IntTensor {
            long n = 1;
            for (int s : shape) {
                if (s < 0) {
                    throw new IllegalArgumentException(
                            "integer tensor shape " + Arrays.toString(shape) + " has a negative dimension");
                }
                n *= s;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("integer tensor of shape " + Arrays.toString(shape) + " needs " + n
                        + " values, found " + data.length);
            }
        }
    }
}
