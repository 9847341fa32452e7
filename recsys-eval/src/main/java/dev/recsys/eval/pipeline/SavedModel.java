package dev.recsys.eval.pipeline;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model loaded from a checkpoint folder onto a backend. Closing it closes the model.
 *
 * @param dir    the folder it was read from
 * @param model  the model, with the checkpoint's weights
 * @param data   everything the folder holds
 * @param rerank the re-rank depth it was trained for ({@link TrainingPipeline#META_RERANK}; 100 when absent)
 */
public record SavedModel(Path dir, RecModel model, CheckpointData data, int rerank) implements AutoCloseable {
    /** Reads the checkpoint in {@code dir} and builds its model on {@code backend}. */
    public static SavedModel load(Path dir, Backend backend) throws IOException {
        CheckpointData cd = Checkpoint.read(dir);
        int rerank = 100;
        String r = cd.metadata().get(TrainingPipeline.META_RERANK);
        if (r != null) {
            try {
                rerank = Integer.parseInt(r);
            } catch (NumberFormatException e) {
                throw new CheckpointException(
                        dir + "/" + Checkpoint.MODEL_JSON + ": metadata rerank is not a number: " + r);
            }
        }
        RecModel m = backend.create(
                cd.config(),
                cd.content(),
                cd.weights(),
                cd.provenance() == null ? 0 : cd.provenance().seed());
        return new SavedModel(dir, m, cd, rerank);
    }

    /** Fails unless the model fits {@code d} (the same catalogue size). */
    public void requireFits(Dataset d) {
        if (data.config().numItems() != d.numItems()) {
            throw new DataException(
                    "model " + dir + " was trained on " + data.config().numItems() + " items but the data has "
                            + d.numItems() + "; evaluate on the data it was trained on");
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
