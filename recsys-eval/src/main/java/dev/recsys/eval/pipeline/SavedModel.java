package dev.recsys.eval.pipeline;

import dev.recsys.api.CheckpointException;
import dev.recsys.api.DataException;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.io.Checkpoint;
import dev.recsys.api.io.CheckpointData;
import dev.recsys.api.io.ItemAddition;
import dev.recsys.api.spi.Backend;
import dev.recsys.api.spi.RecModel;
import dev.recsys.eval.data.ContentBuilder;
import dev.recsys.eval.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
        return build(dir, backend, cd, rerank);
    }

    private static SavedModel build(Path dir, Backend backend, CheckpointData cd, int rerank) {
        RecModel m = backend.create(
                cd.config(),
                cd.content(),
                cd.weights(),
                cd.provenance() == null ? 0 : cd.provenance().seed());
        return new SavedModel(dir, m, cd, rerank);
    }

    /**
     * This model with {@code items} added from their content, without retraining: the checkpoint is
     * extended engine-free ({@link ItemAddition#of}: next dense ids, zero id rows, tokens through
     * the checkpoint's vocabulary; existing items score exactly as before) and a new model is built
     * on {@code backend}. This object is not changed and stays open: a server can keep answering
     * with it, swap the returned model in (e.g. an {@code AtomicReference}) and close this one
     * after its last request. Safe to call from several threads (each call builds its own model).
     *
     * @param items   new items, e.g. {@link dev.recsys.eval.data.ItemFile#readNewItems}, or
     *                {@code new NewItem(id, ContentBuilder.itemTokens(title, genres, year), source)}
     * @param replace allow ids already in the catalogue: their content is replaced in place
     * @return the new model (same folder and re-rank depth) and what happened to each item
     * @throws dev.recsys.api.DataException       bad items, or an ids-only model (one message naming the item)
     * @throws CheckpointException                when the checkpoint's content rules or vocabulary do not allow it
     */
    public Update withItems(Backend backend, List<NewItem> items, boolean replace) {
        requireContentRules(data);
        ItemAddition a = ItemAddition.of(data, items, replace);
        return new Update(withData(backend, a.data()), a);
    }

    /**
     * A model with items added and what happened to each.
     *
     * @param model    the new model (the caller closes it)
     * @param addition the extended checkpoint and one entry per given item
     */
    public record Update(SavedModel model, ItemAddition addition) {}

    /** A model of {@code cd} (e.g. this checkpoint extended) on {@code backend}, with this folder and re-rank depth. */
    public SavedModel withData(Backend backend, CheckpointData cd) {
        return build(dir, backend, cd, rerank);
    }

    /**
     * Fails unless items can be tokenised for {@code cd} by this version's rules: its metadata
     * {@link ContentBuilder#META_RULES} is absent (a checkpoint from before the key, made by the
     * first and only rules) or {@link ContentBuilder#RULES}.
     */
    public static void requireContentRules(CheckpointData cd) {
        String rules = cd.metadata().get(ContentBuilder.META_RULES);
        if (rules != null && !rules.equals(ContentBuilder.RULES)) {
            throw new CheckpointException("the model's item content was tokenised by the rules '" + rules
                    + "', this recsys makes tokens by '" + ContentBuilder.RULES
                    + "': new items would not be encoded as the model was trained; use the recsys that trained it");
        }
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
