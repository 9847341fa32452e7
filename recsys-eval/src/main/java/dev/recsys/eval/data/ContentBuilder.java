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
 * token once); other tokens become {@code [UNK]}, or with {@code oovBuckets} B &gt; 0 one of B hashed
 * out-of-vocabulary buckets ({@link Vocabulary}), whose rows are then trained on those rare words
 * and later serve words that no training item had (items added to a trained model).
 *
 * <p>These rules are version {@value #RULES} ({@link #META_RULES} in a checkpoint's metadata): items
 * added to a trained model ({@link #itemTokens}) must get their tokens by the rules the model was
 * trained with.
 */
public final class ContentBuilder {
    /** Version of the token rules above; saved with every content model. */
    public static final String RULES = "genre-year-decade-title/1";
    /** Checkpoint metadata key of {@link #RULES}; a checkpoint without it was made by these rules. */
    public static final String META_RULES = "contentRules";

    /** Tokens per item of the command line's default experiment ({@code content.length}). */
    public static final int STANDARD_LENGTH = 12;
    /** Items a token must occur in, in the command line's default experiment ({@code content.minCount}). */
    public static final int STANDARD_MIN_COUNT = 1;
    /** Vocabulary cap of the command line's default experiment ({@code content.maxVocab}). */
    public static final int STANDARD_MAX_VOCAB = 50_000;

    private static final Tokenizer TOKENIZER = Tokenizer.DEFAULT;
    private final int contentLen;
    private final int minCount;
    private final int maxVocab;
    private final int oovBuckets;

    /**
     * @param contentLen tokens per item T, the marker included (at least 1)
     * @param minCount   minimum number of items a token must occur in to get its own id (at least 1)
     * @param maxVocab   maximum vocabulary size, reserved ids included (at least 3)
     */
    public ContentBuilder(int contentLen, int minCount, int maxVocab) {
        this(contentLen, minCount, maxVocab, 0);
    }

    /**
     * @param contentLen tokens per item T, the marker included (at least 1)
     * @param minCount   minimum number of items a token must occur in to get its own id (at least 1)
     * @param maxVocab   maximum vocabulary size, reserved ids and buckets included
     * @param oovBuckets hashed out-of-vocabulary buckets (0 = unknown tokens are {@code [UNK]})
     */
    public ContentBuilder(int contentLen, int minCount, int maxVocab, int oovBuckets) {
        if (contentLen < 1) {
            throw new IllegalArgumentException("contentLen must be >= 1 (the marker), found " + contentLen);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount must be >= 1, found " + minCount);
        }
        if (oovBuckets < 0) {
            throw new IllegalArgumentException("oovBuckets must be >= 0, found " + oovBuckets);
        }
        if (maxVocab < Vocabulary.RESERVED + (long) oovBuckets) {
            throw new IllegalArgumentException("maxVocab must be >= " + Vocabulary.RESERVED + " + oovBuckets ("
                    + oovBuckets + "), found " + maxVocab);
        }
        this.contentLen = contentLen;
        this.minCount = minCount;
        this.maxVocab = maxVocab;
        this.oovBuckets = oovBuckets;
    }

    /** Defaults: T = 16, tokens in at least 2 items, no vocabulary cap. */
    public ContentBuilder() {
        this(16, 2, Integer.MAX_VALUE);
    }

    /**
     * The content of the command line's default experiment ({@code recsys train}, {@code recsys
     * evaluate --baseline contentknn}, {@code recsys spark evaluate}): {@link #STANDARD_LENGTH},
     * {@link #STANDARD_MIN_COUNT}, {@link #STANDARD_MAX_VOCAB}, no out-of-vocabulary buckets.
     */
    public static ContentBuilder standard() {
        return new ContentBuilder(STANDARD_LENGTH, STANDARD_MIN_COUNT, STANDARD_MAX_VOCAB, 0);
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
        Vocabulary v = vb.build(minCount, maxVocab, oovBuckets);
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
        return itemTokens(meta.title(item), meta.genres(item), meta.year(item));
    }

    /**
     * The token strings of one item by the rules above, before truncation: the tokens a model
     * trained by these rules expects for an item with this title (without its year), genres and
     * year (0 = unknown).
     */
    public static List<String> itemTokens(String title, String[] genres, int year) {
        List<String> out = new ArrayList<>();
        for (String g : genres) {
            List<String> w = TOKENIZER.tokenize(g);
            if (!w.isEmpty()) {
                out.add("genre:" + String.join("-", w));
            }
        }
        if (year > 0) {
            out.add("year:" + year);
            out.add("decade:" + (year / 10 * 10) + "s");
        }
        out.addAll(TOKENIZER.tokenize(title));
        return out;
    }
}
