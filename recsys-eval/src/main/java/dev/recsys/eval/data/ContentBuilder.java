package dev.recsys.eval.data;

import dev.recsys.api.data.ItemContent;
import dev.recsys.api.data.Tokenizer;
import dev.recsys.api.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns item metadata into the model's content table ({@link ItemContent}) through the project's
 * {@link Tokenizer} and a {@link Vocabulary}.
 *
 * <p>Tokens of an item, in this order (the content row is the marker, then these tokens, cut to
 * {@code contentLen - 1}, then padding): genres as {@code genre:comedy} (genre words joined with
 * '-', e.g. {@code genre:sci-fi}, {@code genre:childrens}), the year as {@code year:1995}, the decade
 * as {@code decade:1990s}, then the title's words ({@code misérables}, {@code les}). Structured tokens
 * come first so that truncation only ever cuts title words. Items without metadata get the marker
 * alone. The vocabulary keeps tokens used by at least {@code minCount} items (each item counts a
 * token once); other tokens become {@code [UNK]}.
 */
public final class ContentBuilder {
    private final int contentLen;
    private final int minCount;
    private final int maxVocab;
    private final Tokenizer tokenizer;

    /**
     * @param contentLen tokens per item T, the marker included (at least 1)
     * @param minCount   minimum number of items a token must occur in to get its own id (at least 1)
     * @param maxVocab   maximum vocabulary size, reserved ids included (at least 3)
     */
    public ContentBuilder(int contentLen, int minCount, int maxVocab) {
        if (contentLen < 1) {
            throw new IllegalArgumentException("contentLen must be >= 1 (the marker), found " + contentLen);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, found " + minCount);
        }
        if (maxVocab < Vocabulary.RESERVED) {
            throw new IllegalArgumentException("maxVocab must be >= " + Vocabulary.RESERVED + ", found " + maxVocab);
        }
        this.contentLen = contentLen;
        this.minCount = minCount;
        this.maxVocab = maxVocab;
        this.tokenizer = Tokenizer.DEFAULT;
    }

    /** Defaults: T = 16, tokens in at least 2 items, no vocabulary cap. */
    public ContentBuilder() {
        this(16, 2, Integer.MAX_VALUE);
    }

    /** A content table and the vocabulary it was encoded with. */
    public record Result(ItemContent content, Vocabulary vocabulary) {}

    /** Builds a vocabulary from {@code d}'s metadata and encodes every item with it. */
    public Result build(Dataset d) {
        if (!d.hasMeta()) {
            throw new IllegalArgumentException("dataset " + d.name() + " has no item metadata to build content from");
        }
        return build(d.meta());
    }

    /** Builds a vocabulary from {@code meta} and encodes every item with it. */
    public Result build(ItemMeta meta) {
        Vocabulary.Builder vb = Vocabulary.builder();
        for (int i = 1; i <= meta.numItems(); i++) {
            for (String t : new java.util.LinkedHashSet<>(tokens(meta, i))) {
                vb.add(t);
            }
        }
        Vocabulary v = vb.build(minCount, maxVocab);
        return new Result(encode(meta, v), v);
    }

    /** Encodes every item of {@code meta} with an existing (e.g. checkpointed) vocabulary. */
    public ItemContent encode(ItemMeta meta, Vocabulary v) {
        int n = meta.numItems();
        int[][] per = new int[n + 1][];
        per[0] = new int[0];
        for (int i = 1; i <= n; i++) {
            per[i] = v.encode(tokens(meta, i));
        }
        return ItemContent.of(n, contentLen, per);
    }

    /** The token strings of item {@code item}, before truncation. */
    public List<String> tokens(ItemMeta meta, int item) {
        List<String> out = new ArrayList<>();
        for (String g : meta.genres(item)) {
            List<String> w = tokenizer.tokenize(g);
            if (!w.isEmpty()) {
                out.add("genre:" + String.join("-", w));
            }
        }
        int y = meta.year(item);
        if (y > 0) {
            out.add("year:" + y);
            out.add("decade:" + (y / 10 * 10) + "s");
        }
        out.addAll(tokenizer.tokenize(meta.title(item)));
        return out;
    }
}
