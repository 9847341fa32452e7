package dev.recsys.api.data;

import java.util.List;

/**
 * A catalogue entry to add to a trained model: its external id and its content as token strings,
 * made by the same rules as at training time (e.g. {@code genre:comedy}, {@code year:1995},
 * {@code decade:1990s}, title words; see {@code dev.recsys.eval.data.ContentBuilder}). The model's
 * {@link Vocabulary} turns them into ids ({@link dev.recsys.api.io.ItemAddition}).
 *
 * @param id     external item id (non-blank)
 * @param tokens content tokens before truncation, in the order the training rules give them
 * @param source where the item came from, for messages (e.g. {@code items.dat:3}); null = "item &lt;id&gt;"
 */
public record NewItem(String id, List<String> tokens, String source) {
    public NewItem {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException((source == null ? "a new item" : source) + ": the item id is empty");
        }
        tokens = List.copyOf(tokens);
    }

    /** An item without a source location. */
    public NewItem(String id, List<String> tokens) {
        this(id, tokens, null);
    }

    /** {@code source}, or {@code item 'id'} when there is none: the prefix of every message about this item. */
    public String where() {
        return source != null ? source + ": item '" + id + "'" : "item '" + id + "'";
    }
}
