package dev.recsys.api.io;

import dev.recsys.api.config.ModelConfig;
import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.NewItem;
import dev.recsys.api.model.Weights;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a model checkpoint holds (see {@link Checkpoint}).
 *
 * <p>The constructor checks what is cheap and structural: content is present exactly when the
 * config has content and matches its shape, the vocabulary has {@code contentVocab} tokens, the
 * item id map has {@code numItems + 1} entries with distinct ids for items 1..N. Whether the
 * weights match {@link dev.recsys.api.model.ParamLayout} is checked when the checkpoint is
 * written and read ({@link Weights} is mutable).
 *
 * @param config     the model shape
 * @param weights    all parameters of {@code ParamLayout.of(config)}
 * @param content    the item content table; required exactly when {@code config.hasContent()}
 * @param vocabulary content token strings, index = token id (0 = padding, 1 = item marker); null when unknown
 * @param itemIds    external item ids, index = dense id (index 0 = padding, any string); null when unknown
 * @param metadata   free-form strings (dataset name, notes ...); never null
 * @param provenance where the model came from; null when unknown
 */
public record CheckpointData(
        ModelConfig config,
        Weights weights,
        ItemContent content,
        List<String> vocabulary,
        List<String> itemIds,
        Map<String, String> metadata,
        Provenance provenance) {

    public CheckpointData {
        if (config == null || weights == null) {
            throw new IllegalArgumentException("a checkpoint needs a config and weights, found config=" + config
                    + ", weights=" + (weights == null ? "null" : weights.size() + " tensors"));
        }
        if (config.hasContent() && content == null) {
            throw new IllegalArgumentException("the config has content (contentVocab=" + config.contentVocab()
                    + ") but no item content table was given");
        }
        if (!config.hasContent() && content != null) {
            throw new IllegalArgumentException(
                    "an item content table was given but the config has no content (contentVocab=0)");
        }
        if (content != null) {
            if (content.numItems() != config.numItems() || content.contentLen() != config.contentLen()) {
                throw new IllegalArgumentException("item content table is [" + (content.numItems() + 1) + ", "
                        + content.contentLen() + "], expected [numItems+1, contentLen] = [" + (config.numItems() + 1)
                        + ", " + config.contentLen() + "]");
            }
            int max = content.maxToken();
            if (max >= config.contentVocab()) {
                throw new IllegalArgumentException("item content uses token " + max
                        + ", expected ids below contentVocab=" + config.contentVocab());
            }
            int min = minToken(content.tokens());
            if (min < 0) {
                throw new IllegalArgumentException("item content uses the negative token " + min);
            }
        }
        if (vocabulary != null) {
            vocabulary = List.copyOf(vocabulary);
            if (vocabulary.size() != config.contentVocab()) {
                throw new IllegalArgumentException("vocabulary has " + vocabulary.size()
                        + " tokens, expected contentVocab=" + config.contentVocab());
            }
        }
        if (itemIds != null) {
            itemIds = List.copyOf(itemIds);
            if (itemIds.size() != config.numItems() + 1) {
                throw new IllegalArgumentException("item id map has " + itemIds.size()
                        + " entries, expected numItems+1=" + (config.numItems() + 1) + " (index 0 = padding)");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 1; i < itemIds.size(); i++) {
                if (!seen.add(itemIds.get(i))) {
                    throw new IllegalArgumentException("item id map has the external id \"" + itemIds.get(i)
                            + "\" twice (second at dense id " + i + ")");
                }
            }
        }
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null, found " + e);
            }
        }
    }

    /**
     * This checkpoint with {@code items} added from their content, without retraining
     * ({@link ItemAddition#of}); this object is not changed.
     *
     * @param replace allow ids already in the catalogue (their content is replaced in place)
     */
    public ItemAddition withItems(List<NewItem> items, boolean replace) {
        return ItemAddition.of(this, items, replace);
    }

    /** A checkpoint of a model without vocabularies, metadata or provenance. */
    public static CheckpointData of(ModelConfig config, Weights weights, ItemContent content) {
        return new CheckpointData(config, weights, content, null, null, Map.of(), null);
    }

    private static int minToken(int[] tokens) {
        int m = 0;
        for (int v : tokens) {
            m = Math.min(m, v);
        }
        return m;
    }
}
