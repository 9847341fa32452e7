package dev.recsys.api.io;

import dev.recsys.api.model.Weights;
import java.util.Collections;
import java.util.Map;

/**
 * What resuming training needs besides the model: the optimiser's tensors (Adam moments
 * {@code m.<param>} and {@code v.<param>}, any names) in {@code optimizer.safetensors}, and the
 * trainer's simple values (step, epoch, best metric, RNG state ...) in {@code trainer.json}.
 *
 * @param optimizer named float tensors (may be empty)
 * @param trainer   JSON values; stored normalised ({@link Json#normalize}: ints read back as Long,
 *                  floats as Double), unmodifiable
 */
public record TrainingState(Weights optimizer, Map<String, Object> trainer) {
    public TrainingState {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer state must not be null (use an empty Weights)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> normal = (Map<String, Object>) Json.normalize(trainer == null ? Map.of() : trainer);
        trainer = Collections.unmodifiableMap(normal);
    }
}
