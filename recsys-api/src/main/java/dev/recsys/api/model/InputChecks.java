package dev.recsys.api.model;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.SeqBatch;

/**
 * The checks of a model's inputs against its configuration, written once for the reference model
 * and every backend, so that the same bad input gets the same one-line error (what was expected,
 * what was found) whichever engine runs it.
 */
public final class InputChecks {

    private InputChecks() {}

    /**
     * The item content of a content model: present, {@code [numItems+1, contentLen]}, tokens in
     * {@code [0, contentVocab)}.
     *
     * @return the content, or null when the config has no content (whatever was given)
     */
    public static ItemContent content(ModelConfig c, ItemContent content) {
        if (!c.hasContent()) {
            return null;
        }
        if (content == null) {
            throw new IllegalArgumentException(
                    "a content model (contentVocab=" + c.contentVocab() + ") needs item content, found null");
        }
        if (content.numItems() != c.numItems() || content.contentLen() != c.contentLen()) {
            throw new IllegalArgumentException(
                    "item content must be [numItems+1, contentLen] = [" + (c.numItems() + 1) + ", " + c.contentLen()
                            + "], found [" + (content.numItems() + 1) + ", " + content.contentLen() + "]");
        }
        int max = content.maxToken();
        if (max >= c.contentVocab()) {
            throw new IllegalArgumentException(
                    "content tokens must be < contentVocab = " + c.contentVocab() + ", found " + max);
        }
        for (int t : content.tokens()) {
            if (t < 0) {
                throw new IllegalArgumentException("content tokens must be >= 0, found " + t);
            }
        }
        return content;
    }

    /**
     * A batch of histories: at most {@code maxLen} long, item ids in {@code [0, numItems]}, event
     * types (when the model has them and the batch carries them; none means type 0) in
     * {@code [0, eventTypes)}.
     */
    public static void batch(ModelConfig c, SeqBatch batch) {
        if (batch == null) {
            throw new IllegalArgumentException("batch must not be null");
        }
        if (batch.length() > c.maxLen()) {
            throw new IllegalArgumentException("batch length must be <= maxLen = " + c.maxLen() + ", found "
                    + batch.length() + "; keep the last maxLen items of each history");
        }
        itemIds(c, batch.items(), "history");
        if (c.eventTypes() > 0 && batch.events() != null) {
            for (int e : batch.events()) {
                if (e < 0 || e >= c.eventTypes()) {
                    throw new IllegalArgumentException(
                            "event types must be in [0, " + c.eventTypes() + "), found " + e);
                }
            }
        }
    }

    /**
     * Stage-2 candidates of a batch: {@code perRow >= 1} ids per row, each in {@code [0, numItems]},
     * and at least one item in every row (stage-2 pooling needs a valid position).
     */
    public static void candidates(ModelConfig c, SeqBatch batch, int[] candidates, int perRow) {
        if (perRow < 1 || candidates == null || candidates.length != batch.size() * perRow) {
            throw new IllegalArgumentException("candidates must hold rows*perRow = " + batch.size() + "*" + perRow
                    + " ids with perRow >= 1, found " + (candidates == null ? "null" : candidates.length));
        }
        itemIds(c, candidates, "candidate");
        for (int r = 0; r < batch.size(); r++) {
            if (batch.validCount(r) == 0) {
                throw new IllegalArgumentException(
                        "row " + r + " has no item: stage-2 pooling needs at least one valid position");
            }
        }
    }

    /** Item ids in {@code [0, numItems]} (0 = padding); {@code what} names them in the error. */
    public static void itemIds(ModelConfig c, int[] ids, String what) {
        for (int id : ids) {
            if (id < 0 || id > c.numItems()) {
                throw new IllegalArgumentException(
                        what + " item ids must be in [0, " + c.numItems() + "], found " + id + " (0 = padding)");
            }
        }
    }
}
